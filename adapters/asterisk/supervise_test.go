package asterisk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/dialplan"
	"github.com/callboard/callboard/internal/testutil"
)

func dialRules(cfg *Config) {
	cfg.Dial = dialplan.Rules{Endpoints: `^1[0-9]{3}$`, Numbers: `^\+?[0-9]{3,15}$`, EndpointTemplate: "PJSIP/{endpoint}"}
	cfg.ReconcileInterval = 50 * time.Millisecond
}

func doAction(t *testing.T, r *rig, a adapters.Action) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r.node.Do(ctx, a)
}

func ended(v view, id string) (adapters.CallEnded, bool) {
	for _, e := range v.Events {
		if end, ok := e.(adapters.CallEnded); ok && end.CallID == id {
			return end, true
		}
	}
	return adapters.CallEnded{}, false
}

// i1: a technology Asterisk cannot allocate answers 500 {"error":"Allocation
// failed"} and creates nothing: the API caller gets that text, as refused.
func TestOriginateAllocationFailedIsTheError(t *testing.T) {
	r := startRig(t, nil, dialRules)
	r.fake.RefuseEndpoint("PJSIP/1003", arifake.Refusal{Status: 500, Error: "Allocation failed"})
	_, err := doAction(t, r, adapters.Originate{From: "1003", To: "1002"})
	if !errors.Is(err, adapters.ErrRefused) || !strings.Contains(err.Error(), "Allocation failed") {
		t.Fatalf("originate = %v, want ErrRefused carrying Allocation failed", err)
	}
	if got := len(r.live.view().Calls); got != 0 {
		t.Errorf("%d calls shown after a refused originate", got)
	}
}

// a3/a4: when the destination fails, the originated side hangs up with
// Normal Clearing; the Dial status is the reason the call ends with.
func TestOriginateDestinationBusyEndsWithDialStatus(t *testing.T) {
	r := startRig(t, nil, dialRules)
	r.fake.RefuseEndpoint("PJSIP/1002", arifake.Refusal{Dialstatus: "BUSY", Cause: 17, CauseTxt: "User busy"})
	id, err := doAction(t, r, adapters.Originate{From: "1001", To: "1002"})
	if err != nil {
		t.Fatal(err)
	}
	// The fake's originated channel stays up after its Dial failed; the
	// test hangs it up as the dialplan's Hangup() would.
	testutil.EventuallyNoError(t, "hang up the caller side", func() error { return r.fake.Hangup(id) })
	v := r.live.wait(t, "the call's end", func(v view) bool { _, ok := ended(v, id); return ok })
	if end, _ := ended(v, id); end.Cause != "BUSY" {
		t.Errorf("cause %q, want the Dial status BUSY", end.Cause)
	}
}

// i1: a 200 does not mean the call exists; a channel destroyed at once with
// cause 0 and no Dial still ends the returned id.
func TestOriginateThatDiesAtOnceEnds(t *testing.T) {
	r := startRig(t, nil, dialRules)
	r.fake.RefuseEndpoint("PJSIP/1004", arifake.Refusal{Cause: 0, CauseTxt: "Unknown"})
	id, err := doAction(t, r, adapters.Originate{From: "1004", To: "1002"})
	if err != nil {
		t.Fatal(err)
	}
	v := r.live.wait(t, "the call's end", func(v view) bool { _, ok := ended(v, id); return ok })
	if end, _ := ended(v, id); end.Cause != "UNKNOWN" {
		t.Errorf("cause %q, want UNKNOWN", end.Cause)
	}
}

