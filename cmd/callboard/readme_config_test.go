package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/internal/config"
)

// The configuration example in README.md must load as written: it is what
// users copy, and every kind's keys in it are read by the kind's package.
func TestREADMEConfigLoads(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, "```yaml\nlisten:")
	if start < 0 {
		t.Fatal("README.md has no configuration example")
	}
	body := text[start+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	p := filepath.Join(t.TempDir(), "callboard.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FS1_ESL_PASSWORD": "pw-fs", "AST1_ARI_PASSWORD": "pw-ast"}
	cfg, err := config.Load(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := buildNodes(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 || nodes[0].ID() != "fs1" || nodes[1].ID() != "ast1" {
		t.Fatalf("nodes %v", nodes)
	}
}
