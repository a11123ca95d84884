package freeswitch

import (
	"net/url"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

func TestParseTranscript(t *testing.T) {
	tests := []struct {
		name, subclass, body string
		want                 transcript
		wantErr              bool
	}{
		{"brain real body", "brain_stt::transcription", `{"text":"안녕하세요","start":41120,"end":52480}`,
			transcript{text: "안녕하세요", final: true, startMs: 41120, endMs: 52480, vendor: "brain"}, false},
		{"brain without offsets", "brain_stt::transcription", `{"text":"hello"}`,
			transcript{text: "hello", final: true, vendor: "brain"}, false},
		{"brain without text", "brain_stt::transcription", `{"start":1}`, transcript{}, true},
		{"brain truncated", "brain_stt::transcription", `{"text":"안녕`, transcript{}, true},
		{"brain wrong type", "brain_stt::transcription", `{"text":42}`, transcript{}, true},
		{"empty body", "brain_stt::transcription", ``, transcript{}, true},
		{"google final", "google_transcribe::transcription",
			`{"stability":0,"is_final":true,"alternatives":[{"confidence":0.92,"transcript":"book a table"}],"language_code":"en-US"}`,
			transcript{text: "book a table", final: true, vendor: "google"}, false},
		{"google interim in a list", "google_transcribe::transcription",
			`[{"is_final":false,"alternatives":[{"transcript":"book a"}]}]`,
			transcript{text: "book a", vendor: "google"}, false},
		{"google garbage", "google_transcribe::transcription", `not json`, transcript{}, true},
		{"google unrelated json", "google_transcribe::transcription", `{"foo":1}`, transcript{}, true},
		{"deepgram final", "deepgram_transcribe::transcription",
			`{"type":"Results","channel_index":[0,1],"duration":1.5,"start":2.25,"is_final":true,"speech_final":true,"channel":{"alternatives":[{"transcript":"こんにちは","confidence":0.98,"words":[]}]}}`,
			transcript{text: "こんにちは", final: true, startMs: 2250, endMs: 3750, vendor: "deepgram"}, false},
		{"deepgram empty interim", "deepgram_transcribe::transcription",
			`{"is_final":false,"start":0,"duration":0.5,"channel":{"alternatives":[{"transcript":""}]}}`,
			transcript{vendor: "deepgram", endMs: 500}, false},
		{"deepgram without channel", "deepgram_transcribe::transcription", `{"is_final":true}`, transcript{}, true},
		{"azure final", "azure_transcribe::transcription",
			`{"Id":"x","RecognitionStatus":"Success","Offset":12000000,"Duration":5000000,"DisplayText":"Привет, мир."}`,
			transcript{text: "Привет, мир.", final: true, startMs: 1200, endMs: 1700, vendor: "azure"}, false},
		{"azure interim", "azure_transcribe::transcription", `{"Text":"hello wor","Offset":0,"Duration":100}`,
			transcript{text: "hello wor", vendor: "azure"}, false},
		{"azure no match", "azure_transcribe::transcription", `{"RecognitionStatus":"NoMatch","Offset":0}`,
			transcript{final: true, vendor: "azure"}, false},
		{"aws valid json", "aws_transcribe::transcription",
			`[{"is_final":true,"alternatives":[{"transcript":"你好"}]}]`,
			transcript{text: "你好", final: true, vendor: "aws"}, false},
		{"aws unescaped quote", "aws_transcribe::transcription",
			`[{"is_final":true,"alternatives":[{"transcript":"he said "yes" twice"}]}]`,
			transcript{text: `he said "yes" twice`, final: true, vendor: "aws"}, false},
		{"aws garbage", "aws_transcribe::transcription", `[{"oops`, transcript{}, true},
		{"unknown module, brain shape", "acme_stt::transcription", `{"text":"hi"}`,
			transcript{text: "hi", final: true, vendor: "acme"}, false},
		{"unknown module, garbage", "acme_stt::transcription", `<xml/>`, transcript{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTranscript(tt.subclass, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func customEvent(subclass, uuid string, headers map[string]string, body string) *eslgo.Event {
	h := map[string][]string{"Event-Name": {"CUSTOM"}, "Event-Subclass": {subclass}, "Event-Sequence": {"100"},
		"Event-Date-Timestamp": {"1795348882392451"}}
	if uuid != "" {
		h["Unique-Id"] = []string{uuid}
	}
	for k, v := range headers {
		h[k] = []string{v}
	}
	return &eslgo.Event{Headers: h, Body: []byte(body)}
}

func TestMalformedTranscriptIsSkipped(t *testing.T) {
	p := newTestMapper()
	if out := p.apply(customEvent("google_transcribe::transcription", aliceB, nil, `{"alternatives":[{"transcript":"ok`)); len(out) != 0 {
		t.Fatalf("malformed body emitted %+v", out)
	}
	out := p.apply(customEvent("google_transcribe::transcription", aliceB, nil, `{"is_final":true,"alternatives":[{"transcript":"ok"}]}`))
	if len(out) != 1 || out[0].(adapters.UtteranceAdded).Utterance.Text != "ok" {
		t.Fatalf("next good body: %+v", out)
	}
	// A subclass that is not configured is not a transcript.
	if out := p.apply(customEvent("other::thing", aliceB, nil, `{"text":"x"}`)); len(out) != 0 {
		t.Fatalf("unconfigured subclass emitted %+v", out)
	}
}

func TestBotPrompts(t *testing.T) {
	exec := func(app, data string, vars map[string]string) *eslgo.Event {
		h := map[string][]string{"Event-Name": {"CHANNEL_EXECUTE"}, "Unique-Id": {daveA}, "Application": {app},
			"Application-Data": {url.PathEscape(data)}, "Event-Date-Timestamp": {"1795348882392451"}}
		for k, v := range vars {
			h[k] = []string{v}
		}
		return &eslgo.Event{Headers: h}
	}
	tests := []struct {
		name string
		ev   *eslgo.Event
		want string // "" = no utterance
	}{
		{"speak takes the last field", exec("speak", "flite|kal|Your table is booked.", nil), "Your table is booked."},
		{"speak without engine", exec("speak", "Hello", nil), "Hello"},
		{"playback with prompt variable", exec("playback", "/prompts/greet.wav",
			map[string]string{"Variable_callbot_prompt_text": "%EC%95%88%EB%85%95%ED%95%98%EC%84%B8%EC%9A%94"}), "안녕하세요"},
		{"playback without prompt variable", exec("playback", "/prompts/greet.wav", nil), ""},
		{"tone stream is not a prompt", exec("playback", "tone_stream://%(1000,0,440)",
			map[string]string{"Variable_callbot_prompt_text": "x"}), ""},
		{"silence is not a prompt", exec("playback", "silence_stream://500", nil), ""},
		{"other application", exec("park", "", nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newTestMapper().apply(tt.ev)
			if tt.want == "" {
				if len(out) != 0 {
					t.Fatalf("emitted %+v", out)
				}
				return
			}
			if len(out) != 1 {
				t.Fatalf("emitted %+v", out)
			}
			u := out[0].(adapters.UtteranceAdded).Utterance
			if u.Text != tt.want || u.Speaker != adapters.SpeakerBot || !u.Final || u.CallID != daveA || u.At.IsZero() {
				t.Fatalf("utterance %+v", u)
			}
		})
	}
}
