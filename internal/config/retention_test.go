package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRetentionKeys: both retention settings default, accept a value and
// refuse out-of-range ones with an error naming the key.
func TestRetentionKeys(t *testing.T) {
	history := func(c *Config) int { return c.RetentionDays }
	audit := func(c *Config) int { return c.AuditRetentionDays }
	cases := []struct {
		yaml    string
		field   func(*Config) int
		want    int
		wantErr string
	}{
		{"listen: 127.0.0.1:0\n", history, DefaultRetentionDays, ""},
		{"retention_days: 7\n", history, 7, ""},
		{"retention_days: -1\n", history, 0, "retention_days"},
		{"listen: 127.0.0.1:0\n", audit, DefaultAuditRetentionDays, ""},
		{"audit_retention_days: 90\n", audit, 90, ""},
		{"audit_retention_days: -5\n", audit, 0, "audit_retention_days"},
		{"audit_retention_days: 40000\n", audit, 0, "audit_retention_days"},
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
		if err != nil || tc.field(cfg) != tc.want {
			t.Fatalf("%q: got %+v %v, want %d", tc.yaml, cfg, err, tc.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	cases := map[string][]string{
		"a":             {"a"},
		" a , b ,, c ,": {"a", "b", "c"},
		" , ":           nil,
	}
	for in, want := range cases {
		if got := splitList(in); !slices.Equal(got, want) {
			t.Errorf("splitList(%q) = %q, want %q", in, got, want)
		}
	}
}
