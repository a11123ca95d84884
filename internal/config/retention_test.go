package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRetentionDays(t *testing.T) {
	cases := []struct {
		yaml    string
		want    int
		wantErr string
	}{
		{"listen: 127.0.0.1:0\n", DefaultRetentionDays, ""},
		{"retention_days: 7\n", 7, ""},
		{"retention_days: -1\n", 0, "retention_days"},
	}
	for _, tc := range cases {
		p := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p, func(string) string { return "" })
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("%q: err %v, want one naming %s", tc.yaml, err, tc.wantErr)
			}
			continue
		}
		if err != nil || cfg.RetentionDays != tc.want {
			t.Fatalf("%q: %d %v, want %d", tc.yaml, cfg.RetentionDays, err, tc.want)
		}
	}
}
