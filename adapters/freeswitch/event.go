package freeswitch

import (
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/percipia/eslgo"
)

// eventName is the event's Event-Name. The sendevent re-fired by a parked
// channel has no Event-Name at all (traces README), only Event-Subclass: such
// an event is a CUSTOM one.
func eventName(ev *eslgo.Event) string {
	if n := header(ev, "Event-Name"); n != "" {
		return n
	}
	if header(ev, "Event-Subclass") != "" {
		return "CUSTOM"
	}
	return ""
}

// eventSeq returns Event-Sequence, FreeSWITCH's global event counter.
func eventSeq(ev *eslgo.Event) (uint64, bool) {
	s := header(ev, "Event-Sequence")
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
	if t := microTime(header(ev, "Event-Date-Timestamp")); !t.IsZero() {
		return t
	}
	return fallback
}

// boolHeader reports whether a "true"/"false" header is "true".
func boolHeader(ev *eslgo.Event, name string) bool {
	return strings.EqualFold(header(ev, name), "true")
}

// header is eslgo's Event.GetHeader (first value, URL-decoded, "" when the
// value does not decode) without its per-call key canonicalisation, which
// allocates for every name that is not already canonical (variable_*,
// Caller-*-ID-*): mapping reads about twenty headers per event.
func header(ev *eslgo.Event, name string) string {
	vs := ev.Headers[canonicalKey(name)]
	if len(vs) == 0 {
		return ""
	}
	if strings.IndexByte(vs[0], '%') < 0 {
		return vs[0]
	}
	v, _ := url.PathUnescape(vs[0])
	return v
}

// canonicalKey is textproto.CanonicalMIMEHeaderKey(name), remembered: the
// names come from the code and the config (transcript rules, queue and
// listener variables), never from an event, so the cache stays small; it is
// bounded all the same.
func canonicalKey(name string) string {
	if key, ok := canonicalKeys[name]; ok {
		return key
	}
	if key, ok := moreKeys.Load(name); ok {
		return key.(string)
	}
	key := textproto.CanonicalMIMEHeaderKey(name)
	if moreKeysN.Load() < maxMoreKeys {
		if _, loaded := moreKeys.LoadOrStore(name, key); !loaded {
			moreKeysN.Add(1)
		}
	}
	return key
}

const maxMoreKeys = 1024

var (
	moreKeys  sync.Map // header name -> canonical key, for names not in canonicalKeys
	moreKeysN atomic.Int32
)

// canonicalKeys is filled once (read-only afterwards) with the header names
// the mapping reads most.
var canonicalKeys = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Event-Name", "Event-Subclass", "Event-Sequence", "Event-Date-Timestamp", "Unique-ID", "Hangup-Cause",
		"variable_other_loopback_leg_uuid", "Other-Leg-Unique-ID", "Channel-Call-UUID", "Bridge-A-Unique-ID",
		"Bridge-B-Unique-ID", "variable_originating_leg_uuid", "Call-Direction", "Caller-Orig-Caller-ID-Name",
		"Caller-Orig-Caller-ID-Number", "Caller-Caller-ID-Name", "Caller-Caller-ID-Number",
		"Caller-Channel-Created-Time", "Caller-Destination-Number", "Caller-Callee-ID-Name", "Channel-Name",
		"Channel-Call-State", "Answer-State", "Caller-Channel-Answered-Time", "Application", "Application-Data",
		"transcription-vendor", "Action", "Conference-Name", "Conference-Size", "Member-ID", "Talking", "Floor",
		"Hear", "Speak", "Mute-Detect", "Hold", "New-ID", "Old-ID", "Conference-Unique-ID", "Energy-Level",
		"Conference-Ghosts", "variable_" + DefaultBotPromptVariable,
	} {
		m[n] = textproto.CanonicalMIMEHeaderKey(n)
	}
	return m
}()
