package asterisk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/internal/config"
)

// The Asterisk section of a config file, loaded the way `serve` loads it.

const sectionPW = "s3cret-ClueCon-pw"

const asteriskYAML = `
nodes:
  - id: ast1
    kind: asterisk
    url: http://10.0.0.6:8088/ari
    username: callboard
    password_env: AST_PW
    application: callboard
    subscribe_all: false
    silence_ms: 1200
    talk_threshold: 300
    kick_hangup: true
    media:
      hello: sound:hello-world
      notice: recording:notice
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
	cfg, err := loadYAML(t, asteriskYAML, map[string]string{"AST_PW": sectionPW, "CALLBOARD_NODE_AST1_URL": "https://pbx.example:8089/ari"})
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Nodes[0].Spec.(Config)
	if c.URL != "https://pbx.example:8089/ari" || c.WebsocketURL != "wss://pbx.example:8089/ari/events" || c.Username != "callboard" ||
		c.SubscribeAll || c.TalkThresholds.Silence != 1200 || c.TalkThresholds.Talk != 300 || !c.KickHangup || c.Password != "" {
		t.Fatalf("asterisk section not decoded: %+v", c)
	}
	// subscribe_all defaults to true when the file does not say.
	cfg, err = loadYAML(t, strings.Replace(asteriskYAML, "    subscribe_all: false\n", "", 1), map[string]string{"AST_PW": sectionPW})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Nodes[0].Spec.(Config).SubscribeAll {
		t.Fatal("subscribe_all must default to true")
	}
	if _, err := cfg.Nodes[0].Build(nil); err != nil {
		t.Fatal(err)
	}
}

func TestSectionErrorsNameTheKey(t *testing.T) {
	bad := []struct{ name, from, to, key string }{
		{"no url", "    url: http://10.0.0.6:8088/ari\n", "", "nodes[0].url"},
		{"ws url as url", "http://10.0.0.6", "ws://10.0.0.6", "nodes[0].url"},
		{"credentials in url", "http://10.0.0.6", "http://u:" + sectionPW + "@10.0.0.6", "nodes[0].url"},
		{"no username", "    username: callboard\n", "", "nodes[0].username"},
		{"bad application", "application: callboard", "application: 'call board'", "nodes[0].application"},
		{"freeswitch media on asterisk", "sound:hello-world", "/var/lib/hello.wav", "nodes[0].media.hello"},
		{"media with query", "sound:hello-world", "sound:hello?x=1", "nodes[0].media.hello"},
		{"misspelt key", "kick_hangup", "kick_hangpu", "nodes[0].kick_hangpu: unknown key"},
		{"cap below min", "    kick_hangup: true\n", "    backoff_min: 3s\n    backoff_max: 1s\n", "nodes[0].backoff_max"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadYAML(t, strings.Replace(asteriskYAML, tc.from, tc.to, 1), map[string]string{"AST_PW": sectionPW})
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err = %v, want one naming %s", err, tc.key)
			}
			if strings.Contains(err.Error(), sectionPW) {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}

// TestSectionCallRules: transcript rules, the conference-bridge rule and the
// reconciliation interval are keys of the Asterisk section, checked strictly.
func TestSectionCallRules(t *testing.T) {
	env := map[string]string{"AST_PW": sectionPW}
	cfg, err := loadYAML(t, asteriskYAML+`    transcripts:
      - event: botreply
        format: json
        speaker: bot
    conference_bridges:
      names: ["conf-*"]
    reconcile_interval: 30s
`, env)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Nodes[0].Spec.(Config)
	if len(c.Transcripts) != 1 || c.Transcripts[0].Event != "botreply" || c.Transcripts[0].Speaker != "bot" ||
		len(c.ConferenceBridges.Names) != 1 || c.ConferenceBridges.Names[0] != "conf-*" || len(c.ConferenceBridges.Types) == 0 ||
		c.ReconcileInterval.Seconds() != 30 {
		t.Fatalf("call rules not decoded: %+v %+v %v", c.Transcripts, c.ConferenceBridges, c.ReconcileInterval)
	}
	for _, bad := range []string{
		"    conference_bridges:\n      names: [\"[\"]\n",
		"    conference_bridges:\n      nmes: [\"x\"]\n",
		"    transcripts:\n      - event: botreply\n        speaker: robot\n",
	} {
		if _, err := loadYAML(t, asteriskYAML+bad, env); err == nil {
			t.Errorf("loaded a bad section:\n%s", bad)
		}
	}
	if _, err := loadYAML(t, asteriskYAML, env); err != nil {
		t.Fatalf("a config without the new keys does not load: %v", err)
	} else if c := cfg.Nodes[0].Spec.(Config); c.ReconcileInterval <= 0 {
		t.Fatal("no default reconcile interval")
	}
}
