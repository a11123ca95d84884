package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Password policy.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// ErrMismatch is returned for a wrong password.
var ErrMismatch = errors.New("password does not match")

const saltLen, keyLen = 16, 32

var b64 = base64.RawStdEncoding

// CheckPolicy reports why a new password is not acceptable.
func CheckPolicy(pw string) error {
	if len(pw) < MinPasswordLen {
		return fmt.Errorf("password must be at least %d characters", MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return fmt.Errorf("password must be at most %d characters", MaxPasswordLen)
	}
	return nil
}

// Hash returns the PHC string $argon2id$v=19$m=..,t=..,p=..$salt$key.
func Hash(pw string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks pw against a PHC string in constant time (for the key
// comparison; the cost is that of the stored parameters).
func Verify(pw, encoded string) error {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("password hash: not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("password hash: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: parameters: %w", err)
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 1<<22 || p.Time > 64 {
		return p, nil, nil, errors.New("password hash: parameters out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("password hash: salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("password hash: malformed key")
	}
	return p, salt, key, nil
}

// ErrBusy is returned when no password check could start before the
// context ended: every slot was taken.
var ErrBusy = errors.New("password check: too many in progress")

// Hasher hashes with fixed parameters and knows a dummy hash of the same
// cost, used to spend the same time on unknown user names. Its checks run
// in a bounded number of slots: each argon2id check holds Params.Memory
// (19 MiB by default), so a burst of sign-ins must queue, not allocate
// gigabytes.
type Hasher struct {
	Params Params
	dummy  string
	slots  chan struct{}
}

// DefaultMaxConcurrent is the default number of parallel password checks:
// two per CPU keeps the CPUs busy and memory at a few hundred MiB.
func DefaultMaxConcurrent() int { return 2 * runtime.GOMAXPROCS(0) }

// NewHasher precomputes the dummy hash; checks run in DefaultMaxConcurrent slots.
func NewHasher(p Params) (*Hasher, error) { return NewLimitedHasher(p, 0) }

// NewLimitedHasher is NewHasher with maxConcurrent parallel checks (<= 0:
// DefaultMaxConcurrent).
func NewLimitedHasher(p Params, maxConcurrent int) (*Hasher, error) {
	d, err := Hash("callboard-dummy-password", p)
	if err != nil {
		return nil, err
	}
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrent()
	}
	return &Hasher{Params: p, dummy: d, slots: make(chan struct{}, maxConcurrent)}, nil
}

// Hash hashes a new password.
func (h *Hasher) Hash(pw string) (string, error) { return Hash(pw, h.Params) }

// Verify checks pw against a stored PHC string once a slot is free; it
// returns ErrBusy if ctx ends first.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) error {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return ErrBusy
	}
	defer func() { <-h.slots }()
	return Verify(pw, encoded)
}

// VerifyDummy costs what Verify costs and fails: ErrMismatch, or ErrBusy
// like Verify.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) error {
	if err := h.Verify(ctx, pw, h.dummy); errors.Is(err, ErrBusy) {
		return err
	}
	return ErrMismatch
}