// Hold and transfer need a channel in callboard's application (b1, c1:
// 409 otherwise); a call without one is refused as unsupported before
// anything is sent, and "both" legs cannot move in one ARI request.
func TestControlNeedsAStasisChannel(t *testing.T) {
	r := startRig(t, nil, dialRules)
	d := r.fake.Dial(arifake.Party{Name: "Nia Dial", Number: "5700"}, arifake.Party{Name: "Agent", Number: "1010"})
	r.live.wait(t, "call", func(v view) bool { return v.Calls[d.Origin].State == adapters.CallActive })
	before := len(r.fake.RequestLog())
	for _, a := range []adapters.Action{
		adapters.HoldCall{Call: d.Origin, Held: true},
		adapters.TransferCall{Call: d.Origin, To: "1012"},
		adapters.TransferCall{Call: d.Origin, To: "1012", Leg: adapters.LegCallee},
		adapters.TransferCall{Call: d.Origin, To: "1012", Leg: adapters.LegBoth},
	} {
		if _, err := doAction(t, r, a); !errors.Is(err, adapters.ErrUnsupported) {
			t.Errorf("%#v = %v, want ErrUnsupported", a, err)
		}
	}
	for _, req := range r.fake.RequestLog()[before:] {
		if req.Method != "GET" && !strings.HasPrefix(req.Path, "/ari/events/") {
			t.Errorf("sent %s", req)
		}
	}
}

// A supervisor's phone that does not answer ends the listener, and its snoop
// and bridge are cleaned up; none of them ever shows as a call, also across
// reconciliation rounds and a resync.
func TestSupervisorNotAnsweringCleansUp(t *testing.T) {
	r := startRig(t, nil, dialRules)
	d := r.fake.DialStasis(arifake.Party{Name: "Ola Caller", Number: "5800"}, arifake.Party{Name: "Agent", Number: "1011"})
	r.live.wait(t, "call", func(v view) bool { return v.Calls[d.Origin].State == adapters.CallActive })
	leg, err := doAction(t, r, adapters.Supervise{Call: d.Origin, Phone: "1009", Mode: adapters.ModeListen})
	if err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "listener", func(v view) bool { return len(v.Calls[d.Origin].Listeners) == 1 })
	snaps := r.live.view().Snapshots
	r.fake.DropWebsockets() // a resync must not show the supervision channels
	r.live.wait(t, "resynced", func(v view) bool { return v.Snapshots > snaps && v.Status.State == adapters.StateUp })
	if ls := r.live.view().Calls[d.Origin].Listeners; len(ls) != 1 || ls[0].Leg != leg {
		t.Errorf("listeners after a resync %v, want %s", ls, leg)
	}
	_ = r.fake.Hangup(leg) // the supervisor hangs up
	r.live.wait(t, "listener gone", func(v view) bool { return len(v.Calls[d.Origin].Listeners) == 0 })
	testutil.Eventually(t, "snoop and bridge cleaned up", func() bool {
		return r.fake.ChannelsNamed("Snoop/") == 0 && len(r.fake.Bridges()) == 1
	})
	v := r.live.view()
	if len(v.Calls) != 1 {
		t.Errorf("calls %v, want only %s", v.Calls, d.Origin)
	}
	if v.Snapshots != snaps+1 {
		t.Errorf("%d snapshots, want %d: reconciliation took supervision channels for lost events", v.Snapshots, snaps+1)
	}
}

// Caller id names travel as JSON variables: quotes, spaces and Korean
// arrive as they are; separators a dialplan would read are refused.
func TestOriginateCallerIDName(t *testing.T) {
	r := startRig(t, nil, dialRules)
	name := `김 "Kim" O'Neil`
	id, err := doAction(t, r, adapters.Originate{From: "1001", To: "1002", CallerIDName: name, CallerIDNumber: "+8215880000"})
	if err != nil {
		t.Fatal(err)
	}
	v := r.live.wait(t, "call", func(v view) bool { return v.Calls[id].State == adapters.CallActive })
	if c := v.Calls[id]; c.CallerName != name || c.CallerNumber != "+8215880000" {
		t.Errorf("caller %q <%s>", c.CallerName, c.CallerNumber)
	}
	for _, bad := range []string{"a<b>", "a;b", "a,b"} {
		if err := r.node.Validate(adapters.Originate{From: "1001", To: "1002", CallerIDName: bad}); !errors.Is(err, adapters.ErrInvalid) {
			t.Errorf("name %q: %v, want ErrInvalid", bad, err)
		}
	}
}
