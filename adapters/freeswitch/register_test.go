package freeswitch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/config"
)

// The FreeSWITCH section of a config file, loaded the way `serve` loads it.

const sectionPW = "s3cret-ClueCon-pw"

const fsYAML = `
nodes:
  - id: fs1
    kind: freeswitch
    address: 10.0.0.5:8021
    password_env: FS1_PW
    command_timeout: 3s
    backoff_max: 1500ms
    media:
      hello: /usr/share/freeswitch/sounds/hello.wav
      beep: tone_stream://%(500,0,800)
`

func loadYAML(t *testing.T, body string, env map[string]string) (*config.Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.Load(p, func(k string) string { return env[k] })
}

func TestSectionDecodes(t *testing.T) {
	cfg, err := loadYAML(t, fsYAML, map[string]string{"FS1_PW": sectionPW, "CALLBOARD_NODE_FS1_ADDRESS": "127.0.0.1:8022"})
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Nodes[0].Spec.(Config)
	if c.Address != "127.0.0.1:8022" || c.CommandTimeout != 3*time.Second || c.BackoffMax != 1500*time.Millisecond ||
		c.Media["beep"] != "tone_stream://%(500,0,800)" || c.Password != "" {
		t.Fatalf("section not decoded (or the spec keeps the password): %+v", c)
	}
	node, err := cfg.Nodes[0].Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := node.(*Node); n.cfg.Password != sectionPW || n.cfg.BackoffMin != 200*time.Millisecond {
		t.Fatalf("built node config %+v", n.cfg)
	}
}

func TestSectionErrorsNameTheKey(t *testing.T) {
	node := func(extra string) string {
		return "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n" + extra
	}
	cases := []struct{ name, yaml, wantKey string }{
		{"unknown key", node("    adress: x\n"), "nodes[0].adress: unknown key"},
		{"bad address", "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: nohost\n    password_env: FS1_PW\n", "nodes[0].address"},
		{"bad port", "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: h:99999\n    password_env: FS1_PW\n", "nodes[0].address"},
		{"negative timeout", node("    command_timeout: -1s\n"), "nodes[0].command_timeout"},
		{"cap below min", node("    backoff_min: 3s\n    backoff_max: 1s\n"), "nodes[0].backoff_max"},
		{"bad subclass", node("    stt_subclasses: [nope]\n"), "nodes[0].stt_subclasses"},
		{"media with space", node("    media:\n      hello: /a b.wav\n"), "nodes[0].media.hello"},
		{"media relative path", node("    media:\n      hello: ../etc/passwd\n"), "nodes[0].media.hello"},
		{"media newline", node("    media:\n      hello: \"/a.wav\\nhupall\"\n"), "nodes[0].media.hello"},
		{"media bad name", node("    media:\n      'Hello World': /a.wav\n"), "nodes[0].media.Hello World"},
		{"asterisk key on freeswitch", node("    url: http://x/ari\n"), "nodes[0].url: unknown key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, tc.yaml, map[string]string{"FS1_PW": sectionPW})
			if err == nil || !strings.Contains(err.Error(), tc.wantKey) {
				t.Fatalf("err = %v, want one naming %s", err, tc.wantKey)
			}
			if strings.Contains(err.Error(), sectionPW) {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}

// TestSectionTranscriptRules: the transcripts key decodes into rules, each
// key checked strictly; configs without it still load.
func TestSectionTranscriptRules(t *testing.T) {
	cfg, err := loadYAML(t, fsYAML+`    transcripts:
      - event: callbot::reply
        format: json
        speaker: bot
        speaker_field: callbot-speaker
        speaker_values: {assistant: bot, user: caller}
`, map[string]string{"FS1_PW": sectionPW})
	if err != nil {
		t.Fatal(err)
	}
	rules := cfg.Nodes[0].Spec.(Config).Transcripts
	if len(rules) != 1 || rules[0].Event != "callbot::reply" || rules[0].Format != "json" || rules[0].Speaker != adapters.SpeakerBot ||
		rules[0].SpeakerField != "callbot-speaker" || rules[0].SpeakerValues["user"] != adapters.SpeakerCaller {
		t.Fatalf("rules = %+v", rules)
	}
	if _, err := loadYAML(t, fsYAML+"    transcripts:\n      - event: callbot::reply\n        speakr: bot\n", map[string]string{"FS1_PW": sectionPW}); err == nil ||
		!strings.Contains(err.Error(), "speakr") {
		t.Fatalf("a misspelt rule key loaded: %v", err)
	}
	if _, err := loadYAML(t, fsYAML+"    transcripts:\n      - event: callbot::reply\n        format: yaml\n", map[string]string{"FS1_PW": sectionPW}); err == nil {
		t.Fatal("an unknown rule format loaded")
	}
}
