package freeswitch

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

func seqEvent(seq uint64) *eslgo.Event {
	return &eslgo.Event{Headers: map[string][]string{"Event-Sequence": {strconv.FormatUint(seq, 10)}}}
}

func seqs(evs []*eslgo.Event) []uint64 {
	out := []uint64{}
	for _, ev := range evs {
		s, _ := eventSeq(ev)
		out = append(out, s)
	}
	return out
}

func TestReorderBuffer(t *testing.T) {
	hold := 20 * time.Millisecond
	t0 := time.Unix(1000, 0)
	b := reorderBuffer{hold: hold}
	for _, s := range []uint64{5, 3, 4} {
		b.add(seqEvent(s), s, t0)
	}
	if got := seqs(b.release(t0.Add(hold - time.Millisecond))); len(got) != 0 {
		t.Fatalf("released %v before the window closed", got)
	}
	if d, ok := b.deadline(); !ok || !d.Equal(t0.Add(hold)) {
		t.Fatalf("deadline = %v %v", d, ok)
	}
	if got := seqs(b.release(t0.Add(hold))); !reflect.DeepEqual(got, []uint64{3, 4, 5}) {
		t.Fatalf("released %v, want [3 4 5]", got)
	}
	// A gap (7 without 6) waits; the missing 6 releases both at once.
	t1 := t0.Add(time.Second)
	b.add(seqEvent(7), 7, t1)
	if got := seqs(b.release(t1)); len(got) != 0 {
		t.Fatalf("released %v across a gap", got)
	}
	b.add(seqEvent(6), 6, t1)
	if got := seqs(b.release(t1)); !reflect.DeepEqual(got, []uint64{6, 7}) {
		t.Fatalf("released %v, want [6 7]", got)
	}
	// A gap that never fills (filtered subscription) opens after the window.
	b.add(seqEvent(10), 10, t1)
	if got := seqs(b.release(t1.Add(hold))); !reflect.DeepEqual(got, []uint64{10}) {
		t.Fatalf("released %v, want [10]", got)
	}
	// Next expected goes without waiting; a late one goes at once too.
	b.add(seqEvent(11), 11, t1)
	b.add(seqEvent(2), 2, t1)
	if got := seqs(b.release(t1)); !reflect.DeepEqual(got, []uint64{2, 11}) {
		t.Fatalf("released %v, want [2 11]", got)
	}
}

// memberEvents returns Carol's add-member and del-member from the trace.
func memberJoinLeave(t *testing.T) (join, leave *eslgo.Event, prefix []*eslgo.Event) {
	for _, ev := range traceEvents(t, "events-plain-subset.raw") {
		if ev.GetHeader("Member-ID") != "3" {
			if join == nil {
				prefix = append(prefix, ev)
			}
			continue
		}
		switch ev.GetHeader("Action") {
		case "add-member":
			join = ev
		case "del-member":
			leave = ev
		}
	}
	if join == nil || leave == nil {
		t.Fatal("trace lacks Carol's add/del-member")
	}
	return join, leave, prefix
}

func hasMember(p *mapper, id string) bool {
	for _, m := range p.m.snapshot().Members {
		if m.ID == id {
			return true
		}
	}
	return false
}

// The join and the leave are handed over reversed, as eslgo's goroutines
// may; the stream puts them back in order and no phantom member remains.
func TestReorderedJoinLeaveLeavesNoPhantom(t *testing.T) {
	join, leave, _ := memberJoinLeave(t)
	t.Run("through the ordered stream", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newOrderedStream(15*time.Millisecond, defaultMaxBacklog)
		go s.run(ctx)
		s.push(leave)
		s.push(join)
		p := newTestMapper()
		var got []adapters.Event
		for range 2 {
			select {
			case ev := <-s.out:
				got = append(got, p.apply(ev)...)
			case <-time.After(2 * time.Second):
				t.Fatal("stream released nothing")
			}
		}
		if hasMember(p, "3") {
			t.Fatal("phantom member 3 after join+leave")
		}
		var kinds []string
		for _, e := range got {
			kinds = append(kinds, reflect.TypeOf(e).Name())
		}
		if !reflect.DeepEqual(kinds, []string{"ConferenceUpdated", "MemberUpdated", "MemberLeft"}) {
			t.Fatalf("emitted %v", kinds)
		}
	})
	t.Run("late join after its leave is dropped by the model", func(t *testing.T) {
		p := newTestMapper()
		p.apply(leave)
		p.apply(join)
		if hasMember(p, "3") {
			t.Fatal("phantom member 3 from a late join")
		}
	})
}

// Every event of the full capture, pushed from one goroutine each like eslgo
// does, comes out in the order FreeSWITCH sent it: the model emits exactly
// what an in-order feed emits.
//
// With the wire order announced (as the socket scanner does in production)
// the result must not depend on timing at all; without it, the hold window
// must cover how late a goroutine can be, so the test uses a generous one
// (a loaded 2-core CI machine can delay a goroutine by tens of ms).
func TestShuffledDeliveryMatchesInOrder(t *testing.T) {
	for _, announced := range []bool{true, false} {
		t.Run(fmt.Sprintf("announced=%v", announced), func(t *testing.T) {
			shuffledDeliveryMatchesInOrder(t, announced)
		})
	}
}

func shuffledDeliveryMatchesInOrder(t *testing.T, announced bool) {
	evs := traceEvents(t, "events-plain.raw")
	want := withoutUtterances(feed(newTestMapper(), evs, nil))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hold := time.Second
	if announced {
		hold = 10 * time.Second // only bounds waiting for an event that never comes
	}
	s := newOrderedStream(hold, defaultMaxBacklog)
	if announced {
		var seqs []uint64
		for _, ev := range evs {
			if seq, ok := eventSeq(ev); ok {
				seqs = append(seqs, seq)
			}
		}
		s.announce(seqs)
	}
	go s.run(ctx)
	for _, ev := range evs {
		go s.push(ev)
	}
	p := newTestMapper()
	var got []adapters.Event
	for range evs {
		select {
		case ev := <-s.out:
			got = append(got, p.apply(ev)...)
		case <-time.After(5 * time.Second):
			t.Fatal("stream stalled")
		}
	}
	got = withoutUtterances(got)
	if len(got) != len(want) {
		t.Fatalf("emitted %d events, in-order feed %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("event %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}

// Utterances from the seq-less sendevent may move; they change no state.
func withoutUtterances(evs []adapters.Event) []adapters.Event {
	var out []adapters.Event
	for _, e := range evs {
		if _, ok := e.(adapters.UtteranceAdded); !ok {
			out = append(out, e)
		}
	}
	return out
}
