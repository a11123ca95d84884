package asterisk_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/dialplan"
	"github.com/callboard/callboard/internal/testutil"
)

// conformanceDial is the dial plan adaptertest.SupervisePBX assumes.
var conformanceDial = dialplan.Rules{Endpoints: `^1[0-9]{3}$`, Numbers: `^\+?[0-9]{3,15}$`, EndpointTemplate: "PJSIP/{endpoint}"}

// RefuseEndpoint makes PJSIP/<endpoint> busy: the originated channel is
// created, its Dial ends BUSY and it is destroyed with cause 17 "User busy"
// (a3's shape), so the call ends with USER_BUSY.
func (p *ariPBX) RefuseEndpoint(t testing.TB, endpoint string) string {
	p.fake.RefuseEndpoint("PJSIP/"+endpoint, arifake.Refusal{Dialstatus: "BUSY", Cause: 17, CauseTxt: "User busy"})
	return "USER_BUSY"
}

// ExpectSupervision checks the exact ARI method, path and parameters of
// each call-control action.
func (p *ariPBX) ExpectSupervision(t testing.TB, a adapters.Action, reply string) {
	t.Helper()
	type want struct {
		line   string
		params map[string]string
	}
	var wants []want
	switch a := a.(type) {
	case adapters.Originate:
		ps := map[string]string{"endpoint": "PJSIP/" + a.From, "extension": a.To, "context": "default", "priority": "1",
			"channelId": reply, "otherChannelId": reply + "-2"}
		if a.Timeout > 0 {
			ps["timeout"] = strconv.Itoa(int(a.Timeout.Seconds()))
		}
		if a.CallerIDName != "" {
			ps["variables.CALLERID(name)"] = a.CallerIDName
		}
		if a.CallerIDNumber != "" {
			ps["variables.CALLERID(num)"] = a.CallerIDNumber
		}
		wants = append(wants, want{"POST /ari/channels", ps})
	case adapters.TransferCall:
		wants = append(wants, want{"POST /ari/channels/" + a.Call + "/continue", map[string]string{"context": "default", "extension": a.To, "priority": "1"}})
	case adapters.HoldCall:
		wants = append(wants, want{map[bool]string{true: "POST", false: "DELETE"}[a.Held] + " /ari/channels/" + a.Call + "/hold", nil})
	case adapters.Supervise:
		agent := p.agent(a.Call)
		whisper := map[string]string{"listen": "none", "whisper": "out", "barge": "both"}[a.Mode]
		wants = append(wants,
			want{"POST /ari/channels/" + agent + "/snoop", map[string]string{"spy": "both", "whisper": whisper, "app": "callboard"}},
			want{"POST /ari/channels/create", map[string]string{"endpoint": "PJSIP/" + a.Phone, "app": "callboard", "channelId": reply}},
			want{"POST /ari/channels/" + reply + "/dial", nil})
	case adapters.StopListening:
		wants = append(wants, want{"DELETE /ari/channels/" + reply, nil})
	default:
		t.Fatalf("no ARI form for %T", a)
	}
	for _, w := range wants {
		testutil.EventuallyNoError(t, fmt.Sprintf("the fake to receive %s %v", w.line, w.params), func() error {
		next:
			for _, r := range p.fake.RequestLog() {
				if r.String() != w.line {
					continue
				}
				for k, v := range w.params {
					if r.Params[k] != v {
						continue next
					}
				}
				return nil
			}
			return fmt.Errorf("it received %v", p.fake.Requests())
		})
	}
	if s, ok := a.(adapters.Supervise); ok {
		// The snoop now mixing in has the mode's whisper direction.
		testutil.EventuallyNoError(t, "one snoop on the agent with whisper for "+s.Mode, func() error {
			n := 0
			for _, id := range p.fake.Channels() {
				if target, whisper, ok := p.fake.Snoop(id); ok {
					if target != p.agent(s.Call) || whisper != map[string]string{"listen": "none", "whisper": "out", "barge": "both"}[s.Mode] {
						return fmt.Errorf("snoop %s on %s whispers %s", id, target, whisper)
					}
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("%d snoop channels", n)
			}
			return nil
		})
	}
}

// agent is the dialled side of a call the harness placed.
func (p *ariPBX) agent(call string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.dials[call]; ok {
		return d.Dialled
	}
	return call
}

// Sent counts the requests that act on the PBX: not the node's own reads
// (GET) and heartbeats.
func (p *ariPBX) Sent(t testing.TB) int {
	n := 0
	for _, r := range p.fake.RequestLog() {
		if r.Method != "GET" && !strings.HasPrefix(r.Path, "/ari/events/user/") {
			n++
		}
	}
	return n
}
