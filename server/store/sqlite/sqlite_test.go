package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/callboard/callboard/server/store"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func open(t *testing.T, dir string) *DB {
	t.Helper()
	d, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestMigrationsIdempotentAndPersistent(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d := open(t, dir)
	if err := d.CreateUser(ctx, store.User{Name: "ann", Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	d2 := open(t, dir) // reopen: migrations not re-applied, data kept
	v, err := d2.SchemaVersion(ctx)
	if err != nil || v != len(migrations) {
		t.Fatalf("version %d (%v), want %d", v, err, len(migrations))
	}
	u, err := d2.GetUser(ctx, "ann")
	if err != nil || u.Role != store.RoleAdmin || !u.CreatedAt.Equal(t0) {
		t.Fatalf("user %+v %v", u, err)
	}
	// a database from a newer binary is refused
	if _, err := d2.db.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	_ = d2.Close()
	if _, err := Open(ctx, dir); err == nil {
		t.Fatal("opened a database newer than the binary")
	}
}

func TestUsersSessionsTokens(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	if err := d.CreateUser(ctx, store.User{Name: "bob", Role: store.RoleViewer, PasswordHash: "h", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateUser(ctx, store.User{Name: "bob", Role: store.RoleAdmin, PasswordHash: "h", CreatedAt: t0}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate user: %v", err)
	}
	if _, err := d.GetUser(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	s := store.Session{ID: "s1", TokenHash: []byte{1, 2, 3}, User: "bob", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour), IP: "10.0.0.1"}
	if err := d.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	idle := store.Session{ID: "s2", TokenHash: []byte{4}, User: "bob", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := d.CreateSession(ctx, idle); err != nil {
		t.Fatal(err)
	}
	got, err := d.SessionByTokenHash(ctx, []byte{1, 2, 3})
	if err != nil || got.ID != "s1" || got.Role != store.RoleViewer || got.IP != "10.0.0.1" {
		t.Fatalf("session %+v %v", got, err)
	}
	if err := d.TouchSession(ctx, "s1", t0.Add(20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// s2 idle for 31 min -> expired; s1 seen 11 min ago -> kept
	gone, err := d.DeleteExpiredSessions(ctx, t0.Add(31*time.Minute), 30*time.Minute)
	if err != nil || len(gone) != 1 || gone[0] != "s2" {
		t.Fatalf("expired %v %v", gone, err)
	}
	// absolute expiry
	gone, _ = d.DeleteExpiredSessions(ctx, t0.Add(time.Hour), 30*time.Minute)
	if len(gone) != 1 || gone[0] != "s1" {
		t.Fatalf("absolute expiry: %v", gone)
	}
	if err := d.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	// deleting the user ends their sessions
	if err := d.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SessionByTokenHash(ctx, []byte{1, 2, 3}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session outlived its user: %v", err)
	}
	if err := d.DeleteUser(ctx, "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}

	tok := store.Token{ID: "t1", Name: "stt", Scopes: []string{"ingest:utterances"}, TokenHash: []byte{9}, CreatedBy: "ann", CreatedAt: t0}
	if err := d.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := d.TouchToken(ctx, "t1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	gt, err := d.TokenByHash(ctx, []byte{9})
	if err != nil || gt.Name != "stt" || len(gt.Scopes) != 1 || !gt.LastUsedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("token %+v %v", gt, err)
	}
	if err := d.DeleteToken(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.TokenByHash(ctx, []byte{9}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted token still found: %v", err)
	}
}

func TestAuditFilters(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	var batch []store.AuditEntry
	for i := range 10 {
		e := store.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), User: "ann", Kind: "action", Action: "mute", Node: "fs1", Result: "ok"}
		if i%2 == 1 {
			e.User, e.Action, e.Result = "bob", "kick", "refused"
		}
		batch = append(batch, e)
	}
	if err := d.AppendAudit(ctx, batch); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		f     store.AuditFilter
		want  int
		first time.Time
	}{
		{"all newest first", store.AuditFilter{}, 10, t0.Add(9 * time.Minute)},
		{"user", store.AuditFilter{User: "bob"}, 5, t0.Add(9 * time.Minute)},
		{"action and result", store.AuditFilter{Action: "mute", Result: "ok"}, 5, t0.Add(8 * time.Minute)},
		{"time range", store.AuditFilter{From: t0.Add(2 * time.Minute), To: t0.Add(5 * time.Minute)}, 3, t0.Add(4 * time.Minute)},
		{"limit", store.AuditFilter{Limit: 2}, 2, t0.Add(9 * time.Minute)},
		{"before", store.AuditFilter{Before: 3}, 2, t0.Add(time.Minute)},
		{"no match", store.AuditFilter{Node: "fs2"}, 0, time.Time{}},
	}
	for _, tc := range tests {
		got, err := d.QueryAudit(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want || (tc.want > 0 && !got[0].At.Equal(tc.first)) {
			t.Fatalf("%s: %d entries (first %v), want %d (first %v)", tc.name, len(got), got, tc.want, tc.first)
		}
	}
}
