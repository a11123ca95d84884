package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// Hardening (issue 15, point 2): the WAL holds audit entries and history,
// so every database file is 0600, and the data directory 0700 even when it
// existed before with looser bits.
func TestDatabaseFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("%s: data dir mode %v, want 0700", when, st.Mode().Perm())
		}
		for _, f := range []string{sqlite.FileName, sqlite.FileName + "-wal", sqlite.FileName + "-shm"} {
			st, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s mode %v, want 0600", when, f, st.Mode().Perm())
			}
		}
	}
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	// A write makes sure the WAL is in use.
	if err := db.CreateUser(context.Background(), store.User{Name: "u", Role: store.RoleViewer, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	check("new")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// An older version left looser modes behind: the next open tightens them.
	_ = os.Chmod(dir, 0o755)
	for _, f := range []string{sqlite.FileName, sqlite.FileName + "-wal", sqlite.FileName + "-shm"} {
		_ = os.WriteFile(filepath.Join(dir, f), nil, 0o644) // creates the missing WAL files
		_ = os.Chmod(filepath.Join(dir, f), 0o644)
	}
	if err := os.Remove(filepath.Join(dir, sqlite.FileName+"-wal")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, sqlite.FileName+"-shm")); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateUser(context.Background(), store.User{Name: "v", Role: store.RoleViewer, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	check("reopened")
}
