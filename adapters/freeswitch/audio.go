package freeswitch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/percipia/eslgo"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/sipaudio"
)

// On-demand audio (issue 12): FreeSWITCH calls callboard's own SIP endpoint
// (adapters/sipaudio) and eavesdrops on the call from that leg:
//
//	bgapi originate {origination_uuid=L,origination_caller_id_name=callboard,callboard_audio=1,
//	  callboard_audio_call=C,absolute_codec_string='L16@16000h,PCMU'}sofia/internal/<token>@<sip_advertise>
//	  &eavesdrop(T)
//	stop: api uuid_kill L   (FreeSWITCH sends the BYE; the leg also ends with the call)
//
// eavesdrop hears the target's read and write streams mixed; no eavesdrop
// variable or DTMF mode separates them (the mode digits only choose where
// the eavesdropper's own audio goes), and uuid_record stereo would write to
// disk. So the stream is the mix side; left/right come from a relay
// (mod_audio_fork / mod_audio_stream into the ingest endpoint).

// varAudio marks the eavesdrop leg: the mapper drops every event that
// carries it, so the leg never shows up as a call; varAudioCall names the
// call for a person reading uuid_dump.
const (
	varAudio     = "callboard_audio"
	varAudioCall = "callboard_audio_call"
)

// audioLegEvent says whether an event belongs to an audio leg (or is the
// background job of its originate): callboard's plumbing, not a call. Not
// every event of a leg carries its variables (CHANNEL_CALLSTATE has none),
// so the leg is remembered from the first one that does, until its end.
func (p *mapper) audioLegEvent(ev *eslgo.Event) bool {
	if eventName(ev) == "BACKGROUND_JOB" {
		return header(ev, "Job-Command") == "originate" && strings.Contains(header(ev, "Job-Command-Arg"), varAudio+"=1")
	}
	uuid := header(ev, "Unique-ID")
	if !p.audioLegs[uuid] {
		if header(ev, "variable_"+varAudio) != "1" || !uuidPattern.MatchString(uuid) || p.m.goneLegs[uuid] {
			return false
		}
		if p.audioLegs == nil {
			p.audioLegs = map[string]bool{}
		}
		p.audioLegs[uuid] = true
	}
	if eventName(ev) == "CHANNEL_DESTROY" {
		delete(p.audioLegs, uuid)
		p.m.markLegGone(uuid) // a straggler must not bring it back as a call
	}
	return true
}

var _ adapters.AudioSource = (*Node)(nil)

// audioEndpoint starts the SIP endpoint on first use: a node that is never
// listened to binds nothing.
func (n *Node) audioEndpoint() (*sipaudio.Endpoint, error) {
	n.audioMu.Lock()
	defer n.audioMu.Unlock()
	if n.audioEP != nil {
		return n.audioEP, nil
	}
	cfg, err := n.cfg.Audio.endpointConfig(n.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("audio config: %w: %w", adapters.ErrInvalid, err)
	}
	cfg.Logger = n.log
	ep, err := sipaudio.Listen(cfg)
	if err != nil {
		return nil, fmt.Errorf("audio endpoint: %w: %w", adapters.ErrUnavailable, err)
	}
	n.audioEP = ep
	return ep, nil
}

// closeAudio stops the endpoint (when Run ends).
func (n *Node) closeAudio() {
	n.audioMu.Lock()
	ep := n.audioEP
	n.audioEP = nil
	n.audioMu.Unlock()
	if ep != nil {
		_ = ep.Close()
	}
}

// audioCalls is the endpoint's calls, for tests.
func (n *Node) audioCalls() int {
	n.audioMu.Lock()
	defer n.audioMu.Unlock()
	if n.audioEP == nil {
		return 0
	}
	return n.audioEP.Calls()
}

