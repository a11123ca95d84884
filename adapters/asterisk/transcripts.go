package asterisk

import (
	"fmt"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// DefaultTranscripts is what the adapter understood before rules existed:
// ChannelUserevent named event (Config.UserEventName, default
// "transcription") whose variable "speaker" names the speaker (caller when
// absent or unknown).
func DefaultTranscripts(event string) []adapters.TranscriptRule {
	return []adapters.TranscriptRule{{Event: event, Format: "auto", Speaker: adapters.SpeakerCaller, SpeakerField: "speaker"}}
}

// checkTranscripts validates the rules. On ARI every rule reads the user
// event's variables: text, final, start_ms, end_ms, vendor, and the
// speaker from SpeakerField; Format may be "auto" or "json" (the same
// reading: ARI user event variables are already a JSON object).
func checkTranscripts(rules []adapters.TranscriptRule) error {
	for i, r := range rules {
		if err := validID(r.Event); err != nil {
			return fmt.Errorf("transcripts[%d].event: %w", i, err)
		}
		switch r.Format {
		case "", "auto", "json":
		default:
			return fmt.Errorf("transcripts[%d].format %q: ARI user events are read as variables (auto or json): %w", i, r.Format, adapters.ErrInvalid)
		}
		if r.Speaker != "" {
			if _, ok := speaker(string(r.Speaker)); !ok {
				return fmt.Errorf("transcripts[%d].speaker %q: %w", i, r.Speaker, adapters.ErrInvalid)
			}
		}
	}
	return nil
}

// rule returns the first transcript rule for a user event name.
func (s *state) transcriptRule(event string) (adapters.TranscriptRule, bool) {
	for _, r := range s.rules {
		if r.Event == event {
			return r, true
		}
	}
	return adapters.TranscriptRule{}, false
}

// ruleSpeaker is who said a line under rule r.
func ruleSpeaker(r adapters.TranscriptRule, vars map[string]any) adapters.Speaker {
	if r.SpeakerField != "" {
		if v, ok := vars[r.SpeakerField]; ok {
			if str, _ := v.(string); str != "" {
				if sp, ok := r.SpeakerValues[str]; ok {
					return sp
				}
			}
			if sp, ok := speaker(v); ok {
				return sp
			}
		}
	}
	if r.Speaker != "" {
		return r.Speaker
	}
	return adapters.SpeakerCaller
}

// utterance maps a user event matched by a transcript rule.
func (s *state) utterance(e *ari.ChannelUserevent) []adapters.Event {
	r, ok := s.transcriptRule(e.Eventname)
	if !ok {
		return nil
	}
	vars, _ := e.Userevent.(map[string]any)
	text, _ := vars["text"].(string)
	if e.Channel.ID == "" || strings.TrimSpace(text) == "" {
		return nil
	}
	callID := e.Channel.ID
	if c := s.channels[callID]; c != nil {
		callID = c.callID
	}
	u := adapters.Utterance{
		Node: s.node, CallID: callID, Speaker: ruleSpeaker(r, vars), Text: text,
		Final: truthy(vars["final"], true), At: time.Time(e.Timestamp),
	}
	u.Vendor, _ = vars["vendor"].(string)
	u.StartMs, u.EndMs = number(vars["start_ms"]), number(vars["end_ms"])
	return []adapters.Event{adapters.UtteranceAdded{Utterance: u}}
}

// speaker reads a speaker name; ok is false for anything else.
func speaker(v any) (adapters.Speaker, bool) {
	switch s, _ := v.(string); adapters.Speaker(strings.ToLower(s)) {
	case adapters.SpeakerBot:
		return adapters.SpeakerBot, true
	case adapters.SpeakerAgent:
		return adapters.SpeakerAgent, true
	case adapters.SpeakerCaller:
		return adapters.SpeakerCaller, true
	}
	return "", false
}

// truthy reads a flag that arrives as a JSON bool or, from query-string
// senders, as a string (the trace has "final":"true").
func truthy(v any, def bool) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		switch strings.ToLower(t) {
		case "true", "1", "yes":
			return true
		case "false", "0", "no":
			return false
		}
	case float64:
		return t != 0
	}
	return def
}

func number(v any) int64 {
	switch t := v.(type) {
	case float64:
		return int64(t)
	case string:
		var n int64
		if _, err := fmt.Sscan(t, &n); err == nil {
			return n
		}
	}
	return 0
}

// prompt turns a channel playback into a bot transcript line, once per id.
func (s *state) prompt(p *ari.PlaybackData, at time.Time) []adapters.Event {
	chID, ok := strings.CutPrefix(p.TargetURI, "channel:")
	if !ok || s.playbacks[p.ID] {
		return nil
	}
	if len(s.playbacks) > 10000 {
		clear(s.playbacks) // only duplicates arriving together matter
	}
	s.playbacks[p.ID] = true
	callID := chID
	if c := s.channels[chID]; c != nil {
		callID = c.callID
	}
	media := p.MediaURI
	if _, name, ok := strings.Cut(media, ":"); ok {
		media = name
	}
	return []adapters.Event{adapters.UtteranceAdded{Utterance: adapters.Utterance{
		Node: s.node, CallID: callID, Speaker: adapters.SpeakerBot, Text: "[prompt] " + media, Final: true, Vendor: "ari-playback", At: at,
	}}}
}
