package adaptertest

import (
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Recorder records every event a node emits and keeps the state they
// describe, the way the server's live state would.
type Recorder struct {
	mu      sync.Mutex
	changed chan struct{}
	events  []adapters.Event
	status  adapters.NodeStatus
	snaps   int
	calls   map[string]adapters.Call
	confs   map[string]adapters.Conference
	members map[string]adapters.Member // conference/id
	utts    []adapters.Utterance
	queues  queueState
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{changed: make(chan struct{}), calls: map[string]adapters.Call{},
		confs: map[string]adapters.Conference{}, members: map[string]adapters.Member{}}
}

// Emit is the function to pass to Node.Run.
func (r *Recorder) Emit(e adapters.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	switch e := e.(type) {
	case adapters.StatusChanged:
		r.status = e.Status
	case adapters.Snapshot:
		r.snaps++
		clear(r.calls)
		clear(r.confs)
		clear(r.members)
		for _, c := range e.Calls {
			r.calls[c.ID] = c
		}
		for _, c := range e.Conferences {
			r.confs[c.Name] = c
		}
		for _, m := range e.Members {
			r.members[m.Conference+"/"+m.ID] = m
		}
	case adapters.CallUpdated:
		r.calls[e.Call.ID] = e.Call
	case adapters.CallEnded:
		delete(r.calls, e.CallID)
	case adapters.ConferenceUpdated:
		r.confs[e.Conference.Name] = e.Conference
	case adapters.ConferenceEnded:
		delete(r.confs, e.Name)
		for k, m := range r.members {
			if m.Conference == e.Name {
				delete(r.members, k)
			}
		}
	case adapters.MemberUpdated:
		r.members[e.Member.Conference+"/"+e.Member.ID] = e.Member
	case adapters.MemberLeft:
		delete(r.members, e.Conference+"/"+e.MemberID)
	case adapters.UtteranceAdded:
		r.utts = append(r.utts, e.Utterance)
	}
	r.queues.apply(e)
	close(r.changed)
	r.changed = make(chan struct{})
}

// View is a consistent copy of what the recorder holds.
type View struct {
	Status      adapters.NodeStatus
	Snapshots   int
	Calls       map[string]adapters.Call
	Conferences map[string]adapters.Conference
	Members     map[string]adapters.Member // key conference/id
	Utterances  []adapters.Utterance
	Events      []adapters.Event
	// Queues (queuestate.go), by queue name, agent name, member id.
	Queues       map[string]adapters.Queue
	Agents       map[string]adapters.Agent
	QueueMembers map[string]adapters.QueueMember
}

// Member returns a member by conference and id.
func (v View) Member(conf, id string) (adapters.Member, bool) {
	m, ok := v.Members[conf+"/"+id]
	return m, ok
}

// Member returns a recorded member by conference and id without copying the
// whole state (for wrappers of Emit that compare an update with the last).
func (r *Recorder) Member(conf, id string) (adapters.Member, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.members[conf+"/"+id]
	return m, ok
}

// View returns a copy of the current state.
func (r *Recorder) View() View {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.viewLocked()
}

func (r *Recorder) viewLocked() View {
	v := View{Status: r.status, Snapshots: r.snaps,
		Calls: make(map[string]adapters.Call, len(r.calls)), Conferences: make(map[string]adapters.Conference, len(r.confs)),
		Members:    make(map[string]adapters.Member, len(r.members)),
		Utterances: append([]adapters.Utterance(nil), r.utts...), Events: append([]adapters.Event(nil), r.events...)}
	for k, c := range r.calls {
		v.Calls[k] = c
	}
	for k, c := range r.confs {
		v.Conferences[k] = c
	}
	for k, m := range r.members {
		v.Members[k] = m
	}
	r.queues.copyTo(&v)
	return v
}

// WaitTimeout bounds every Wait; generous because CI machines are shared.
var WaitTimeout = 10 * time.Second

// Wait blocks until cond holds for the recorded state, failing the test
// after WaitTimeout with what and the last state.
func (r *Recorder) Wait(t testing.TB, what string, cond func(View) bool) View {
	t.Helper()
	deadline := time.NewTimer(WaitTimeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		v := r.viewLocked()
		ch := r.changed
		r.mu.Unlock()
		if cond(v) {
			return v
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; status %+v, %d calls, %d conferences, members %v",
				what, v.Status, len(v.Calls), len(v.Conferences), v.Members)
			return v
		}
	}
}
