package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callboard/callboard/server/store/sqlite"
)

// TestUnwritableDatabaseExits: a database that cannot be written is a clear
// error naming the path and exit code 1, at start (not a failing write later).
func TestUnwritableDatabaseExits(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dbIsDir := filepath.Join(dir, "dbdir")
	if err := os.MkdirAll(filepath.Join(dbIsDir, sqlite.FileName), 0o700); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "ro")
	db, err := sqlite.Open(context.Background(), readOnly)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	for _, f := range []string{sqlite.FileName, sqlite.FileName + "-wal", sqlite.FileName + "-shm"} {
		if err := os.Chmod(filepath.Join(readOnly, f), 0o400); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, dataDir, want string
		skip                bool
	}{
		{"data dir is a file", notADir, notADir, false},
		{"database path is a directory", dbIsDir, filepath.Join(dbIsDir, sqlite.FileName), false},
		// root writes read-only files anyway
		{"read-only database file", readOnly, "not writable", os.Geteuid() == 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip {
				t.Skip("running as root: file modes do not stop writes")
			}
			var out bytes.Buffer
			code := run([]string{"demo", "--listen", "127.0.0.1:0", "--data-dir", tc.dataDir, "--log-level", "error"}, &out)
			if code != 1 {
				t.Fatalf("exit code %d, want 1; output:\n%s", code, out.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output %q does not name %q", out.String(), tc.want)
			}
		})
	}
}
