package auth

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/store"
)

// UserNamePattern is what a user name may be (stored lowercase).
var UserNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// ScopeIngestUtterances lets a token post transcript lines.
const ScopeIngestUtterances = "ingest:utterances"

// ScopeOriginate lets a token place calls (a CRM's click-to-call); it is
// the catalogue's adapters.ScopeOriginate, on the originate route only.
const ScopeOriginate = adapters.ScopeOriginate

// ScopeMetricsRead lets a token scrape /metrics.
const ScopeMetricsRead = "metrics:read"

// ScopeIngestAudio lets a token stream call audio into the audio ingest
// websocket (audio.ScopeIngest; a relay such as mod_audio_fork).
const ScopeIngestAudio = "ingest:audio"

// KnownScopes are the scopes an API token may hold.
var KnownScopes = []string{ScopeIngestUtterances, ScopeOriginate, ScopeMetricsRead, ScopeIngestAudio}

// NormalUserName lowercases and bounds what a client typed (also the
// rate-limit and audit key for unknown names).
func NormalUserName(n string) string {
	n = strings.ToLower(strings.TrimSpace(n))
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// NewUser validates and hashes a user for the store (used by the admin API,
// the CLI and the first-start bootstrap).
func NewUser(h *Hasher, name string, role store.Role, password string, now time.Time) (store.User, error) {
	if !UserNamePattern.MatchString(name) {
		return store.User{}, fmt.Errorf("user name %q must match %s", name, UserNamePattern)
	}
	if !role.Valid() {
		return store.User{}, fmt.Errorf("role %q is not viewer, moderator or admin", role)
	}
	if err := CheckPolicy(password); err != nil {
		return store.User{}, err
	}
	hash, err := h.Hash(password)
	if err != nil {
		return store.User{}, fmt.Errorf("hash password: %w", err)
	}
	return store.User{Name: name, Role: role, PasswordHash: hash, CreatedAt: now.UTC()}, nil
}
