package auth

import (
	"sync"
	"time"
)

// LimiterConfig tunes the sign-in limiter. Zero values take the defaults.
type LimiterConfig struct {
	MaxFailures int           // failures per Window before a lockout; default 5
	Window      time.Duration // default 1 minute
	BaseLockout time.Duration // first lockout; doubles with each further one; default 1 minute
	MaxLockout  time.Duration // default 30 minutes
	Forget      time.Duration // a key with no failure for this long starts over; default 1 hour
	MaxKeys     int           // memory bound; default 100000
	// SlowAfter is how many failures a slowed key (a user name) takes
	// before its attempts are delayed; default 3. SlowBase is the first
	// delay, doubling per further failure up to SlowMax (defaults 250ms, 8s).
	SlowAfter         int
	SlowBase, SlowMax time.Duration
	// Store keeps the state across restarts (nil: memory only); see Load.
	Store LimitStore
	Now   func() time.Time
}

// Limiter counts sign-in failures per key and either locks a key out for
// exponentially growing periods (Acquire/Release: an address) or slows it
// down with growing delays (Slow/Delay: a user name — locking a name out
// would let anyone lock its owner out). With a Store its state survives a
// restart: a restart must not forgive an attacker.
type Limiter struct {
	cfg  LimiterConfig
	mu   sync.Mutex
	keys map[string]*limitState
}

type limitState struct {
	windowStart time.Time
	failures    int
	lockouts    int
	lockedUntil time.Time
	last        time.Time
	pending     int // attempts acquired and not yet released
	strikes     int // failures of a slowed key since its last success
}

// NewLimiter returns a Limiter.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Minute
	}
	if cfg.BaseLockout <= 0 {
		cfg.BaseLockout = time.Minute
	}
	if cfg.MaxLockout <= 0 {
		cfg.MaxLockout = 30 * time.Minute
	}
	if cfg.Forget <= 0 {
		cfg.Forget = time.Hour
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 100000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SlowAfter <= 0 {
		cfg.SlowAfter = 3
	}
	if cfg.SlowBase <= 0 {
		cfg.SlowBase = 250 * time.Millisecond
	}
	if cfg.SlowMax <= 0 {
		cfg.SlowMax = 8 * time.Second
	}
	return &Limiter{cfg: cfg, keys: make(map[string]*limitState)}
}

// Blocked returns how long the longest lockout among keys still lasts (0: free).
func (l *Limiter) Blocked(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	var wait time.Duration
	for _, k := range keys {
		if st, ok := l.keys[k]; ok && st.lockedUntil.After(now) {
			wait = max(wait, st.lockedUntil.Sub(now))
		}
	}
	return wait
}

// InFlightRetry is the wait suggested when a key's attempts are all in
// flight: they finish within a password hash or two.
const InFlightRetry = time.Second

// Acquire reserves one attempt for every key before the slow password check,
// so parallel guesses count against the limit at once: a key admits at most
// MaxFailures attempts that are failures or still in flight. ok false means
// nothing was reserved and wait says how long to back off. Every successful
// Acquire must be followed by exactly one Release with the same keys.
func (l *Limiter) Acquire(keys ...string) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.cfg.Now()
	for _, k := range keys {
		st, found := l.keys[k]
		if !found {
			continue
		}
		if st.lockedUntil.After(now) {
			wait = max(wait, st.lockedUntil.Sub(now))
			continue
		}
		failures := st.failures
		if now.Sub(st.windowStart) > l.cfg.Window || now.Sub(st.last) > l.cfg.Forget {
			failures = 0
		}
		if failures+st.pending >= l.cfg.MaxFailures {
			wait = max(wait, InFlightRetry)
		}
	}
	if wait > 0 {
		return wait, false
	}
	if len(l.keys) >= l.cfg.MaxKeys {
		l.sweep(now)
	}
	for _, k := range keys {
		st, found := l.keys[k]
		if !found {
			st = &limitState{last: now}
			l.keys[k] = st
		}
		st.pending++
	}
	return 0, true
}

// Release ends an attempt reserved by Acquire. failed records a failure for
// every key, as Fail does, and returns the resulting lockout.
func (l *Limiter) Release(failed bool, keys ...string) time.Duration {
	l.mu.Lock()
	for _, k := range keys {
		if st, ok := l.keys[k]; ok && st.pending > 0 {
			st.pending--
		}
	}
	if !failed {
		l.mu.Unlock()
		return 0
	}
	wait := l.fail(keys)
	recs := l.records(keys)
	l.mu.Unlock()
	l.save(recs)
	return wait
}

// Fail records a failure for every key and returns the resulting lockout (0: none yet).
func (l *Limiter) Fail(keys ...string) time.Duration {
	l.mu.Lock()
	wait := l.fail(keys)
	recs := l.records(keys)
	l.mu.Unlock()
	l.save(recs)
	return wait
}

func (l *Limiter) fail(keys []string) time.Duration {
	now := l.cfg.Now()
	if len(l.keys) >= l.cfg.MaxKeys {
		l.sweep(now)
	}
	var wait time.Duration
	for _, k := range keys {
		st, ok := l.keys[k]
		if !ok || now.Sub(st.last) > l.cfg.Forget {
			pending := 0
			if ok {
				pending = st.pending // attempts in flight survive the reset
			}
			st = &limitState{pending: pending}
			l.keys[k] = st
		}
		st.last = now
		if now.Sub(st.windowStart) > l.cfg.Window {
			st.windowStart, st.failures = now, 0
		}
		st.failures++
		if st.failures >= l.cfg.MaxFailures {
			st.lockouts++
			d := l.cfg.BaseLockout << min(st.lockouts-1, 20)
			d = min(d, l.cfg.MaxLockout)
			st.lockedUntil = now.Add(d)
			st.failures, st.windowStart = 0, now
		}
		if st.lockedUntil.After(now) {
			wait = max(wait, st.lockedUntil.Sub(now))
		}
	}
	return wait
}

// Succeed forgets the keys' failures (not their running lockout).
func (l *Limiter) Succeed(keys ...string) {
	l.mu.Lock()
	var gone []string
	for _, k := range keys {
		if st, ok := l.keys[k]; ok && !st.lockedUntil.After(l.cfg.Now()) {
			gone = append(gone, k)
			if st.pending > 0 {
				// Other attempts are in flight: keep their reservations.
				st.failures, st.lockouts, st.strikes = 0, 0, 0
				continue
			}
			delete(l.keys, k)
		}
	}
	l.mu.Unlock()
	l.forget(gone)
}

// sweep drops forgotten keys; if the map is still full, it drops the
// unlocked ones (a flood of distinct names must not grow memory without end).
func (l *Limiter) sweep(now time.Time) {
	for k, st := range l.keys {
		if now.Sub(st.last) > l.cfg.Forget && st.pending == 0 {
			delete(l.keys, k)
		}
	}
	if len(l.keys) < l.cfg.MaxKeys {
		return
	}
	for k, st := range l.keys {
		if !st.lockedUntil.After(now) && st.pending == 0 {
			delete(l.keys, k)
		}
	}
}
