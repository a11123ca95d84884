package history

import (
	"context"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/store"
)

func placed(id string) adapters.CallPlaced {
	return adapters.CallPlaced{Node: "fs1", CallID: id, From: "1001", To: "+821055501234", By: "alice", At: t0}
}

func ended(id, cause string, after time.Duration) adapters.CallEnded {
	return adapters.CallEnded{Node: "fs1", CallID: id, Cause: cause, At: t0.Add(after)}
}

// A placed call the PBX refused before it was ever live is in history, with
// the PBX's cause, whichever of CallPlaced and CallEnded the state saw first.
func TestFailedOriginateIsWritten(t *testing.T) {
	r := newRig(t, t.TempDir(), nil)
	r.apply(t, placed("busy"), ended("busy", "USER_BUSY", 2*time.Second))
	// The adapter's verdict can overtake the REST handler's CallPlaced.
	r.apply(t, ended("early", "USER_NOT_REGISTERED", time.Second), placed("early"))

	for id, cause := range map[string]string{"busy": "USER_BUSY", "early": "USER_NOT_REGISTERED"} {
		c := r.call(t, id)
		if c.HangupCause != cause || c.CallerNumber != "1001" || c.CalleeNumber != "+821055501234" || c.Direction != "outbound" {
			t.Fatalf("%s = %+v", id, c)
		}
		if !c.StartedAt.Equal(t0) || c.EndedAt.IsZero() || !c.AnsweredAt.IsZero() || c.EndedWhileDisconnected {
			t.Fatalf("%s times = %+v", id, c)
		}
	}
	if c := r.call(t, "busy"); !c.EndedAt.Equal(t0.Add(2 * time.Second)) {
		t.Fatalf("busy ended at %v", c.EndedAt)
	}
	calls, _, err := r.db.ListCalls(context.Background(), store.CallFilter{Number: "+8210555"})
	if err != nil || len(calls) != 2 {
		t.Fatalf("the failed originates are listed: %d calls, %v", len(calls), err)
	}
}

// A placed call that was live keeps the row the call path wrote: its parties
// as the PBX reported them, its own end, and a single row.
func TestLiveOriginateKeepsItsCallRow(t *testing.T) {
	r := newRig(t, t.TempDir(), nil)
	c := call("rang")
	c.State, c.CallerNumber, c.CallerName, c.CalleeNumber, c.Direction = adapters.CallRinging, "1001", "Desk 1001", "1002", "outbound"
	c.Legs[0].State = adapters.CallRinging
	r.apply(t, placed("rang"), adapters.CallUpdated{Call: c}, ended("rang", "NO_ANSWER", 30*time.Second))
	got := r.call(t, "rang")
	if got.HangupCause != "NO_ANSWER" || got.CallerName != "Desk 1001" || got.CalleeNumber != "1002" || !got.EndedAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("rang = %+v", got)
	}

	// Answered and hung up, the CallPlaced arriving last: the row stays.
	a := call("talked")
	a.AnsweredAt = t0.Add(time.Second)
	r.apply(t, adapters.CallUpdated{Call: a}, ended("talked", "NORMAL_CLEARING", time.Minute), placed("talked"))
	if got := r.call(t, "talked"); got.CallerNumber != "100" || got.AnsweredAt.IsZero() || got.HangupCause != "NORMAL_CLEARING" {
		t.Fatalf("talked = %+v", got)
	}
	calls, _, err := r.db.ListCalls(context.Background(), store.CallFilter{})
	if err != nil || len(calls) != 2 {
		t.Fatalf("one row per call: %d, %v", len(calls), err)
	}
}
