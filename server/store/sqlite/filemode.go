package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The data directory and every database file are private: the main file
// holds password hashes, the -wal file the latest audit entries and
// history, the -shm file an index of it. SQLite (the unix VFS) creates
// -wal and -shm with the main file's permission bits, so making the main
// file 0600 before SQLite first opens it covers them; existing files from
// older versions, and a data directory created by someone else, are
// tightened on every open.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// dbFiles are the database file and its WAL companions.
func dbFiles(path string) []string { return []string{path, path + "-wal", path + "-shm"} }

// prepareFiles makes dataDir (0700, also when it already existed) and the
// database file (0600) before SQLite opens it.
func prepareFiles(dataDir, path string) error {
	if err := os.MkdirAll(dataDir, dirMode); err != nil {
		return fmt.Errorf("create data dir %s: %w", dataDir, err)
	}
	if err := os.Chmod(dataDir, dirMode); err != nil {
		return fmt.Errorf("restrict data dir %s: %w", dataDir, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || isDir(path) {
			return nil // Open reports it with SQLite's own words (read-only, a directory)
		}
		return fmt.Errorf("create database file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file %s: %w", path, err)
	}
	return restrictFiles(path)
}

// restrictFiles sets 0600 on the database files that exist.
func restrictFiles(path string) error {
	for _, p := range dbFiles(path) {
		if err := os.Chmod(p, fileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restrict database file mode %s: %w", filepath.Base(p), err)
		}
	}
	return nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
