package config

import (
	"os"
	"path/filepath"
	"slices"
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

func TestAuditRetentionDays(t *testing.T) {
	cases := []struct {
		yaml    string
		want    int
		wantErr string
	}{
		{"listen: 127.0.0.1:0\n", DefaultAuditRetentionDays, ""},
		{"audit_retention_days: 90\n", 90, ""},
		{"audit_retention_days: -5\n", 0, "audit_retention_days"},
		{"audit_retention_days: 40000\n", 0, "audit_retention_days"},
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
		if err != nil || cfg.AuditRetentionDays != tc.want {
			t.Fatalf("%q: %+v %v, want %d", tc.yaml, cfg, err, tc.want)
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
