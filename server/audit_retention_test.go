package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

func TestAuditPurgedBeyondRetention(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Now().UTC()
	old := []store.AuditEntry{
		{At: now.Add(-400 * 24 * time.Hour), Kind: "action", Detail: "very old"},
		{At: now.Add(-11 * 24 * time.Hour), Kind: "action", Detail: "old"},
		{At: now.Add(-9 * 24 * time.Hour), Kind: "action", Detail: "recent"},
	}
	if err := st.AppendAudit(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	ts := servertest.Start(t, server.Config{Store: st, AuditRetention: 10 * 24 * time.Hour})
	testutil.Eventually(t, "old audit entries purged", func() bool {
		for _, e := range ts.Audit(t, "?kind=action") {
			if e.Detail == "old" || e.Detail == "very old" {
				return false
			}
		}
		return true
	})
	var recent int
	for _, e := range ts.Audit(t, "?kind=action") {
		if e.Detail == "recent" {
			recent++
		}
	}
	if recent != 1 {
		t.Fatalf("entry within the retention purged too")
	}
}
