package server_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	h, err := auth.NewHasher(servertest.CheapParams)
	if err != nil {
		t.Fatal(err)
	}
	open := func() store.Store {
		st, err := sqlite.Open(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}

	t.Run("generated password printed once", func(t *testing.T) {
		st := open()
		var out bytes.Buffer
		if ok, err := server.Bootstrap(ctx, st, h, "", "", &out); !ok || err != nil {
			t.Fatalf("%v %v", ok, err)
		}
		m := regexp.MustCompile(`user "admin" with password: (\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("banner %q", out.String())
		}
		u, err := st.GetUser(ctx, "admin")
		if err != nil || u.Role != store.RoleAdmin || auth.Verify(m[1], u.PasswordHash) != nil {
			t.Fatalf("admin %+v %v", u, err)
		}
		out.Reset()
		if ok, err := server.Bootstrap(ctx, st, h, "", "", &out); ok || err != nil || out.Len() != 0 {
			t.Fatalf("second start: %v %v %q", ok, err, out.String())
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		st := open()
		var out bytes.Buffer
		const pw = "env-provided-password"
		if ok, err := server.Bootstrap(ctx, st, h, "Ops", pw, &out); !ok || err != nil {
			t.Fatalf("%v %v", ok, err)
		}
		if strings.Contains(out.String(), pw) {
			t.Fatal("a given password is printed")
		}
		u, err := st.GetUser(ctx, "ops")
		if err != nil || auth.Verify(pw, u.PasswordHash) != nil {
			t.Fatalf("ops %+v %v", u, err)
		}
	})
	t.Run("weak password refused", func(t *testing.T) {
		if _, err := server.Bootstrap(ctx, open(), h, "", "short", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "CALLBOARD_ADMIN_PASSWORD") {
			t.Fatalf("%v", err)
		}
	})
}
