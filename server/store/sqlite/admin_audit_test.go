package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/server/store"
)

func TestPurgeAudit(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var entries []store.AuditEntry
	for i := range 5 {
		entries = append(entries, store.AuditEntry{At: base.Add(time.Duration(i) * time.Hour), Kind: "action"})
	}
	if err := d.AppendAudit(ctx, entries); err != nil {
		t.Fatal(err)
	}
	n, err := d.PurgeAudit(ctx, base.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("purged %d (%v), want 2", n, err)
	}
	left, err := d.QueryAudit(ctx, store.AuditFilter{})
	if err != nil || len(left) != 3 || !left[len(left)-1].At.Equal(base.Add(2*time.Hour)) {
		t.Fatalf("left %+v (%v)", left, err)
	}
}

func TestDeleteUserKeepAdminConcurrent(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	const admins = 6
	for i := range admins {
		if err := d.CreateUser(ctx, store.User{Name: fmt.Sprintf("a%d", i), Role: store.RoleAdmin, PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.CreateUser(ctx, store.User{Name: "v", Role: store.RoleViewer, PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, admins)
	var wg sync.WaitGroup
	for i := range admins {
		wg.Go(func() { errs <- d.DeleteUserKeepAdmin(ctx, fmt.Sprintf("a%d", i)) })
	}
	wg.Wait()
	close(errs)
	var ok, last int
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrLastAdmin):
			last++
		default:
			t.Fatalf("delete: %v", err)
		}
	}
	users, _ := d.ListUsers(ctx)
	remaining := 0
	for _, u := range users {
		if u.Role == store.RoleAdmin {
			remaining++
		}
	}
	if ok != admins-1 || last != 1 || remaining != 1 {
		t.Fatalf("%d deleted, %d refused, %d admins left; want %d, 1, 1", ok, last, remaining, admins-1)
	}
	if err := d.DeleteUserKeepAdmin(ctx, "v"); err != nil {
		t.Fatalf("delete viewer: %v", err)
	}
	if err := d.DeleteUserKeepAdmin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete unknown: %v", err)
	}
}