// StartAudio streams call's audio (the mix) into sink; see the top of
// this file for the commands.
func (n *Node) StartAudio(ctx context.Context, call string, sink adapters.AudioSink) (func(), error) {
	what := "audio of call " + call
	if err := checkCall(call); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if n.cfg.Audio == nil {
		return nil, fmt.Errorf("%s: node %s has no audio section: %w", what, n.cfg.ID, adapters.ErrUnavailable)
	}
	legs := n.legsOf(call)
	if len(legs) == 0 {
		return nil, fmt.Errorf("%s on node %s: %w", what, n.cfg.ID, adapters.ErrNotFound)
	}
	// The same leg as listen: the callee a caller was bridged to, else the
	// only leg. Either leg of a bridge hears both parties.
	target := legs[0]
	if len(legs) >= 2 && checkCall(legs[1]) == nil {
		target = legs[1]
	}
	l := n.currentLink()
	if l == nil {
		return nil, fmt.Errorf("%s: node %s is not connected: %w", what, n.cfg.ID, adapters.ErrUnavailable)
	}
	ep, err := n.audioEndpoint()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var refused atomic.Bool
	c, err := ep.Expect(func(rate int, pcm []byte) {
		if err := sink.WriteAudio(adapters.AudioMix, rate, pcm); err != nil && !refused.Swap(true) {
			n.log.Info("audio on demand refused by the hub", "call", call, "err", err) // once: the hub explains
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", what, adapters.ErrUnavailable, err)
	}
	ac := n.cfg.Audio.withDefaults()
	leg := newUUID()
	line := fmt.Sprintf("originate {origination_uuid=%s,origination_caller_id_name=callboard,%s=1,%s=%s,absolute_codec_string=%s}sofia/%s/%s@%s &eavesdrop(%s)",
		leg, varAudio, varAudioCall, call, codecStrings[ac.Codec], ac.Profile, c.User, ep.HostPort(), target)
	s := &audioStream{n: n, call: call, leg: leg, c: c}
	reply, err := l.bgapi(ctx, line)
	if err == nil {
		err = replyError(what, reply)
	}
	if err != nil {
		c.Close(0)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	// bgapi only queued the originate; the answer is the proof it worked.
	// A refusal (e.g. sofia's 503) shows only as a BACKGROUND_JOB, so a
	// bounded wait stands in for it.
	wait := time.NewTimer(2 * n.cfg.CommandTimeout)
	defer wait.Stop()
	select {
	case <-c.Answered():
	case <-c.Done():
		err = fmt.Errorf("%s: the eavesdrop leg ended before it was answered (%v): %w", what, c.Err(), adapters.ErrUnavailable)
	case <-wait.C:
		err = fmt.Errorf("%s: FreeSWITCH did not call %s within %s: %w", what, ep.HostPort(), 2*n.cfg.CommandTimeout, adapters.ErrUnavailable)
	case <-ctx.Done():
		err = fmt.Errorf("%s: %w: %w", what, ctx.Err(), adapters.ErrUnavailable)
	}
	if err != nil {
		s.stop()
		return nil, err
	}
	n.log.Info("audio on demand", "call", call, "leg", leg, "codec", c.Codec().Name, "rate", c.Codec().Rate)
	var once sync.Once
	return func() { once.Do(s.stop) }, nil
}

// audioStream is one StartAudio.
type audioStream struct {
	n    *Node
	call string
	leg  string
	c    *sipaudio.Call
}

// stop kills the eavesdrop leg (FreeSWITCH then sends the BYE) and waits a
// little for that BYE; the endpoint sends its own BYE when none came (the
// ESL link may be down). A leg that is already gone answers -ERR: fine.
func (s *audioStream) stop() {
	if l := s.n.currentLink(); l != nil {
		select {
		case <-s.c.Done():
		default:
			ctx, cancel := context.WithTimeout(context.Background(), s.n.cfg.CommandTimeout)
			if reply, err := l.api(ctx, "uuid_kill "+s.leg); err != nil || strings.HasPrefix(reply, "-ERR") {
				s.n.log.Debug("audio teardown", "call", s.call, "leg", s.leg, "reply", strings.TrimSpace(reply), "err", err)
			}
			cancel()
		}
	}
	s.c.Close(2 * time.Second)
}
