package sipaudio

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/callboard/callboard/adapters/rtp"
)

// receive decodes the peer's RTP into onAudio until the socket is closed.
// Packets from another address or with another payload type (comfort
// noise, DTMF events) are dropped: the socket may be reachable by anyone.
func (c *Call) receive(conn *net.UDPConn, codec Codec) {
	defer c.wg.Done()
	buf := make([]byte, 2048)
	var pcm []byte
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		if from.Addr().Unmap() != c.peer {
			continue
		}
		pkt, err := rtp.Parse(buf[:n])
		if err != nil || pkt.PT != codec.PT || len(pkt.Payload) == 0 {
			continue
		}
		pcm = decodePayload(pcm[:0], codec, pkt.Payload)
		if c.onAudio != nil {
			c.onAudio(codec.Rate, pcm)
		}
	}
}

// keepalive sends 20 ms of silence every 20 ms to the peer's RTP address:
// the SDP answer is sendrecv, and FreeSWITCH hangs up a leg that receives
// no RTP for rtp-timeout-sec (300 s in the vanilla profiles). Only called
// when that address is the INVITE's source, so it reflects nothing.
func (c *Call) keepalive(conn *net.UDPConn, codec Codec, to *net.UDPAddr) {
	defer c.wg.Done()
	var ids [6]byte
	_, _ = rand.Read(ids[:])
	seq, ts, ssrc := binary.BigEndian.Uint16(ids[0:]), binary.BigEndian.Uint32(ids[2:]), binary.BigEndian.Uint32(ids[2:])^0x5a5a5a5a
	payload := silence(codec)
	pkt := make([]byte, 12+len(payload))
	copy(pkt[12:], payload)
	dst := netip.AddrPortFrom(netip.MustParseAddr(to.IP.String()).Unmap(), uint16(to.Port))
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
		}
		rtpHeader(pkt, codec.PT, seq, ts, ssrc)
		if _, err := conn.WriteToUDPAddrPort(pkt, dst); errors.Is(err, net.ErrClosed) {
			return
		}
		seq++
		ts += uint32(codec.Rate / 50)
	}
}
