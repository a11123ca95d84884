package testutil

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestEventuallyReturnsOnceTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	Eventually(t, "three calls", func() bool { return n.Add(1) == 3 })
	if got := n.Load(); got != 3 {
		t.Fatalf("cond called %d times, want 3", got)
	}
	var m int
	EventuallyNoError(t, "no error", func() error {
		if m++; m < 2 {
			return errors.New("not yet")
		}
		return nil
	})
}

// fakeT records a Fatalf instead of stopping the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func TestEventuallyFailureNamesWhatAndTheLastError(t *testing.T) {
	f := &fakeT{TB: t}
	func() {
		defer func() {
			if r := recover(); r != f {
				t.Fatalf("recovered %v", r)
			}
		}()
		poll(f, 50*time.Millisecond, "the moon", func() error { return errors.New("still night") })
	}()
	if !strings.Contains(f.msg, "the moon") || !strings.Contains(f.msg, "still night") {
		t.Fatalf("failure message %q", f.msg)
	}
}
