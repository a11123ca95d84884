package freeswitch_test

import (
	"sync"
	"testing"

	"github.com/callboard/callboard/adapters/adaptertest"
)

// The ESL fake's mod_callcenter for the conformance suite's queue cases.

var _ adaptertest.QueuePBX = (*eslPBX)(nil)

// callers maps queue member ids to the caller's channel, across harnesses.
var callers sync.Map

func (p *eslPBX) QueueSetup(t testing.TB, queue string, agents ...string) {
	p.fake.AddQueue(queue)
	for _, a := range agents {
		p.fake.AddAgent(a, queue)
		if err := p.fake.SetAgentStatus(a, "Available"); err != nil {
			t.Fatal(err)
		}
	}
}

func (p *eslPBX) QueueCall(t testing.TB, queue string, caller adaptertest.Party) string {
	u := p.Call(t, caller.Name, caller.Number)
	id, err := p.fake.QueueJoin(queue, u)
	if err != nil {
		t.Fatal(err)
	}
	callers.Store(id, u)
	return id
}

func (p *eslPBX) QueueOffer(t testing.TB, memberID, agent string) {
	if err := p.fake.QueueOffer(memberID, agent); err != nil {
		t.Fatal(err)
	}
}

func (p *eslPBX) QueueNoAnswer(t testing.TB, memberID, agent string) {
	if err := p.fake.QueueNoAnswer(memberID, agent); err != nil {
		t.Fatal(err)
	}
}

func (p *eslPBX) QueueAnswer(t testing.TB, memberID, agent string) {
	if _, err := p.fake.QueueAnswer(memberID, agent); err != nil {
		t.Fatal(err)
	}
}

func (p *eslPBX) QueueHangup(t testing.TB, memberID string) {
	u, ok := callers.Load(memberID)
	if !ok {
		t.Fatalf("no caller for queue member %s", memberID)
	}
	p.Hangup(t, u.(string))
}
