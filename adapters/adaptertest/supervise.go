package adaptertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// SupervisePBX drives the call-control side of a fake (issue 11). A
// harness whose node offers originate, transfer, hold or listen must
// implement it; the harness configures the node's dial rules so that
// endpoints ^1[0-9]{3}$ may be rung and numbers ^\+?[0-9]{3,15}$ dialled.
type SupervisePBX interface {
	// RefuseEndpoint makes ringing endpoint fail on the PBX and returns the
	// PBX's own reason the failure must carry (USER_NOT_REGISTERED, ...).
	RefuseEndpoint(t testing.TB, endpoint string) (reason string)
	// ExpectSupervision fails unless the fake received a in its exact native
	// form; reply is what Do returned (the new call's or supervisor leg's id).
	ExpectSupervision(t testing.TB, a adapters.Action, reply string)
	// Sent is how many commands or requests the fake has received so far.
	Sent(t testing.TB) int
}

// superviseCases are the call-control scenarios, run by Run.
func superviseCases(t *testing.T, newHarness Factory) {
	t.Run("OriginateAppearsWithItsID", func(t *testing.T) { originateAppears(t, newHarness(t)) })
	t.Run("OriginateFailureCarriesPBXReason", func(t *testing.T) { originateFails(t, newHarness(t)) })
	t.Run("HoldAndUnhold", func(t *testing.T) { holdUnhold(t, newHarness(t)) })
	t.Run("BlindTransfer", func(t *testing.T) { blindTransfer(t, newHarness(t)) })
	t.Run("ListenWhisperBargeStop", func(t *testing.T) { listenSwitchStop(t, newHarness(t)) })
	t.Run("InjectionRefusedSendsNothing", func(t *testing.T) { injectionRefused(t, newHarness(t)) })
}

// supervisePBX returns the harness's SupervisePBX, or nil after checking
// that a node without these actions refuses them as unsupported.
func supervisePBX(t *testing.T, h Harness, kinds ...adapters.ActionKind) SupervisePBX {
	t.Helper()
	supported := h.Node.Actions()
	for _, k := range kinds {
		if !slices.Contains(supported, k) {
			if err := h.Node.Validate(sample(k)); !errors.Is(err, adapters.ErrUnsupported) {
				t.Errorf("%s is not in Actions() but Validate = %v, want ErrUnsupported", k, err)
			}
			t.Skipf("node does not offer %s", k)
		}
	}
	p, ok := h.PBX.(SupervisePBX)
	if !ok {
		t.Fatalf("the fake's PBX (%T) does not implement adaptertest.SupervisePBX", h.PBX)
	}
	return p
}

func sample(k adapters.ActionKind) adapters.Action {
	const call = "00000000-0000-4000-8000-000000000000"
	switch k {
	case adapters.ActOriginate:
		return adapters.Originate{From: "1001", To: "1002"}
	case adapters.ActTransfer:
		return adapters.TransferCall{Call: call, To: "1002"}
	case adapters.ActHold, adapters.ActUnhold:
		return adapters.HoldCall{Call: call, Held: k == adapters.ActHold}
	case adapters.ActStopListening:
		return adapters.StopListening{Call: call, Phone: "1009"}
	case adapters.ActWhisper:
		return adapters.Supervise{Call: call, Phone: "1009", Mode: adapters.ModeWhisper}
	case adapters.ActBarge:
		return adapters.Supervise{Call: call, Phone: "1009", Mode: adapters.ModeBarge}
	}
	return adapters.Supervise{Call: call, Phone: "1009", Mode: adapters.ModeListen}
}

