package login

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// userKey is the limiter's key for a user name. Hashed: the limiter's
// state is persisted, and what was typed as a user name is sometimes a
// password.
func userKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "user:" + hex.EncodeToString(sum[:16])
}

// sleep waits d (the user name's slow-down) unless the request ends first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
