package freeswitch

import (
	"strconv"
	"strings"
	"time"

	"github.com/percipia/eslgo"
)

// eventName is the event's Event-Name. The sendevent re-fired by a parked
// channel has no Event-Name at all (traces README), only Event-Subclass: such
// an event is a CUSTOM one.
func eventName(ev *eslgo.Event) string {
	if n := ev.GetHeader("Event-Name"); n != "" {
		return n
	}
	if ev.GetHeader("Event-Subclass") != "" {
		return "CUSTOM"
	}
	return ""
}

// eventSeq returns Event-Sequence, FreeSWITCH's global event counter.
func eventSeq(ev *eslgo.Event) (uint64, bool) {
	s := ev.GetHeader("Event-Sequence")
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}

// microTime parses FreeSWITCH's microseconds-since-epoch timestamps; "0" and
// garbage give the zero time.
func microTime(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// eventTime is when FreeSWITCH emitted the event, or fallback when the event
// carries no Event-Date-Timestamp.
func eventTime(ev *eslgo.Event, fallback time.Time) time.Time {
	if t := microTime(ev.GetHeader("Event-Date-Timestamp")); !t.IsZero() {
		return t
	}
	return fallback
}

// boolHeader reports whether a "true"/"false" header is "true".
func boolHeader(ev *eslgo.Event, name string) bool {
	return strings.EqualFold(ev.GetHeader(name), "true")
}
