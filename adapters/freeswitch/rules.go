package freeswitch

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

// Transcript sources are rules (adapters.TranscriptRule): which CUSTOM
// subclass carries lines, how its body reads, and whose lines they are. A
// callbot that reports its own replies as its own subclass with a JSON body
// ({"text": ...}) and maybe a header naming the speaker is one rule with
// format "json" and speaker "bot"; before rules existed those lines were
// shown as the caller's.

// Transcript body formats.
const (
	FormatAuto     = "auto" // chosen by the subclass's module name, as before rules existed
	FormatBrainSTT = "brain_stt"
	FormatGoogle   = "google"
	FormatDeepgram = "deepgram"
	FormatAzure    = "azure"
	FormatAWS      = "aws"
	FormatJSON     = "json" // {"text", optional "final", "start"/"end" ms, any speaker field}
)

var (
	transcriptFormats   = []string{FormatAuto, FormatBrainSTT, FormatGoogle, FormatDeepgram, FormatAzure, FormatAWS, FormatJSON}
	knownSpeakers       = []adapters.Speaker{adapters.SpeakerCaller, adapters.SpeakerBot, adapters.SpeakerAgent}
	speakerFieldPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// effectiveRules is the node's rule list: the configured rules first (the
// first rule whose subclass matches wins), then each STT subclass (default
// DefaultSTTSubclasses) as a caller-side auto-format rule, today's behaviour.
func effectiveRules(rules []adapters.TranscriptRule, sttSubclasses []string) []adapters.TranscriptRule {
	out := make([]adapters.TranscriptRule, 0, len(rules)+len(sttSubclasses))
	for _, r := range rules {
		if r.Format == "" {
			r.Format = FormatAuto
		}
		if r.Speaker == "" {
			r.Speaker = adapters.SpeakerCaller
		}
		out = append(out, r)
	}
	for _, s := range sttSubclasses {
		if !slices.ContainsFunc(out, func(r adapters.TranscriptRule) bool { return r.Event == s }) {
			out = append(out, adapters.TranscriptRule{Event: s, Format: FormatAuto, Speaker: adapters.SpeakerCaller})
		}
	}
	return out
}

// validateRules checks defaulted rules; each error names the rule.
func validateRules(rules []adapters.TranscriptRule) error {
	var errs []error
	for i, r := range rules {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("freeswitch config Transcripts[%d]: %s", i, fmt.Sprintf(format, args...)))
		}
		if !subclassPattern.MatchString(r.Event) {
			bad("event %q must be a CUSTOM subclass like module::event", r.Event)
		}
		if !slices.Contains(transcriptFormats, r.Format) {
			bad("format %q must be one of %s", r.Format, strings.Join(transcriptFormats, ", "))
		}
		if !slices.Contains(knownSpeakers, r.Speaker) {
			bad("speaker %q must be caller, bot or agent", r.Speaker)
		}
		if r.SpeakerField != "" && !speakerFieldPattern.MatchString(r.SpeakerField) {
			bad("speaker_field %q must match %s", r.SpeakerField, speakerFieldPattern)
		}
		if len(r.SpeakerValues) > 0 && r.SpeakerField == "" {
			bad("speaker_values without speaker_field")
		}
		for v, sp := range r.SpeakerValues {
			if !slices.Contains(knownSpeakers, sp) {
				bad("speaker_values[%q] = %q must be caller, bot or agent", v, sp)
			}
		}
	}
	return errors.Join(errs...)
}

// ruleFor is the first rule for a subclass, or nil.
func ruleFor(rules []adapters.TranscriptRule, subclass string) *adapters.TranscriptRule {
	for i := range rules {
		if rules[i].Event == subclass {
			return &rules[i]
		}
	}
	return nil
}

// parseRuleBody reads a body in the rule's format.
func parseRuleBody(r *adapters.TranscriptRule, body []byte) (transcript, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return transcript{}, errEmptyBody
	}
	var t transcript
	var err error
	switch r.Format {
	case FormatBrainSTT:
		t, err = parseBrain(body)
	case FormatGoogle:
		t, err = parseAlternatives(body, "google")
	case FormatDeepgram:
		t, err = parseDeepgram(body)
	case FormatAzure:
		t, err = parseAzure(body)
	case FormatAWS:
		t, err = parseAWS(body)
	case FormatJSON:
		t, err = parseJSONLine(body)
	default:
		return parseTranscript(r.Event, body)
	}
	t.text = strings.ToValidUTF8(t.text, "\uFFFD")
	return t, err
}

// parseJSONLine: a JSON object with "text"; "final" defaults to true (a bot
// reports what it said), "start"/"end" are milliseconds.
func parseJSONLine(body []byte) (transcript, error) {
	var b struct {
		Text  *string  `json:"text"`
		Final *bool    `json:"final"`
		Start *float64 `json:"start"`
		End   *float64 `json:"end"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return transcript{}, fmt.Errorf("json body: %w", err)
	}
	if b.Text == nil {
		return transcript{}, errors.New(`json body: no "text"`)
	}
	t := transcript{text: strings.TrimSpace(*b.Text), final: b.Final == nil || *b.Final}
	if b.Start != nil {
		t.startMs = int64(math.Round(*b.Start))
	}
	if b.End != nil {
		t.endMs = int64(math.Round(*b.End))
	}
	return t, nil
}

// speakerOf is who said the line: the rule's speaker field, looked up as an
// event header, then as a channel variable, then (JSON bodies) as a body
// field, mapped through SpeakerValues or read as a speaker name; else the
// rule's speaker.
func speakerOf(r *adapters.TranscriptRule, ev *eslgo.Event) adapters.Speaker {
	if r.SpeakerField == "" {
		return r.Speaker
	}
	v := header(ev, r.SpeakerField)
	if v == "" {
		v = header(ev, "variable_"+r.SpeakerField)
	}
	if v == "" {
		var fields map[string]any
		if json.Unmarshal(ev.Body, &fields) == nil {
			v, _ = fields[r.SpeakerField].(string)
		}
	}
	if sp, ok := r.SpeakerValues[v]; ok {
		return sp
	}
	if sp := adapters.Speaker(strings.ToLower(strings.TrimSpace(v))); slices.Contains(knownSpeakers, sp) {
		return sp
	}
	return r.Speaker
}
