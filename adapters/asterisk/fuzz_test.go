package asterisk

import (
	"bufio"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// FuzzEventMapper decodes mutated ARI event JSON (seeded with the real
// Asterisk 22 events) and applies it to a state that has already seen the
// whole real trace: never a panic, and only well-formed domain events.
func FuzzEventMapper(f *testing.F) {
	file, err := os.Open("arifake/testdata/trace-events.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	var prefix []ari.Event
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		f.Add(line)
		if ev, err := ari.DecodeEvent(line); err == nil {
			prefix = append(prefix, ev)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := ari.DecodeEvent(raw)
		if err != nil {
			return
		}
		st := newState("ast1")
		for _, e := range prefix {
			st.apply(e)
		}
		for _, out := range st.apply(ev).events {
			switch e := out.(type) {
			case adapters.CallUpdated:
				if e.Call.Node != "ast1" || e.Call.ID == "" {
					t.Fatalf("call without node or id: %+v", e.Call)
				}
			case adapters.MemberUpdated:
				if e.Member.Node != "ast1" || e.Member.Conference == "" || e.Member.ID == "" {
					t.Fatalf("member without node, conference or id: %+v", e.Member)
				}
				if validID(e.Member.Conference) != nil {
					t.Fatalf("conference name %q would be refused by the actions", e.Member.Conference)
				}
			case adapters.UtteranceAdded:
				if e.Utterance.CallID == "" || !utf8.ValidString(e.Utterance.Text) {
					t.Fatalf("bad utterance: %+v", e.Utterance)
				}
			}
		}
	})
}
