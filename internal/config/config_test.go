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

	"go.yaml.in/yaml/v3"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/kit"
)

const secretPW = "s3cret-ClueCon-pw"

// testKind is a PBX kind of this test only: the real kinds test their own
// sections (adapters/freeswitch, adapters/asterisk register_test.go).
type testKind struct {
	Address string        `yaml:"address"`
	Timeout time.Duration `yaml:"command_timeout"`
}

func (k testKind) Build(string, *slog.Logger) (adapters.Node, error) { return nil, nil }

func init() {
	kit.Register(kit.Kind{Name: "testpbx", EnvKeys: []string{"address"}, Decode: func(sec *yaml.Node, base kit.Base) (kit.Spec, error) {
		var k testKind
		if err := kit.Strict(sec, &k); err != nil {
			return nil, err
		}
		if !strings.Contains(k.Address, ":") {
			return nil, fmt.Errorf("address: %q must be host:port", k.Address)
		}
		return k, nil
	}})
}

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
    kind: testpbx
    address: 10.0.0.5:8021
    password_env: FS1_PW
    command_timeout: 3s
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
	if n.Password.Reveal() != secretPW || n.Spec.(testKind).Timeout != 3*time.Second {
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
	if cfg.Listen != "0.0.0.0:80" || cfg.Nodes[0].Spec.(testKind).Address != "127.0.0.1:8022" || cfg.LogLevel != "debug" {
		t.Fatalf("env overrides not applied: %+v", cfg)
	}
	if got := strings.Join(cfg.AllowedOrigins, " "); got != "https://a.example https://b.example" {
		t.Fatalf("origins = %q", got)
	}
	if cfg.Nodes[0].Password.Reveal() != secretPW {
		t.Fatal("CALLBOARD_NODE_FS1_PASSWORD must win over password_env")
	}
}

func TestPasswordFile(t *testing.T) {
	pw := writeFile(t, "pw", secretPW+"\n")
	p := writeFile(t, "c.yaml", fmt.Sprintf("nodes:\n  - id: fs1\n    kind: testpbx\n    address: 127.0.0.1:8021\n    password_file: %s\n", pw))
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
		return "nodes:\n  - id: fs1\n    kind: testpbx\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n" + extra
	}
	cases := []struct {
		name, yaml, wantKey string
	}{
		{"unknown top key", "lisen: 1.2.3.4:5\n", "lisen"},
		{"unknown node key", node("    adress: x\n"), "nodes[0].adress: unknown key (line 6)"},
		{"kind's own check", "nodes:\n  - id: fs1\n    kind: testpbx\n    address: nohost\n    password_env: FS1_PW\n", "nodes[0].address"},
		{"bad listen", "listen: nope\n", "listen"},
		{"bad origin", "allowed_origins: [callboard.example]\n", "allowed_origins[0]"},
		{"bad log level", "log_level: loud\n", "log_level"},
		{"bad id", "nodes:\n  - id: 'FS 1'\n    kind: testpbx\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n", "nodes[0].id"},
		{"missing kind", "nodes:\n  - id: fs1\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n", "nodes[0].kind"},
		{"bad kind", "nodes:\n  - id: fs1\n    kind: yate\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n", "nodes[0].kind"},
		{"duplicate id", node("  - id: fs1\n    kind: testpbx\n    address: 127.0.0.1:8021\n    password_env: FS1_PW\n"), "nodes[1].id"},
		{"inline password", node("    password: " + secretPW + "\n"), "nodes[0].password"},
		{"unset password env", "nodes:\n  - id: fs1\n    kind: testpbx\n    address: 127.0.0.1:8021\n    password_env: NOPE\n", "nodes[0].password_env"},
		{"no password", "nodes:\n  - id: fs1\n    kind: testpbx\n    address: 127.0.0.1:8021\n", "nodes[0]"},
		{"missing password file", "nodes:\n  - id: fs1\n    kind: testpbx\n    address: 127.0.0.1:8021\n    password_file: /nonexistent/pw\n", "nodes[0].password_file"},
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
