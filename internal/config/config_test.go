package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const secretPW = "s3cret-ClueCon-pw"

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodYAML = `
listen: 127.0.0.1:9090
allowed_origins: [https://callboard.example]
nodes:
  - id: fs1
    kind: freeswitch
    address: 10.0.0.5:8021
    password_env: FS1_PW
    command_timeout: 3s
    media:
      hello: /usr/share/freeswitch/sounds/hello.wav
      beep: tone_stream://%(500,0,800)
`

func TestLoadGood(t *testing.T) {
	p := writeFile(t, "c.yaml", goodYAML)
	cfg, err := Load(p, env(map[string]string{"FS1_PW": secretPW}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9090" || len(cfg.Nodes) != 1 {
		t.Fatalf("unexpected config: %+v", cfg)
	}
	n := cfg.Nodes[0]
	if n.Password.Reveal() != secretPW || n.CommandTimeout != 3*time.Second || n.Media["beep"] != "tone_stream://%(500,0,800)" {
		t.Fatalf("node not decoded: %+v", n)
	}
	if cfg.LogLevel != "info" || cfg.LogFormat != "text" {
		t.Fatalf("defaults not applied: %q %q", cfg.LogLevel, cfg.LogFormat)
	}
}

func TestEnvOverrides(t *testing.T) {
	p := writeFile(t, "c.yaml", goodYAML)
	cfg, err := Load(p, env(map[string]string{
		"FS1_PW":                      "from-password-env",
		"CALLBOARD_NODE_FS1_PASSWORD": secretPW,
		"CALLBOARD_NODE_FS1_ADDRESS":  "127.0.0.1:8022",
		"CALLBOARD_LISTEN":            "0.0.0.0:80",
		"CALLBOARD_ALLOWED_ORIGINS":   "https://a.example, https://b.example",
		"CALLBOARD_LOG_LEVEL":         "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "0.0.0.0:80" || cfg.Nodes[0].Address != "127.0.0.1:8022" || cfg.LogLevel != "debug" {
		t.Fatalf("env overrides not applied: %+v", cfg)
	}
	if got := strings.Join(cfg.AllowedOrigins, " "); got != "https://a.example https://b.example" {
		t.Fatalf("origins = %q", got)
	}
	if cfg.Nodes[0].Password.Reveal() != secretPW {
		t.Fatal("CALLBOARD_NODE_FS1_PASSWORD must win over password_env")
	}
}

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

func TestAsteriskNode(t *testing.T) {
	p := writeFile(t, "c.yaml", asteriskYAML)
	cfg, err := Load(p, env(map[string]string{"AST_PW": secretPW, "CALLBOARD_NODE_AST1_URL": "https://pbx.example:8089/ari"}))
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Nodes[0]
	if n.URL != "https://pbx.example:8089/ari" || n.Username != "callboard" || n.SubscribeAll == nil || *n.SubscribeAll ||
		n.SilenceMs != 1200 || n.TalkThreshold != 300 || !n.KickHangup || n.Password.Reveal() != secretPW {
		t.Fatalf("asterisk node not decoded: %+v", n)
	}
	bad := []struct{ name, from, to, key string }{
		{"no url", "    url: http://10.0.0.6:8088/ari\n", "", "nodes[0].url"},
		{"ws url as url", "http://10.0.0.6", "ws://10.0.0.6", "nodes[0].url"},
		{"credentials in url", "http://10.0.0.6", "http://u:" + secretPW + "@10.0.0.6", "nodes[0].url"},
		{"no username", "    username: callboard\n", "", "nodes[0].username"},
		{"bad application", "application: callboard", "application: 'call board'", "nodes[0].application"},
		{"freeswitch media on asterisk", "sound:hello-world", "/var/lib/hello.wav", "nodes[0].media.hello"},
		{"media with query", "sound:hello-world", "sound:hello?x=1", "nodes[0].media.hello"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "c.yaml", strings.Replace(asteriskYAML, tc.from, tc.to, 1))
			_, err := Load(p, env(map[string]string{"AST_PW": secretPW}))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err = %v, want one naming %s", err, tc.key)
			}
			if strings.Contains(err.Error(), secretPW) {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestPasswordFile(t *testing.T) {
	pw := writeFile(t, "pw", secretPW+"\n")
	p := writeFile(t, "c.yaml", fmt.Sprintf("nodes:\n  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_file: %s\n", pw))
	cfg, err := Load(p, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Nodes[0].Password.Reveal() != secretPW {
		t.Fatalf("password file not read (trailing newline must be trimmed)")
	}
}

func TestNoFileIsValid(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != DefaultListen || len(cfg.Nodes) != 0 {
		t.Fatalf("unexpected: %+v", cfg)
	}
}

// Each bad config must fail with an error naming the wrong key.
func TestValidationNamesTheKey(t *testing.T) {
	node := func(extra string) string {
		return "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n" + extra
	}
	cases := []struct {
		name, yaml, wantKey string
	}{
		{"unknown top key", "lisen: 1.2.3.4:5\n", "lisen"},
		{"unknown node key", node("    adress: x\n"), "adress"},
		{"bad listen", "listen: nope\n", "listen"},
		{"bad origin", "allowed_origins: [callboard.example]\n", "allowed_origins[0]"},
		{"bad log level", "log_level: loud\n", "log_level"},
		{"bad id", "nodes:\n  - id: 'FS 1'\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n", "nodes[0].id"},
		{"missing kind", "nodes:\n  - id: fs1\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n", "nodes[0].kind"},
		{"bad kind", "nodes:\n  - id: fs1\n    kind: yate\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n", "nodes[0].kind"},
		{"bad address", "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: nohost\n    password_env: FS1_PW\n", "nodes[0].address"},
		{"duplicate id", node("  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n"), "nodes[1].id"},
		{"inline password", node("    password: " + secretPW + "\n"), "nodes[0].password"},
		{"unset password env", "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_env: NOPE\n", "nodes[0].password_env"},
		{"no password", "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n", "nodes[0]"},
		{"missing password file", "nodes:\n  - id: fs1\n    kind: freeswitch\n    address: 127.0.0.1:8021\n    password_file: /nonexistent/pw\n", "nodes[0].password_file"},
		{"media with space", node("    media:\n      hello: /a b.wav\n"), "nodes[0].media.hello"},
		{"media relative path", node("    media:\n      hello: ../etc/passwd\n"), "nodes[0].media.hello"},
		{"media newline", node("    media:\n      hello: \"/a.wav\\nhupall\"\n"), "nodes[0].media.hello"},
		{"media bad name", node("    media:\n      'Hello World': /a.wav\n"), "nodes[0].media.Hello World"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "c.yaml", tc.yaml)
			_, err := Load(p, env(map[string]string{"FS1_PW": secretPW}))
			if err == nil {
				t.Fatal("expected an error")
			}
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Fatalf("error %q does not name key %q", err, tc.wantKey)
			}
			if strings.Contains(err.Error(), secretPW) {
				t.Fatalf("error leaks the secret: %q", err)
			}
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	p := writeFile(t, "c.yaml", goodYAML)
	cfg, err := Load(p, env(map[string]string{"FS1_PW": secretPW}))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	lg := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lg.Debug("config", "cfg", cfg, "node", cfg.Nodes[0], "pw", cfg.Nodes[0].Password)
	js, _ := json.Marshal(cfg)
	for _, out := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprintf("%+v", cfg.Nodes[0]), string(js), logs.String(),
	} {
		if strings.Contains(out, secretPW) {
			t.Fatalf("secret printed: %s", out)
		}
	}
}
