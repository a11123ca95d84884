package asterisk

import (
	"errors"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
)

// Hardening (issue 15, points 4 and 5): lock is unsupported on Asterisk,
// but a malformed conference name is refused as invalid first, and no
// error repeats a 10,000-character name back to the client.
func TestLockValidatesFirstAndDoesNotEcho(t *testing.T) {
	node, err := New(Config{ID: "ast1", URL: "http://127.0.0.1:1/ari", Username: "u", Password: "p", Application: "app"})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 10000)
	err = node.Validate(adapters.LockConference{Conference: long, Locked: true})
	if !errors.Is(err, adapters.ErrInvalid) || errors.Is(err, adapters.ErrUnsupported) {
		t.Fatalf("long name: %v, want invalid", err)
	}
	if len(err.Error()) > 300 {
		t.Fatalf("error echoes %d bytes", len(err.Error()))
	}
	err = node.Validate(adapters.LockConference{Conference: "room4", Locked: true})
	if !errors.Is(err, adapters.ErrUnsupported) || strings.Contains(err.Error(), "room4") {
		t.Fatalf("valid name: %v, want unsupported without the name", err)
	}
}
