// Package testutil holds the one way tests wait for something to happen:
// Eventually polls a condition until it holds or a generous timeout passes,
// so a test neither sleeps a fixed time (too short on a loaded machine, too
// long everywhere else) nor writes its own deadline loop.
//
// The timeout is generous on purpose: a passing test returns as soon as the
// condition holds, so only a failing one waits the whole Timeout, and -race on
// a busy two-core machine can be many times slower than a laptop.
package testutil

import (
	"testing"
	"time"
)

// Timeout is how long Eventually waits before it fails the test.
const Timeout = 15 * time.Second

// Eventually calls cond until it returns true, polling every few milliseconds,
// and fails the test (t.Fatalf, so call it from the test's goroutine) with
// "timed out after 15s waiting for <what>" if it never does.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	EventuallyNoError(t, what, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	})
}

// EventuallyNoError is Eventually for a check that says why it does not hold
// yet: it calls check until it returns nil, and on timeout the failure names
// what and the last error, for example the response last seen.
func EventuallyNoError(t testing.TB, what string, check func() error) {
	t.Helper()
	poll(t, Timeout, what, check)
}

func poll(t testing.TB, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			if err == errNotYet {
				t.Fatalf("timed out after %v waiting for %s", timeout, what)
			}
			t.Fatalf("timed out after %v waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(pause)
		pause = min(2*pause, 20*time.Millisecond)
	}
}

type notYet struct{}

func (notYet) Error() string { return "condition not met" }

var errNotYet error = notYet{}
