package kit

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type rule struct {
	Event string `yaml:"event"`
}

type inner struct {
	Talk int `yaml:"talk_threshold"`
}

type section struct {
	Address string            `yaml:"address"`
	Timeout time.Duration     `yaml:"timeout"`
	Rules   []rule            `yaml:"rules"`
	Media   map[string]string `yaml:"media"`
	Inner   inner             `yaml:",inline"`
	Secret  string            `yaml:"-"`
	Untagd  bool
}

func node(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

func TestStrictDecodesAndKeepsDefaults(t *testing.T) {
	s := section{Timeout: time.Second}
	err := Strict(node(t, "address: h:1\nrules: [{event: a}]\nmedia: {x: y}\ntalk_threshold: 3\nuntagd: true\n"), &s)
	if err != nil {
		t.Fatal(err)
	}
	if s.Address != "h:1" || s.Timeout != time.Second || s.Rules[0].Event != "a" || s.Media["x"] != "y" || s.Inner.Talk != 3 || !s.Untagd {
		t.Fatalf("decoded %+v", s)
	}
}

func TestStrictRefusesUnknownKeys(t *testing.T) {
	for text, want := range map[string]string{
		"adress: x\n":                       "adress: unknown key (line 1)",
		"address: x\nrules:\n  - evnt: a\n": "rules[0].evnt: unknown key (line 3)",
		"secret: x\n":                       "secret: unknown key",
	} {
		var s section
		err := Strict(node(t, text), &s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", text, err, want)
		}
	}
}

func TestDecodeUnknownKindAndEnv(t *testing.T) {
	if _, err := Decode("yate", nil, Base{}, nil); err == nil || !strings.Contains(err.Error(), `kind: "yate" is not supported`) {
		t.Fatalf("err %v", err)
	}
	var got string
	Register(Kind{Name: "kittest", EnvKeys: []string{"address"}, Decode: func(sec *yaml.Node, b Base) (Spec, error) {
		var s section
		err := Strict(sec, &s)
		got = s.Address
		return nil, err
	}})
	env := func(k string) string {
		if k == "address" {
			return "from-env:1"
		}
		return ""
	}
	if _, err := Decode("kittest", node(t, "address: file:1\n"), Base{ID: "n1"}, env); err != nil || got != "from-env:1" {
		t.Fatalf("env override: %q, %v", got, err)
	}
	if _, err := Decode("kittest", nil, Base{ID: "n1"}, env); err != nil || got != "from-env:1" {
		t.Fatalf("env override of an absent key: %q, %v", got, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a second registration of a kind must panic")
		}
	}()
	Register(Kind{Name: "kittest", Decode: func(*yaml.Node, Base) (Spec, error) { return nil, nil }})
}

func TestCheckMediaNamesTheEntry(t *testing.T) {
	err := CheckMedia(map[string]string{"ok": "a", "Bad Name": "b", "empty": ""}, OneToken)
	if err == nil || !strings.Contains(err.Error(), "media.Bad Name") || !strings.Contains(err.Error(), "media.empty") {
		t.Fatalf("err %v", err)
	}
}
