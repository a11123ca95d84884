package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	const pw = "a long enough password"
	cases := []struct {
		name  string
		args  []string
		input string
		code  int
		want  string
	}{
		{"creates", []string{"user", "add", "Alice", "--role", "moderator", "--data-dir", dir}, pw + "\n", 0, `user "alice" (moderator) created`},
		{"flags first", []string{"user", "add", "--role", "viewer", "--data-dir", dir, "bob"}, pw, 0, `user "bob" (viewer)`},
		{"duplicate", []string{"user", "add", "alice", "--role", "admin", "--data-dir", dir}, pw + "\n", 1, "already exists"},
		{"bad role", []string{"user", "add", "carol", "--role", "root", "--data-dir", dir}, pw + "\n", 1, "not viewer, moderator or admin"},
		{"short password", []string{"user", "add", "dave", "--role", "admin", "--data-dir", dir}, "short\n", 1, "at least 12"},
		{"no password", []string{"user", "add", "erin", "--role", "admin", "--data-dir", dir}, "", 1, "empty"},
		{"no role", []string{"user", "add", "erin", "--data-dir", dir}, pw, 1, "usage"},
		{"no subcommand", []string{"user"}, "", 1, "usage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdin = strings.NewReader(tc.input)
			var out bytes.Buffer
			if code := run(tc.args, &out); code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output %q lacks %q", out.String(), tc.want)
			}
			if strings.Contains(out.String(), pw) {
				t.Fatal("password echoed")
			}
		})
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUser(context.Background(), "alice")
	if err != nil || u.Role != store.RoleModerator {
		t.Fatalf("alice %+v %v", u, err)
	}
	if err := auth.Verify(pw, u.PasswordHash); err != nil {
		t.Fatalf("stored hash does not verify: %v", err)
	}
	if n, _ := st.CountUsers(context.Background()); n != 2 {
		t.Fatalf("%d users", n)
	}
}