func originateAppears(t *testing.T, h Harness) {
	p := supervisePBX(t, h, adapters.ActOriginate)
	rec := start(t, h)
	a := adapters.Originate{From: "1001", To: "1002", CallerIDName: `홍길동 "상담원"`, CallerIDNumber: "+8215880000", Timeout: 30 * time.Second}
	id := do(t, h, a)
	if id == "" {
		t.Fatal("originate returned no call id")
	}
	p.ExpectSupervision(t, a, id)
	v := rec.Wait(t, "the originated call, from and to connected, under the returned id", func(v View) bool {
		c, ok := v.Calls[id]
		return ok && c.State == adapters.CallActive && len(c.Legs) >= 2
	})
	if ids := callIDsSeen(v); len(ids) != 1 {
		t.Errorf("originate showed calls %v, want only %s", ids, id)
	}
}

func originateFails(t *testing.T, h Harness) {
	p := supervisePBX(t, h, adapters.ActOriginate)
	rec := start(t, h)
	reason := p.RefuseEndpoint(t, "1003")
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	id, err := h.Node.Do(ctx, adapters.Originate{From: "1003", To: "1002"})
	if err != nil {
		// A PBX that answers the originate request itself must say why.
		if !strings.Contains(err.Error(), reason) {
			t.Fatalf("originate error %q does not carry the PBX's reason %q", err, reason)
		}
		return
	}
	v := rec.Wait(t, "the failed call's end with the PBX's reason", func(v View) bool {
		for _, e := range v.Events {
			if end, ok := e.(adapters.CallEnded); ok && end.CallID == id {
				return true
			}
		}
		return false
	})
	for _, e := range v.Events {
		if end, ok := e.(adapters.CallEnded); ok && end.CallID == id && !strings.Contains(end.Cause, reason) {
			t.Errorf("call %s ended with cause %q, want the PBX's %q", id, end.Cause, reason)
		}
	}
}

func holdUnhold(t *testing.T, h Harness) {
	p := supervisePBX(t, h, adapters.ActHold, adapters.ActUnhold)
	rec := start(t, h)
	id := callPBX(t, h).Dial(t, Party{"Ivy Hold", "5600"}, Party{"Agent Ten", "1010"})
	rec.Wait(t, "call answered", func(v View) bool { return v.Calls[id].State == adapters.CallActive })
	for _, held := range []bool{true, false} {
		a := adapters.HoldCall{Call: id, Held: held}
		reply := do(t, h, a)
		p.ExpectSupervision(t, a, reply)
		want := map[bool]string{true: adapters.CallHeld, false: adapters.CallActive}[held]
		rec.Wait(t, "call "+want, func(v View) bool { return v.Calls[id].State == want })
	}
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	if _, err := h.Node.Do(ctx, adapters.HoldCall{Call: "00000000-0000-4000-8000-00000000dead", Held: true}); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("hold of an unknown call = %v, want ErrNotFound (never a silent success)", err)
	}
}

func blindTransfer(t *testing.T, h Harness) {
	p := supervisePBX(t, h, adapters.ActTransfer)
	rec := start(t, h)
	id := callPBX(t, h).Dial(t, Party{"Kim Transfer", "5620"}, Party{"Agent Eleven", "1011"})
	before := rec.Wait(t, "call answered", func(v View) bool { return v.Calls[id].State == adapters.CallActive }).Calls[id]
	a := adapters.TransferCall{Call: id, To: "1012"}
	reply := do(t, h, a)
	p.ExpectSupervision(t, a, reply)
	rec.Wait(t, "the call moved (its agent leg gone) or ended", func(v View) bool {
		c, ok := v.Calls[id]
		return !ok || !slices.Equal(legIDs(c), legIDs(before))
	})
}

func legIDs(c adapters.Call) []string {
	out := make([]string, len(c.Legs))
	for i, l := range c.Legs {
		out[i] = l.UUID
	}
	return out
}

