package ingest

import (
	"strings"
	"testing"
	"time"
)

func TestIngestThrottleMemoryBound(t *testing.T) {
	th := newThrottle()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for i := range ingestAuditKeys + 500 {
		if _, ok := th.admit(strings.Repeat("k", i%9)+time.Duration(i).String(), now); !ok {
			t.Fatalf("first line of a new pair %d not audited", i)
		}
	}
	if len(th.seen) > ingestAuditKeys {
		t.Fatalf("%d pairs tracked", len(th.seen))
	}
	now = now.Add(ingestAuditPeriod)
	th.admit("fresh", now) // a full map of expired pairs is swept
	if len(th.seen) != 1 {
		t.Fatalf("%d pairs tracked after the period, want 1", len(th.seen))
	}
}
