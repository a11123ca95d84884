package freeswitch

import (
	"net/textproto"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

func TestTranscriptRulesValidation(t *testing.T) {
	good := effectiveRules([]adapters.TranscriptRule{{Event: "callbot::reply", Format: "json", Speaker: "bot", SpeakerField: "callbot-speaker"}}, DefaultSTTSubclasses)
	if err := validateRules(good); err != nil {
		t.Fatal(err)
	}
	if len(good) != 1+len(DefaultSTTSubclasses) || good[1].Event != DefaultSTTSubclasses[0] || good[1].Speaker != adapters.SpeakerCaller || good[1].Format != FormatAuto {
		t.Errorf("STT subclasses are not kept as caller auto rules after the configured ones: %+v", good)
	}
	for _, bad := range []adapters.TranscriptRule{
		{Event: "callbot reply", Format: "json", Speaker: "bot"},
		{Event: "callbot::reply", Format: "xml", Speaker: "bot"},
		{Event: "callbot::reply", Format: "json", Speaker: "robot"},
		{Event: "callbot::reply", Format: "json", Speaker: "bot", SpeakerField: "a b"},
		{Event: "callbot::reply", Format: "json", Speaker: "bot", SpeakerValues: map[string]adapters.Speaker{"x": "bot"}},
		{Event: "callbot::reply", Format: "json", Speaker: "bot", SpeakerField: "s", SpeakerValues: map[string]adapters.Speaker{"x": "nobody"}},
	} {
		if err := validateRules(effectiveRules([]adapters.TranscriptRule{bad}, nil)); err == nil {
			t.Errorf("rule %+v accepted", bad)
		}
	}
}

func TestSpeakerFromHeaderVariableOrBody(t *testing.T) {
	r := &adapters.TranscriptRule{Event: "callbot::reply", Format: "json", Speaker: "bot", SpeakerField: "who",
		SpeakerValues: map[string]adapters.Speaker{"user": adapters.SpeakerCaller}}
	ev := func(h map[string]string, body string) *eslgo.Event {
		e := &eslgo.Event{Headers: textproto.MIMEHeader{}, Body: []byte(body)}
		for k, v := range h {
			e.Headers.Set(k, v)
		}
		return e
	}
	cases := []struct {
		e    *eslgo.Event
		want adapters.Speaker
	}{
		{ev(nil, `{"text":"hi"}`), adapters.SpeakerBot},                            // nothing names one: the rule's
		{ev(map[string]string{"who": "user"}, `{"text":"hi"}`), "caller"},          // header, mapped
		{ev(map[string]string{"variable_who": "agent"}, `{"text":"hi"}`), "agent"}, // channel variable, a speaker name
		{ev(nil, `{"text":"hi","who":"user"}`), "caller"},                          // JSON body field
		{ev(map[string]string{"who": "martian"}, `{"text":"hi"}`), "bot"},          // unknown value: the rule's
	}
	for i, c := range cases {
		if got := speakerOf(r, c.e); got != c.want {
			t.Errorf("case %d: speaker %q, want %q", i, got, c.want)
		}
	}
	if tr, err := parseRuleBody(r, []byte(`{"text":" 네, 바꿔 드릴게요 "}`)); err != nil || tr.text != "네, 바꿔 드릴게요" || !tr.final {
		t.Errorf("json body = %+v, %v", tr, err)
	}
}
