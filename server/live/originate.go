package live

import (
	"time"

	"github.com/callboard/callboard/adapters"
)

// KindOrigination is a call placed from callboard (click-to-call, or a CRM
// through an API token) and how it went: the entity that carries the PBX's
// verdict of an originate to browsers. The REST reply of an originate is a
// 202 with the call's id; whether the call is answered or fails (USER_BUSY,
// NO_ANSWER, ...) is only known later, from the adapter's events, and
// arrives here.
const KindOrigination Kind = "origination"

// Origination states.
const (
	OriginRinging = "ringing" // placed; the call is not live yet
	OriginLive    = "live"    // the call is live (ringing or talking on the PBX)
	OriginFailed  = "failed"  // ended before it was answered; Cause is the PBX's reason
	OriginEnded   = "ended"   // answered, then ended
)

// Origination is the "origination" entity (key "node/callId").
type Origination struct {
	Node     string    `json:"node"`
	CallID   string    `json:"callId"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	By       string    `json:"by"`
	State    string    `json:"state"`
	Cause    string    `json:"cause,omitempty"`
	At       time.Time `json:"at"`
	EndedAt  time.Time `json:"endedAt,omitzero"`
	answered bool
}

// How long outcomes stay: a placed call that never shows up is dropped after
// originPending, a finished one after originKept; at most originMax are held
// and at most endedMax recent CallEnded are remembered for a CallPlaced that
// arrives after its call already ended (the adapter's events and the REST
// handler race).
const (
	originPending = time.Hour
	originKept    = 10 * time.Minute
	originMax     = 256
	endedKept     = 2 * time.Minute
	endedMax      = 512
)

type endedCall struct {
	key, cause string
	answered   bool
	at         time.Time
}

// origins is the live state's bookkeeping of placed calls.
type origins struct {
	byKey     map[string]*Origination
	ended     []endedCall // recent CallEnded, oldest first
	nextSweep time.Time
}

func (s *State) placeCall(e adapters.CallPlaced) {
	k := key2(e.Node, e.CallID)
	at := e.At
	if at.IsZero() {
		at = s.opts.Now()
	}
	o := &Origination{Node: e.Node, CallID: e.CallID, From: e.From, To: e.To, By: e.By, State: OriginRinging, At: at.UTC()}
	if c := s.calls[k]; c != nil {
		o.State, o.answered = OriginLive, !c.AnsweredAt.IsZero()
	}
	for i := len(s.origins.ended) - 1; i >= 0; i-- {
		if d := s.origins.ended[i]; d.key == k {
			o.answered = o.answered || d.answered
			o.finish(d.cause, d.at)
			break
		}
	}
	if s.origins.byKey == nil {
		s.origins.byKey = make(map[string]*Origination)
	}
	if len(s.origins.byKey) >= originMax {
		s.dropOldestOrigination()
	}
	s.origins.byKey[k] = o
	s.record(OpUpsert, KindOrigination, k, o.copy(), "")
}

func (o *Origination) finish(cause string, at time.Time) {
	o.State, o.Cause, o.EndedAt = OriginFailed, cause, at.UTC()
	if o.answered {
		o.State = OriginEnded
	}
}

func (o *Origination) copy() *Origination { c := *o; return &c }

// originCallSeen follows a placed call's life: live, answered.
func (s *State) originCallSeen(k string, c *adapters.Call) {
	o := s.origins.byKey[k]
	if o == nil || o.EndedAt != (time.Time{}) {
		return
	}
	o.answered = o.answered || !c.AnsweredAt.IsZero()
	if o.State != OriginLive {
		o.State = OriginLive
		s.record(OpUpsert, KindOrigination, k, o.copy(), "")
	}
}

// originCallEnded records the verdict of a placed call, or remembers the end
// for a CallPlaced still to come.
func (s *State) originCallEnded(k string, e adapters.CallEnded, answered bool) {
	at := e.At
	if at.IsZero() {
		at = s.opts.Now()
	}
	if o := s.origins.byKey[k]; o != nil {
		if o.EndedAt.IsZero() {
			o.answered = o.answered || answered
			o.finish(e.Cause, at)
			s.record(OpUpsert, KindOrigination, k, o.copy(), "")
		}
		return
	}
	if len(s.origins.ended) >= endedMax {
		s.origins.ended = s.origins.ended[1:]
	}
	s.origins.ended = append(s.origins.ended, endedCall{key: k, cause: e.Cause, answered: answered, at: at})
}

// sweepOrigins drops outcomes past their time, at most once a second.
func (s *State) sweepOrigins() {
	if len(s.origins.byKey) == 0 && len(s.origins.ended) == 0 {
		return
	}
	now := s.opts.Now()
	if now.Before(s.origins.nextSweep) {
		return
	}
	s.origins.nextSweep = now.Add(time.Second)
	for k, o := range s.origins.byKey {
		if (!o.EndedAt.IsZero() && now.Sub(o.EndedAt) > originKept) || now.Sub(o.At) > originPending {
			delete(s.origins.byKey, k)
			s.record(OpRemove, KindOrigination, k, nil, "")
		}
	}
	i := 0
	for i < len(s.origins.ended) && now.Sub(s.origins.ended[i].at) > endedKept {
		i++
	}
	s.origins.ended = s.origins.ended[i:]
}

func (s *State) dropOldestOrigination() {
	var oldest string
	var at time.Time
	for k, o := range s.origins.byKey {
		if oldest == "" || o.At.Before(at) {
			oldest, at = k, o.At
		}
	}
	delete(s.origins.byKey, oldest)
	s.record(OpRemove, KindOrigination, oldest, nil, "")
}

// Originations copies the placed calls still shown (for the snapshot).
func (v *View) Originations() []*Origination {
	out := make([]*Origination, 0, len(v.s.origins.byKey))
	for _, o := range v.s.origins.byKey {
		out = append(out, o.copy())
	}
	return out
}
