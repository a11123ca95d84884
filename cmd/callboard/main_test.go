package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("nodes:\n  - id: fs1\n    kind: freeswitch\n    address: nohost\n    password_env: X\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, []byte("listen: 127.0.0.1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("X", "not-printed-secret")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"bogus"}, 2, `unknown command "bogus"`},
		{"version", []string{"version"}, 0, "callboard"},
		{"bad config names the key", []string{"serve", "--config", bad}, 1, "nodes[0].address"},
		{"missing config file", []string{"serve", "--config", filepath.Join(dir, "nope.yaml")}, 1, "read config"},
		{"no nodes", []string{"--config", empty}, 1, "no PBX nodes configured"},
		{"bad flag", []string{"demo", "--nope"}, 1, "flag provided but not defined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(tc.args, &out); code != tc.code {
				t.Fatalf("exit code %d, want %d; output:\n%s", code, tc.code, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output %q does not contain %q", out.String(), tc.want)
			}
			if strings.Contains(out.String(), "not-printed-secret") {
				t.Fatal("secret printed")
			}
		})
	}
}