func listenSwitchStop(t *testing.T, h Harness) {
	p := supervisePBX(t, h, adapters.ActListen, adapters.ActWhisper, adapters.ActBarge, adapters.ActStopListening)
	rec := start(t, h)
	id := callPBX(t, h).Dial(t, Party{"Mona Caller", "5300"}, Party{"Agent Twelve", "1012"})
	rec.Wait(t, "call answered", func(v View) bool { return v.Calls[id].State == adapters.CallActive })
	var leg string
	for _, mode := range []string{adapters.ModeListen, adapters.ModeWhisper, adapters.ModeBarge, adapters.ModeListen} {
		a := adapters.Supervise{Call: id, Phone: "1009", Mode: mode}
		reply := do(t, h, a)
		p.ExpectSupervision(t, a, reply)
		v := rec.Wait(t, "listener 1009 in mode "+mode, func(v View) bool {
			ls := v.Calls[id].Listeners
			return len(ls) == 1 && ls[0].Phone == "1009" && ls[0].Mode == mode
		})
		got := v.Calls[id].Listeners[0].Leg
		if leg == "" {
			leg = got
		} else if got != leg {
			t.Errorf("switching to %s made a new supervisor leg %s (was %s): it must re-use the leg", mode, got, leg)
		}
	}
	a := adapters.StopListening{Call: id, Phone: "1009"}
	reply := do(t, h, a)
	p.ExpectSupervision(t, a, reply)
	v := rec.Wait(t, "listener gone, call still up", func(v View) bool {
		c, ok := v.Calls[id]
		return ok && len(c.Listeners) == 0
	})
	if ids := callIDsSeen(v); len(ids) != 1 || !ids[id] {
		t.Errorf("the supervisor leg showed up as a call of its own: calls seen %v", ids)
	}
}

// injections are values that must never reach a PBX: separators of ESL,
// FreeSWITCH's {...} blocks and dial strings, URLs and dialplans.
var injections = []string{"1000 &hupall", "1000\nhupall", "1000\r\n", "{1000}", "1000}", "{x", "10'00", "1000,1001",
	"1000&", "1000|1001", "../1000", "1000/1", "1000?x=1", "1000%0a", "１０００", ""}

// nameInjections must be refused as caller id names on every node.
var nameInjections = []string{"1000 &hupall", "Agent\nOne", "Agent\r\nhupall", "{Agent}", "Agent}", "a,b", "tab\there"}

func injectionRefused(t *testing.T, h Harness) {
	p := supervisePBX(t, h, adapters.ActOriginate, adapters.ActTransfer, adapters.ActListen)
	start(t, h)
	call := callPBX(t, h).Dial(t, Party{"Nora Target", "5310"}, Party{"Agent Thirteen", "1013"})
	var actions []adapters.Action
	for _, bad := range injections {
		actions = append(actions,
			adapters.Originate{From: bad, To: "1002"},
			adapters.Originate{From: "1001", To: bad},
			adapters.TransferCall{Call: call, To: bad},
			adapters.Supervise{Call: call, Phone: bad, Mode: adapters.ModeListen},
			adapters.StopListening{Call: call, Phone: bad},
			adapters.TransferCall{Call: bad, To: "1002"},
			adapters.HoldCall{Call: bad, Held: true},
		)
	}
	for _, bad := range nameInjections {
		actions = append(actions, adapters.Originate{From: "1001", To: "1002", CallerIDName: bad})
	}
	actions = append(actions,
		adapters.Originate{From: "1001", To: "1002", CallerIDNumber: "1000 &hupall"},
		adapters.TransferCall{Call: call, To: "1002", Leg: "sideways"},
		adapters.Supervise{Call: call, Phone: "1009", Mode: "shout"})
	before := p.Sent(t)
	for _, a := range actions {
		if err := h.Node.Validate(a); !errors.Is(err, adapters.ErrInvalid) {
			t.Errorf("Validate(%#v) = %v, want ErrInvalid", a, err)
		}
		if _, err := h.Node.Do(context.Background(), a); !errors.Is(err, adapters.ErrInvalid) {
			t.Errorf("Do(%#v) = %v, want ErrInvalid", a, err)
		}
	}
	if after := p.Sent(t); after != before {
		t.Errorf("refused actions sent %d commands to the PBX", after-before)
	}
}
