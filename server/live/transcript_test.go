package live

import (
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

func utt(callID string, sp adapters.Speaker, text string, final bool) adapters.Event {
	return adapters.UtteranceAdded{Utterance: adapters.Utterance{Node: "fs1", CallID: callID, Speaker: sp, Text: text, Final: final, At: t0}}
}

func lineTexts(t *testing.T, s *State, key string) []string {
	t.Helper()
	lines, ok := (&View{s: s}).Transcript(key)
	if !ok {
		t.Fatalf("no transcript for %s", key)
	}
	var out []string
	for _, l := range lines {
		out = append(out, l.ID+":"+string(l.Speaker)+":"+l.Text)
	}
	return out
}

func TestUtterancesReplacePartialsInPlace(t *testing.T) {
	rec := &recorder{}
	s := New(Options{Sink: rec})
	s.Apply(adapters.CallUpdated{Call: call("fs1", "c", "active")})
	for _, ev := range []adapters.Event{
		utt("c", adapters.SpeakerCaller, "hel", false),
		utt("c", adapters.SpeakerBot, "Welcome", true),
		utt("c", adapters.SpeakerCaller, "hello the", false),
		utt("c", adapters.SpeakerCaller, "hello there", true),
		utt("c", adapters.SpeakerCaller, "I need", false),
	} {
		s.Apply(ev)
	}
	want := []string{"1:caller:hello there", "2:bot:Welcome", "3:caller:I need"}
	if got := lineTexts(t, s, "fs1/c"); !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	wantOps := []string{"upsert call fs1/c", "upsert utterance fs1/c/1", "upsert utterance fs1/c/2",
		"upsert utterance fs1/c/1", "upsert utterance fs1/c/1", "upsert utterance fs1/c/3"}
	if got := rec.ops(); !slices.Equal(got, wantOps) {
		t.Fatalf("ops %q, want %q", got, wantOps)
	}
	if rec.changes[1].Call != "fs1/c" {
		t.Fatalf("utterance change carries call %q", rec.changes[1].Call)
	}
}

func TestTranscriptLinesAreBounded(t *testing.T) {
	s := New(Options{MaxLines: 3})
	s.Apply(adapters.CallUpdated{Call: call("fs1", "c", "active")})
	s.Apply(utt("c", adapters.SpeakerCaller, "partial", false)) // line 1 stays open while it is dropped
	for _, w := range []string{"a", "b", "c"} {
		s.Apply(utt("c", adapters.SpeakerBot, w, true))
	}
	s.Apply(utt("c", adapters.SpeakerCaller, "new", false))
	want := []string{"3:bot:b", "4:bot:c", "5:caller:new"}
	if got := lineTexts(t, s, "fs1/c"); !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
}

func TestEndedTranscriptsAreRetainedBounded(t *testing.T) {
	now := t0
	s := New(Options{RetainCalls: 2, RetainEnded: time.Minute, Now: func() time.Time { return now }})
	for _, id := range []string{"a", "b", "c"} {
		s.Apply(adapters.CallUpdated{Call: call("fs1", id, "active")})
		s.Apply(utt(id, adapters.SpeakerCaller, "hi "+id, true))
	}
	view := &View{s: s}
	for _, id := range []string{"a", "b", "c"} {
		s.Apply(adapters.CallEnded{Node: "fs1", CallID: id})
	}
	if _, ok := view.Transcript("fs1/a"); ok {
		t.Fatal("oldest ended transcript kept beyond RetainCalls")
	}
	if got := lineTexts(t, s, "fs1/c"); !slices.Equal(got, []string{"1:caller:hi c"}) {
		t.Fatalf("ended call transcript %q", got)
	}
	// A call that comes back is live again and no longer expires.
	s.Apply(adapters.CallUpdated{Call: call("fs1", "b", "active")})
	now = now.Add(2 * time.Minute)
	s.Apply(adapters.CallUpdated{Call: call("fs1", "x", "active")}) // any event triggers expiry
	if _, ok := view.Transcript("fs1/c"); ok {
		t.Fatal("ended transcript kept beyond RetainEnded")
	}
	if got := lineTexts(t, s, "fs1/b"); len(got) != 1 {
		t.Fatalf("live call lost its transcript: %q", got)
	}
	if _, ok := view.Transcript("fs1/x"); !ok {
		t.Fatal("a live call without lines must have an (empty) transcript")
	}
	if _, ok := view.Transcript("fs1/none"); ok {
		t.Fatal("unknown call reported a transcript")
	}
}
