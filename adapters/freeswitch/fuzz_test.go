package freeswitch

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net/textproto"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/percipia/eslgo"

	"github.com/callboard/callboard/adapters"
)

// parsePlain parses a text/event-plain body as eslgo does, reporting failure
// instead of failing a test: fuzz inputs are mostly not valid frames.
func parsePlain(body []byte) (*eslgo.Event, bool) {
	br := bufio.NewReader(bytes.NewReader(body))
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && err != io.EOF {
		return nil, false
	}
	ev := &eslgo.Event{Headers: h}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil || n < 0 || n > 1<<20 {
			return nil, false
		}
		ev.Body = make([]byte, n)
		if _, err := io.ReadFull(br, ev.Body); err != nil {
			return nil, false
		}
	}
	return ev, true
}

// FuzzEventMapper feeds one mutated event into a mapper that has already seen
// the start of the real capture (so conferences, members and calls exist):
// whatever the bytes, it must not panic, and what it emits must be well formed.
func FuzzEventMapper(f *testing.F) {
	events := traceEvents(f, "events-plain-subset.raw")
	for _, ev := range events {
		var b bytes.Buffer
		for k, vs := range ev.Headers {
			for _, v := range vs {
				b.WriteString(k + ": " + v + "\n")
			}
		}
		if len(ev.Body) > 0 {
			b.WriteString("Content-Length: " + strconv.Itoa(len(ev.Body)) + "\n\n")
			b.Write(ev.Body)
		} else {
			b.WriteString("\n")
		}
		f.Add(b.Bytes())
	}
	prefix := events[:min(len(events), 60)]
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, ok := parsePlain(body)
		if !ok {
			return
		}
		mp := newMapper("fs1", effectiveRules(nil, DefaultSTTSubclasses), DefaultBotPromptVariable, quiet)
		for _, e := range prefix {
			mp.apply(e)
		}
		for _, out := range mp.apply(ev) {
			checkWellFormed(t, out)
		}
	})
}

func checkWellFormed(t *testing.T, e adapters.Event) {
	t.Helper()
	switch e := e.(type) {
	case adapters.CallUpdated:
		if e.Call.Node != "fs1" || e.Call.ID == "" {
			t.Fatalf("call without node or id: %+v", e.Call)
		}
	case adapters.MemberUpdated:
		if e.Member.Node != "fs1" || e.Member.Conference == "" || e.Member.ID == "" {
			t.Fatalf("member without node, conference or id: %+v", e.Member)
		}
	case adapters.ConferenceUpdated:
		if e.Conference.Node != "fs1" || e.Conference.Name == "" || e.Conference.MemberCount < 0 {
			t.Fatalf("bad conference: %+v", e.Conference)
		}
	case adapters.UtteranceAdded:
		if e.Utterance.CallID == "" || !utf8.ValidString(e.Utterance.Text) {
			t.Fatalf("bad utterance: %+v", e.Utterance)
		}
	}
}

// FuzzTranscriptParsers: any body, any known subclass: an error or a
// transcript with valid UTF-8 text, never a panic.
func FuzzTranscriptParsers(f *testing.F) {
	seeds := []string{
		`{"text":"안녕하세요","start":41120,"end":52480}`,
		`{"is_final":true,"alternatives":[{"transcript":"hello there","confidence":0.93}]}`,
		`{"is_final":false,"channel":{"alternatives":[{"transcript":"partial words"}]},"start":1.5,"duration":0.8}`,
		`{"RecognitionStatus":"Success","DisplayText":"Hi.","Offset":1000000,"Duration":5000000}`,
		`[{"is_final":true,"alternatives":[{"transcript":"he said "hi" twice"}]}]`,
		`{"text":`, ``, `null`, `[]`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	subclasses := append([]string{"mod_audio_fork::transcription", "jambonz_transcribe::transcription"}, DefaultSTTSubclasses...)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		sub := subclasses[int(which)%len(subclasses)]
		tr, err := parseTranscript(sub, body)
		if err != nil {
			return
		}
		if !utf8.ValidString(tr.text) {
			t.Fatalf("%s: invalid UTF-8 text %q from %q", sub, tr.text, body)
		}
	})
}
