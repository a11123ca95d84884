package freeswitch

import (
	"errors"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
)

func testNode(t *testing.T) *Node {
	t.Helper()
	n, err := New(Config{ID: "fs1", Address: "127.0.0.1:8021", Password: "ClueCon", Logger: quietLog,
		Media: map[string]string{"beep": "tone_stream://%(500,0,660)", "hello": "/srv/sounds/hello.wav"}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Strings that must never reach a command line, whatever the field.
var hostile = map[string]string{
	"empty":               "",
	"newline":             "room1\n\napi hupall",
	"carriage return":     "room1\rx",
	"space":               "room 1",
	"ampersand":           "room1&x",
	"pipe":                "room1|x",
	"semicolon":           "room1;x",
	"dot dot":             "..",
	"very long":           strings.Repeat("7", 200),
	"cyrillic o":          "rооm1", // Cyrillic о (U+043E)
	"fullwidth digits":    "１２３",
	"nul":                 "room\x001",
	"shell":               "$(reboot)",
	"tab":                 "room\t1",
	"url-encoded newline": "room%0A1",
}

func wantInvalid(t *testing.T, n *Node, a adapters.Action, field string) {
	t.Helper()
	err := n.Validate(a)
	if !errors.Is(err, adapters.ErrInvalid) {
		t.Fatalf("Validate(%#v) = %v, want ErrInvalid", a, err)
	}
	if !strings.Contains(err.Error(), field) {
		t.Fatalf("error %q does not name field %q", err, field)
	}
}

func TestValidateRejectsHostileConferenceName(t *testing.T) {
	n := testNode(t)
	for name, v := range hostile {
		t.Run(name, func(t *testing.T) {
			wantInvalid(t, n, adapters.MuteMember{Conference: v, Member: "1", Muted: true}, "conference")
			wantInvalid(t, n, adapters.LockConference{Conference: v, Locked: true}, "conference")
			wantInvalid(t, n, adapters.PlayToConference{Conference: v, Media: "beep"}, "conference")
		})
	}
	wantInvalid(t, n, adapters.LockConference{Conference: "a" + strings.Repeat("b", 64)}, "conference")
	wantInvalid(t, n, adapters.LockConference{Conference: "room..1"}, "conference")
	wantInvalid(t, n, adapters.LockConference{Conference: "-room"}, "conference")
}

func TestValidateRejectsHostileMemberID(t *testing.T) {
	n := testNode(t)
	extra := map[string]string{"all": "all", "negative": "-1", "ten digits": "1234567890", "last": "last"}
	for name, v := range merge(hostile, extra) {
		t.Run(name, func(t *testing.T) {
			wantInvalid(t, n, adapters.KickMember{Conference: "room1001", Member: v}, "member")
			wantInvalid(t, n, adapters.DeafMember{Conference: "room1001", Member: v, Deaf: true}, "member")
			wantInvalid(t, n, adapters.PlayToMember{Conference: "room1001", Member: v, Media: "beep"}, "member")
		})
	}
}

func TestValidateRejectsHostileCallID(t *testing.T) {
	n := testNode(t)
	extra := map[string]string{
		"uuid plus command": aliceA + " \napi hupall",
		"uuid with space":   aliceA + " ",
		"short uuid":        aliceA[:35],
		"non-hex uuid":      "g7c9c3d2-e6fc-4c8d-bdc7-9de40e2b9d08",
		"fullwidth in uuid": "ｂ7c9c3d2-e6fc-4c8d-bdc7-9de40e2b9d08",
	}
	for name, v := range merge(hostile, extra) {
		t.Run(name, func(t *testing.T) {
			wantInvalid(t, n, adapters.HangupCall{Call: v}, "call")
		})
	}
}

func TestValidateRejectsUnknownMedia(t *testing.T) {
	n := testNode(t)
	extra := map[string]string{"path": "/etc/passwd", "tone uri": "tone_stream://%(1,0,1)", "case": "BEEP", "other": "music"}
	for name, v := range merge(hostile, extra) {
		t.Run(name, func(t *testing.T) {
			wantInvalid(t, n, adapters.PlayToConference{Conference: "room1001", Media: v}, "media")
			wantInvalid(t, n, adapters.PlayToMember{Conference: "room1001", Member: "1", Media: v}, "media")
		})
	}
}

func TestValidateNilAction(t *testing.T) {
	if err := testNode(t).Validate(nil); !errors.Is(err, adapters.ErrInvalid) {
		t.Fatalf("nil action: %v", err)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestCommandLines(t *testing.T) {
	n := testNode(t)
	legs := func(id string) []string {
		if id == aliceA {
			return []string{aliceA, aliceB}
		}
		return nil
	}
	tests := []struct {
		a    adapters.Action
		want []string
	}{
		{adapters.MuteMember{Conference: "room1001", Member: "2", Muted: true}, []string{"conference room1001 mute 2"}},
		{adapters.MuteMember{Conference: "room1001", Member: "2"}, []string{"conference room1001 unmute 2"}},
		{adapters.DeafMember{Conference: "sales.team", Member: "12", Deaf: true}, []string{"conference sales.team deaf 12"}},
		{adapters.DeafMember{Conference: "sales.team", Member: "12"}, []string{"conference sales.team undeaf 12"}},
		{adapters.KickMember{Conference: "support-2", Member: "3"}, []string{"conference support-2 kick 3"}},
		{adapters.PlayToMember{Conference: "room1001", Member: "1", Media: "beep"}, []string{"conference room1001 play tone_stream://%(500,0,660) 1"}},
		{adapters.PlayToConference{Conference: "room1001", Media: "hello"}, []string{"conference room1001 play /srv/sounds/hello.wav"}},
		{adapters.LockConference{Conference: "room1001", Locked: true}, []string{"conference room1001 lock"}},
		{adapters.LockConference{Conference: "room1001"}, []string{"conference room1001 unlock"}},
		{adapters.HangupCall{Call: aliceA}, []string{"uuid_kill " + aliceA, "uuid_kill " + aliceB}},
		{adapters.HangupCall{Call: daveA}, []string{"uuid_kill " + daveA}},
	}
	for _, tt := range tests {
		got, err := n.commandLines(tt.a, legs)
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%#v -> %q, %v; want %q", tt.a, got, err, tt.want)
		}
	}
}

func TestReplyError(t *testing.T) {
	tests := []struct {
		reply string
		want  error
	}{
		{"+OK mute 2\n", nil},
		{"+OK kicked 3\n", nil},
		{"-ERR Conference nosuch not found\n", adapters.ErrNotFound},
		{"-ERR Non-Existant ID 9999\n", adapters.ErrNotFound},
		{"-ERR No such channel!\n", adapters.ErrNotFound},
		{"-ERR invalid uuid\n", adapters.ErrNotFound},
		{"-ERR USER_BUSY\n", adapters.ErrRefused},
		{"mute <[member_id|all]|last|non_moderator> [<quiet>]\n", adapters.ErrRefused},
		{"", adapters.ErrRefused},
	}
	for _, tt := range tests {
		err := replyError("mute member 2 in room1001", tt.reply)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%q -> %v", tt.reply, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "mute member 2 in room1001") {
			t.Errorf("%q -> %v, want %v", tt.reply, err, tt.want)
		}
	}
	if err := replyError("x", "-ERR USER_BUSY\n"); !strings.Contains(err.Error(), "USER_BUSY") {
		t.Errorf("reason lost: %v", err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	good := Config{ID: "fs1", Address: "127.0.0.1:8021", Password: "s3cret"}
	tests := []struct {
		field string
		edit  func(*Config)
	}{
		{"id", func(c *Config) { c.ID = "FS 1" }},
		{"address", func(c *Config) { c.Address = "nohostport" }},
		{"password", func(c *Config) { c.Password = "a\nb" }},
		{"stt_subclasses", func(c *Config) { c.STTSubclasses = []string{"bad subclass"} }},
		{"media", func(c *Config) { c.Media = map[string]string{"beep": "/a b.wav"} }},
		{"media", func(c *Config) { c.Media = map[string]string{"bad name": "/a.wav"} }},
		{"bot_prompt_variable", func(c *Config) { c.BotPromptVariable = "a b" }},
		{"backoff_max", func(c *Config) { c.BackoffMin, c.BackoffMax = 10e9, 1e9 }},
	}
	for _, tt := range tests {
		c := good
		tt.edit(&c)
		_, err := New(c)
		if err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err = %v", tt.field, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
	n, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID() != "fs1" || n.Kind() != adapters.KindFreeSWITCH || len(n.Actions()) != 19 || len(n.Media()) != 0 {
		t.Errorf("node %s %s %v %v", n.ID(), n.Kind(), n.Actions(), n.Media())
	}
	bad := good
	bad.Dial.Endpoints, bad.Dial.EndpointTemplate = "1[0-9]{3}", "user/{endpoint} &hupall"
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "dial.endpoints") || !strings.Contains(err.Error(), "dial.endpoint_template") {
		t.Errorf("bad dial rules: err = %v", err)
	}
	if got := testNode(t).Media(); strings.Join(got, ",") != "beep,hello" {
		t.Errorf("Media() = %v", got)
	}
}
