package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSecurityKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noEnv := func(string) string { return "" }

	cfg, err := Load(write("data_dir: /var/lib/cb\ntls_cert: c.pem\ntls_key: k.pem\ntrusted_proxies: [10.0.0.0/8, 192.168.1.5]\nsession_max_age: 8h\nsession_idle_timeout: 15m\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/var/lib/cb" || cfg.TLSCert != "c.pem" || len(cfg.TrustedProxies) != 2 || cfg.SessionMaxAge != 8*time.Hour || cfg.SessionIdleTimeout != 15*time.Minute {
		t.Fatalf("%+v", cfg)
	}
	def, err := Load("", noEnv)
	if err != nil || def.DataDir != DefaultDataDir || def.SessionMaxAge != DefaultSessionMaxAge || def.SessionIdleTimeout != DefaultSessionIdleTimeout {
		t.Fatalf("defaults %+v %v", def, err)
	}
	env := map[string]string{"CALLBOARD_DATA_DIR": "/d", "CALLBOARD_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/16", "CALLBOARD_TLS_CERT": "a", "CALLBOARD_TLS_KEY": "b"}
	e, err := Load("", func(k string) string { return env[k] })
	if err != nil || e.DataDir != "/d" || len(e.TrustedProxies) != 2 || e.TrustedProxies[1] != "10.1.0.0/16" || e.TLSKey != "b" {
		t.Fatalf("env %+v %v", e, err)
	}

	bad := []struct{ yaml, key string }{
		{"tls_cert: c.pem\n", "tls_cert and tls_key"},
		{"trusted_proxies: [nonsense]\n", "trusted_proxies[0]"},
		{"trusted_proxies: [10.0.0.0/33]\n", "trusted_proxies[0]"},
		{"session_max_age: 10s\n", "session_max_age"},
		{"session_idle_timeout: 24h\n", "session_idle_timeout"},
	}
	for _, b := range bad {
		_, err := Load(write(b.yaml), noEnv)
		if err == nil || !strings.Contains(err.Error(), b.key) {
			t.Fatalf("%q: %v, want an error naming %s", b.yaml, err, b.key)
		}
	}
}
