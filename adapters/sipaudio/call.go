package sipaudio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Call is one expected, then answered, eavesdrop call.
type Call struct {
	// User is the one-time Request-URI user FreeSWITCH must call.
	User string

	ep      *Endpoint
	onAudio func(rate int, pcm []byte)
	expiry  *time.Timer

	answered chan struct{} // closed once the 200 was ACKed
	done     chan struct{} // closed when the call is over, whatever the reason
	endOnce  sync.Once
	wg       sync.WaitGroup // receive and keepalive loops

	mu     sync.Mutex
	codec  Codec
	peer   netip.Addr // the INVITE's source; RTP is read only from it
	rtp    *net.UDPConn
	dlg    *sipgo.DialogServerSession
	answer []byte // our SDP, repeated for a re-INVITE
	err    error
}

// Answered is closed when the call is up (the 200 was acknowledged).
func (c *Call) Answered() <-chan struct{} { return c.answered }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// Codec is the negotiated codec (zero before the INVITE).
func (c *Call) Codec() Codec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.codec
}

// Err says why the call ended: nil for a BYE or Close.
func (c *Call) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the call. An answered call waits up to grace for the peer's
// BYE (callboard tears the leg down with uuid_kill, which makes FreeSWITCH
// send one), then sends its own BYE so no leg is left behind.
func (c *Call) Close(grace time.Duration) {
	c.mu.Lock()
	dlg := c.dlg
	c.mu.Unlock()
	if dlg != nil {
		t := time.NewTimer(grace)
		select {
		case <-dlg.Context().Done():
		case <-c.done:
		case <-t.C:
			c.sendBye(dlg)
		}
		t.Stop()
	}
	c.fail(nil)
}

// sendBye hangs the dialog up from this side, but only towards the address
// the INVITE came from: the Contact could name anyone.
func (c *Call) sendBye(dlg *sipgo.DialogServerSession) {
	contact := dlg.InviteRequest.Contact()
	ip, err := netip.ParseAddr(contact.Address.Host)
	if err != nil || ip.Unmap() != c.peer {
		c.ep.log.Warn("sip audio: not sending BYE to a Contact that is not the caller", "contact", contact.Address.Host, "user", c.User)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := dlg.Bye(ctx); err != nil {
		c.ep.log.Info("sip audio: BYE not answered", "user", c.User, "err", err)
	}
}

// fail ends the call with err (nil: a normal end) and releases everything.
func (c *Call) fail(err error) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		if c.expiry != nil {
			c.expiry.Stop()
		}
		c.err = err
		rtp, dlg := c.rtp, c.dlg
		c.mu.Unlock()
		if rtp != nil {
			_ = rtp.Close()
		}
		c.wg.Wait()
		if dlg != nil {
			_ = dlg.Close()
		}
		c.ep.forget(c)
		close(c.done)
	})
}

// onInvite answers an expected user's INVITE; see the package comment for
// what is refused.
func (e *Endpoint) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		e.reInvite(req, tx)
		return
	}
	c := e.claim(req.Recipient.User)
	if c == nil {
		e.log.Warn("sip audio: INVITE for an unknown user refused", "source", req.Source())
		respond(tx, req, sip.StatusNotFound, "Not Found")
		return
	}
	c.mu.Lock()
	c.expiry.Stop()
	c.mu.Unlock()
	o, err := parseOffer(req.Body())
	if err != nil {
		respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		c.fail(err)
		return
	}
	codec, ok := o.choose(e.cfg.Codec)
	if !ok {
		respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		c.fail(fmt.Errorf("no acceptable codec in the offer (want %s): %+v", e.cfg.Codec, o.formats))
		return
	}
	rtp, err := net.ListenUDP("udp", &net.UDPAddr{IP: e.listen})
	if err != nil {
		respond(tx, req, sip.StatusInternalServerError, "Server Internal Error")
		c.fail(fmt.Errorf("rtp socket: %w", err))
		return
	}
	dlg, err := e.dialogs.ReadInvite(req, tx)
	if err != nil {
		_ = rtp.Close()
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		c.fail(fmt.Errorf("invite: %w", err))
		return
	}
	answer := answerSDP(e.advIP, rtp.LocalAddr().(*net.UDPAddr).Port, codec, time.Now().Unix())
	c.mu.Lock()
	c.codec, c.peer, c.rtp, c.dlg, c.answer = codec, sourceIP(req), rtp, dlg, answer
	c.mu.Unlock()
	// Receive before answering: FreeSWITCH may send RTP right after the 200.
	c.wg.Add(1)
	go c.receive(rtp, codec)
	if ip, ok := netip.AddrFromSlice(o.ip); ok && ip.Unmap() == c.peer {
		c.wg.Add(1)
		go c.keepalive(rtp, codec, &net.UDPAddr{IP: o.ip, Port: o.port})
	}
	if err := dlg.RespondSDP(answer); err != nil {
		c.fail(fmt.Errorf("answer: %w", err))
		return
	}
	e.log.Info("sip audio: call answered", "user", c.User, "codec", codec.Name, "rate", codec.Rate, "source", req.Source())
	close(c.answered)
	go func() {
		select {
		case <-dlg.Context().Done(): // BYE received (or the dialog died)
			c.fail(nil)
		case <-c.done:
		}
	}()
}

// reInvite answers an in-dialog INVITE (a session timer refresh) with the
// same SDP; anything else is 481.
func (e *Endpoint) reInvite(req *sip.Request, tx sip.ServerTransaction) {
	c := e.callOf(req)
	if c == nil {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	c.mu.Lock()
	res := sip.NewSDPResponseFromRequest(req, c.answer)
	res.AppendHeader(sip.HeaderClone(&e.contact))
	c.mu.Unlock()
	_ = tx.Respond(res)
}

func (e *Endpoint) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	if e.callOf(req) == nil {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	respond(tx, req, sip.StatusOK, "OK")
}

func (e *Endpoint) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := e.dialogs.ReadBye(req, tx); err != nil {
		code, reason := sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist"
		if !errors.Is(err, sipgo.ErrDialogDoesNotExists) && !errors.Is(err, sipgo.ErrDialogOutsideDialog) {
			code, reason = sip.StatusBadRequest, "Bad Request"
		}
		respond(tx, req, code, reason)
	}
}

// callOf finds the answered call an in-dialog request belongs to.
func (e *Endpoint) callOf(req *sip.Request) *Call {
	dlg, err := e.dialogs.MatchDialogRequest(req)
	if err != nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.calls {
		c.mu.Lock()
		same := c.dlg == dlg
		c.mu.Unlock()
		if same {
			return c
		}
	}
	return nil
}
