package auth

import "time"

// Delay is how long an attempt for key must wait before its password is
// checked: nothing for the first SlowAfter failures, then SlowBase doubling
// per further failure, at most SlowMax. A key forgotten (no failure for
// Forget) or succeeded starts over. The wait is never a refusal: the right
// password, from anywhere, still gets in after it.
func (l *Limiter) Delay(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.keys[key]
	if !ok || l.cfg.Now().Sub(st.last) > l.cfg.Forget || st.strikes < l.cfg.SlowAfter {
		return 0
	}
	d := l.cfg.SlowBase << min(st.strikes-l.cfg.SlowAfter, 20)
	return min(d, l.cfg.SlowMax)
}

// Slow records a failure for a slowed key (no lockout, a longer Delay).
func (l *Limiter) Slow(key string) {
	l.mu.Lock()
	now := l.cfg.Now()
	if len(l.keys) >= l.cfg.MaxKeys {
		l.sweep(now)
	}
	st, ok := l.keys[key]
	if !ok {
		st = &limitState{}
		l.keys[key] = st
	} else if now.Sub(st.last) > l.cfg.Forget {
		st.strikes = 0
	}
	st.last = now
	st.strikes++
	recs := l.records([]string{key})
	l.mu.Unlock()
	l.save(recs)
}
