package config

import (
	"testing"

	"github.com/callboard/callboard/adapters"
)

// TestFreeSWITCHTranscriptRules: the transcripts key decodes into rules
// (validated later by the adapter); configs without it still load.
func TestFreeSWITCHTranscriptRules(t *testing.T) {
	p := writeFile(t, "c.yaml", goodYAML+`    transcripts:
      - event: callbot::reply
        format: json
        speaker: bot
        speaker_field: callbot-speaker
        speaker_values: {assistant: bot, user: caller}
`)
	cfg, err := Load(p, env(map[string]string{"FS1_PW": secretPW}))
	if err != nil {
		t.Fatal(err)
	}
	rules := cfg.Nodes[0].Transcripts
	if len(rules) != 1 || rules[0].Event != "callbot::reply" || rules[0].Format != "json" || rules[0].Speaker != adapters.SpeakerBot ||
		rules[0].SpeakerField != "callbot-speaker" || rules[0].SpeakerValues["user"] != adapters.SpeakerCaller {
		t.Fatalf("rules = %+v", rules)
	}
}
