package oidc

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"time"
)

// pendingTTL is how long a started sign-in may take at the provider.
const pendingTTL = 10 * time.Minute

// maxPending bounds the sign-ins in progress (memory; anonymous callers
// start them).
const maxPending = 10000

// attempt is one sign-in in progress, kept under its state.
type attempt struct {
	nonce    string
	verifier string // PKCE
	browser  [32]byte
	expires  time.Time
}

// pendingSet holds attempts; take removes one, so a state works once.
type pendingSet struct {
	mu sync.Mutex
	m  map[string]attempt
}

func (p *pendingSet) put(state string, a attempt, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[string]attempt)
	}
	if len(p.m) >= maxPending {
		for k, v := range p.m {
			if !v.expires.After(now) {
				delete(p.m, k)
			}
		}
		if len(p.m) >= maxPending {
			return false
		}
	}
	p.m[state] = a
	return true
}

// take removes and returns the attempt of state if it was started by the
// browser holding cookie and is unexpired.
func (p *pendingSet) take(state, cookie string, now time.Time) (attempt, bool) {
	h := sha256.Sum256([]byte(cookie))
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.m[state]
	if !ok || subtle.ConstantTimeCompare(h[:], a.browser[:]) != 1 {
		// Another browser's attempt does not use the state up.
		return attempt{}, false
	}
	delete(p.m, state)
	if !a.expires.After(now) {
		return attempt{}, false
	}
	return a, true
}
