package freeswitch

import (
	"net/textproto"
	"testing"

	"github.com/percipia/eslgo"
)

// header finds any name the way eslgo's GetHeader does (canonical key,
// URL-decoded), and after the first lookup of a name it allocates nothing:
// the mapping reads about twenty headers per event, and the listener and
// audio-leg checks added names outside the prefilled table (their
// canonicalisation was half the allocations of BenchmarkMapTrace).
func TestHeaderLooksUpAnyNameWithoutAllocating(t *testing.T) {
	h := map[string][]string{}
	for name, v := range map[string]string{
		"variable_callboard_listen_call": "6d8b0d3e-1111-4c1a-9b9a-3c0d1b2e4f50",
		"CC-Member-UUID":                 "m-1",
		"variable_sip_h_X-Bot":           "bot%20one",
		"Unique-ID":                      "u-1",
	} {
		h[textproto.CanonicalMIMEHeaderKey(name)] = []string{v}
	}
	ev := &eslgo.Event{Headers: h}
	for name, want := range map[string]string{
		"variable_callboard_listen_call": "6d8b0d3e-1111-4c1a-9b9a-3c0d1b2e4f50",
		"cc-member-uuid":                 "m-1",
		"variable_sip_h_X-Bot":           "bot one",
		"Unique-ID":                      "u-1",
		"variable_absent":                "",
	} {
		if got := header(ev, name); got != want {
			t.Errorf("header(%q) = %q, want %q (eslgo: %q)", name, got, want, ev.GetHeader(name))
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		_ = header(ev, "variable_callboard_listen_call")
		_ = header(ev, "variable_"+varListenMode)
		_ = header(ev, "CC-Member-UUID")
	}); n != 0 {
		t.Fatalf("%v allocations per lookup of names seen before", n)
	}
}
