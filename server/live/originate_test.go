package live

import (
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// The REST handler's CallPlaced and the adapter's events race: the verdict
// must come out the same whichever is applied first.
func TestOriginationVerdictInEitherOrder(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	placed := adapters.CallPlaced{Node: "fs1", CallID: "o1", From: "1001", To: "1002", By: "mia", At: now}
	busy := adapters.CallEnded{Node: "fs1", CallID: "o1", Cause: "USER_BUSY", At: now}
	answered := adapters.CallUpdated{Call: adapters.Call{Node: "fs1", ID: "o1", State: "active", AnsweredAt: now}}
	for name, tc := range map[string]struct {
		events []adapters.Event
		state  string
		cause  string
	}{
		"placed then failed":    {[]adapters.Event{placed, busy}, OriginFailed, "USER_BUSY"},
		"failed before placed":  {[]adapters.Event{busy, placed}, OriginFailed, "USER_BUSY"},
		"placed, live":          {[]adapters.Event{placed, answered}, OriginLive, ""},
		"answered, then ended":  {[]adapters.Event{answered, placed, adapters.CallEnded{Node: "fs1", CallID: "o1", Cause: "NORMAL_CLEARING"}}, OriginEnded, "NORMAL_CLEARING"},
		"answered, ended early": {[]adapters.Event{answered, adapters.CallEnded{Node: "fs1", CallID: "o1", Cause: "NORMAL_CLEARING"}, placed}, OriginEnded, "NORMAL_CLEARING"},
	} {
		t.Run(name, func(t *testing.T) {
			s := New(Options{Now: func() time.Time { return now }})
			for _, ev := range tc.events {
				s.Apply(ev)
			}
			got := (&View{s: s}).Originations()
			if len(got) != 1 || got[0].State != tc.state || got[0].Cause != tc.cause || got[0].By != "mia" {
				t.Fatalf("originations %+v", got)
			}
		})
	}
}

func TestOriginationsExpire(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := New(Options{Now: func() time.Time { return now }})
	s.Apply(adapters.CallPlaced{Node: "fs1", CallID: "o1", By: "mia", At: now})
	s.Apply(adapters.CallEnded{Node: "fs1", CallID: "o1", Cause: "NO_ANSWER", At: now})
	now = now.Add(originKept + 2*time.Second)
	s.Apply(adapters.StatusChanged{Status: adapters.NodeStatus{Node: "fs1", State: adapters.StateUp}})
	if got := (&View{s: s}).Originations(); len(got) != 0 {
		t.Fatalf("kept %+v", got)
	}
}
