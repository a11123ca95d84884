package arifake

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The fake's media: POST /channels/externalMedia, POST /channels/{id}/snoop
// and POST /bridges in the reply shapes of e1/e2 and d1; while an
// externalMedia channel shares a bridge with a snoop channel the fake sends
// RTP to the external_host every 20 ms, as Asterisk does: a 440 Hz tone for
// spy=in (what the snooped party says), 660 Hz for spy=out (what it hears),
// both mixed for spy=both; nothing while the bridge has no snoop (Asterisk
// sends no packets for silent bridges).
//
// The fake keeps media facts in the channel's vars under "arifake." names
// (never shown), so the shared channel struct stays as it is.
const (
	varSpy    = "arifake.spy"
	varFormat = "arifake.format"
	// ToneIn and ToneOut are the fake snoop's frequencies (Hz).
	ToneIn  = 440.0
	ToneOut = 660.0
)

// mediaRoute answers POST /channels/externalMedia; false for any other
// request. Snoops and POST /bridges are call control's (stasiscontrol.go,
// callcontrol.go), which records a snoop's spy direction for sendRTP.
func (s *Server) mediaRoute(w http.ResponseWriter, method string, p []string, params map[string]string) bool {
	switch {
	case method == "POST" && len(p) == 2 && p[0] == "channels" && p[1] == "externalMedia":
		s.externalMedia(w, params)
	default:
		return false
	}
	return true
}

// newMediaChannelLocked registers a Stasis channel with a chosen id
// (ChannelCreated, StasisStart).
func (s *Server) newMediaChannelLocked(id, name string) *channel {
	if id == "" {
		id = fmt.Sprintf("%d.%d", s.epoch, s.seq)
		s.seq++
	}
	ch := &channel{
		Channel: Channel{
			ID: id, Name: name, State: "Up",
			Dialplan:     Dialplan{Context: "default", Exten: "s", Priority: 1, AppName: "Stasis", AppData: s.appLocked()},
			Creationtime: stamp(time.Now()), Language: "en",
		},
		stasis: true, vars: map[string]string{}, muted: map[string]bool{},
	}
	s.channels[id] = ch
	s.order = append(s.order, id)
	s.emitLocked("ChannelCreated", map[string]any{"channel": ch.Channel})
	s.emitLocked("StasisStart", map[string]any{"args": []string{}, "channel": ch.Channel})
	return ch
}

func (s *Server) externalMedia(w http.ResponseWriter, params map[string]string) {
	if params["app"] == "" {
		writeMessage(w, http.StatusBadRequest, "Application name is required")
		return
	}
	format := params["format"]
	if format != "ulaw" && format != "slin16" {
		writeMessage(w, http.StatusBadRequest, "format is required")
		return
	}
	dst, err := net.ResolveUDPAddr("udp", params["external_host"])
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "external_host is required")
		return
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Failed to create channel")
		return
	}
	s.mu.Lock()
	if _, dup := s.channels[params["channelId"]]; dup {
		s.mu.Unlock()
		_ = conn.Close()
		writeMessage(w, http.StatusConflict, "Channel with given unique ID already exists")
		return
	}
	ch := s.newMediaChannelLocked(params["channelId"], fmt.Sprintf("UnicastRTP/%s-0x7f7ecc0039b0", params["external_host"]))
	ch.vars[varFormat] = format
	port := strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port)
	reply := struct {
		Channel
		ChannelVars map[string]string `json:"channelvars"`
	}{ch.Channel, map[string]string{"UNICASTRTP_LOCAL_PORT": port, "UNICASTRTP_LOCAL_ADDRESS": "127.0.0.1"}}
	s.mu.Unlock()
	go s.sendRTP(ch.ID, format, conn, dst)
	writeJSON(w, http.StatusOK, reply)
}

// sendRTP paces packets every 20 ms while the externalMedia channel is
// bridged with a snoop, until the channel or the server is gone.
func (s *Server) sendRTP(id, format string, conn *net.UDPConn, dst *net.UDPAddr) {
	defer conn.Close()
	var hdr [8]byte
	_, _ = rand.Read(hdr[:])
	seq, ssrc := binary.BigEndian.Uint16(hdr[:]), binary.BigEndian.Uint32(hdr[4:])
	rate, samples, pt := 8000, 160, byte(0)
	if format == "slin16" {
		rate, samples, pt = 16000, 320, 118
	}
	ts := uint32(samples) // e1/e2: the first timestamp is one frame
	n := 0                // samples sent, for a continuous tone
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	pkt := make([]byte, 12, 12+2*samples)
	for range tick.C {
		s.mu.Lock()
		ch := s.channels[id]
		if ch == nil || s.closed {
			s.mu.Unlock()
			return
		}
		spy := ""
		if b := s.bridges[ch.bridge]; b != nil {
			for _, m := range b.Channels {
				if o := s.channels[m]; o != nil && o.vars[varSpy] != "" {
					spy = o.vars[varSpy]
				}
			}
		}
		s.mu.Unlock()
		if spy == "" {
			continue
		}
		pkt = pkt[:12]
		pkt[0], pkt[1] = 0x80, pt
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], ts)
		binary.BigEndian.PutUint32(pkt[8:], ssrc)
		for i := range samples {
			v := fakeTone(spy, float64(n+i)/float64(rate))
			if pt == 0 {
				pkt = append(pkt, linearToUlaw(v))
			} else {
				pkt = binary.BigEndian.AppendUint16(pkt, uint16(v)) // RTP L16 is network order
			}
		}
		n += samples
		seq++
		ts += uint32(samples)
		_, _ = conn.WriteToUDP(pkt, dst)
	}
}

func fakeTone(spy string, t float64) int16 {
	in := math.Sin(2 * math.Pi * ToneIn * t)
	out := math.Sin(2 * math.Pi * ToneOut * t)
	switch spy {
	case "in":
		return int16(12000 * in)
	case "out":
		return int16(12000 * out)
	}
	return int16(6000 * (in + out))
}

// linearToUlaw is G.711 µ-law encoding.
func linearToUlaw(v int16) byte {
	const bias, clip = 0x84, 32635
	x := int(v)
	sign := byte(0)
	if x < 0 {
		x, sign = -x, 0x80
	}
	x = min(x, clip) + bias
	exp := 7
	for mask := 0x4000; x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := byte(x>>(exp+3)) & 0x0f
	return ^(sign | byte(exp)<<4 | mant)
}
