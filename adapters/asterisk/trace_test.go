package asterisk

import (
	"bufio"
	"os"
	"testing"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// TestMappingFromRealTrace feeds events captured from Asterisk 22.10.1
// (arifake/testdata, copied from shared/traces/asterisk-ari) through the mapping.
func TestMappingFromRealTrace(t *testing.T) {
	f, err := os.Open("arifake/testdata/trace-events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st := newState("ast1")
	var got []adapters.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		ev, err := ari.DecodeEvent(sc.Bytes())
		if err != nil {
			t.Fatalf("decode %s: %v", sc.Text()[:60], err)
		}
		got = append(got, st.apply(ev).events...)
	}
	var joined, talking, utter, prompt, confEnded bool
	for _, e := range got {
		switch e := e.(type) {
		case adapters.MemberUpdated:
			m := e.Member
			if m.Conference == "room1001" && m.ID == "1795348304.0" && m.CallerName == "Alice Example" {
				joined = true
			}
			if m.Talking {
				talking = true
			}
		case adapters.UtteranceAdded:
			u := e.Utterance
			if u.Vendor == "ari-playback" {
				prompt = u.Text == "[prompt] dash-hello" && u.CallID == "1795348304.2"
			} else {
				// The trace's "final":"true" is a string; without channel no line.
				utter = u.Text == "hello from alice" && u.Final && u.Speaker == adapters.SpeakerCaller && u.CallID != ""
			}
		case adapters.ConferenceEnded:
			confEnded = e.Name == "room1001"
		}
	}
	for name, ok := range map[string]bool{"member joined": joined, "utterance": utter, "prompt": prompt, "conference ended": confEnded} {
		if !ok {
			t.Errorf("trace did not produce %s; events: %+v", name, got)
		}
	}
	// The trace's talking channel never entered the bridge in these excerpts,
	// so it must not be shown talking as a member.
	if talking {
		t.Error("talking event for a non-member produced a talking member")
	}
}
