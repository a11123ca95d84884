package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Prefixes make leaked secrets recognisable to secret scanners.
const (
	SessionPrefix  = "cbs_"
	APITokenPrefix = "cbt_"
)

// NewSecret returns prefix + 256 random bits, URL-safe.
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// NewID returns a random 128-bit hex handle (session and token ids shown to admins).
func NewID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// HashSecret is the at-rest form of a session or API token. The secret has
// 256 bits of entropy, so a plain SHA-256 is enough (no stretching needed).
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CSRFToken derives the session's CSRF token from its secret (domain
// separated from HashSecret): nothing to store, and it does not reveal the
// session secret.
func CSRFToken(sessionSecret string) string {
	h := sha256.Sum256([]byte("callboard-csrf\x00" + sessionSecret))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
