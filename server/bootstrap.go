package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
)

// Bootstrap creates the first admin when the store has no user at all. With
// an empty password it generates one and writes it once to banner (a plain
// line on stderr, deliberately not through the logger, whose output may be
// shipped elsewhere). It reports whether it created the user.
func Bootstrap(ctx context.Context, st store.Store, h *auth.Hasher, name, password string, banner io.Writer) (bool, error) {
	n, err := st.CountUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("bootstrap admin: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	if name == "" {
		name = "admin"
	}
	generated := password == ""
	if generated {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return false, fmt.Errorf("bootstrap admin: %w", err)
		}
		password = base64.RawURLEncoding.EncodeToString(b)
	}
	u, err := auth.NewUser(h, auth.NormalUserName(name), store.RoleAdmin, password, time.Now())
	if err != nil {
		return false, fmt.Errorf("bootstrap admin (CALLBOARD_ADMIN_USER / CALLBOARD_ADMIN_PASSWORD): %w", err)
	}
	if err := st.CreateUser(ctx, u); err != nil {
		return false, fmt.Errorf("bootstrap admin: %w", err)
	}
	if generated {
		fmt.Fprintf(banner, "\n  callboard: created the first admin user %q with password: %s\n  (shown once; sign in and create your own users)\n\n", u.Name, password)
	} else {
		fmt.Fprintf(banner, "callboard: created the first admin user %q from CALLBOARD_ADMIN_PASSWORD\n", u.Name)
	}
	return true, nil
}

// NewUser validates and hashes a user for the store (kept for the CLI; see
// auth.NewUser).
func NewUser(h *auth.Hasher, name string, role store.Role, password string, now time.Time) (store.User, error) {
	return auth.NewUser(h, name, role, password, now)
}
