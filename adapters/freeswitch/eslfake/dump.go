package eslfake

import (
	"bytes"
	"strings"
)

// dump is "uuid_dump <uuid> [json]": the channel as a CHANNEL_DATA event
// that is built (it takes an Event-Sequence) but never fired. The json form
// is one compact object without a trailing newline; the plain form is the
// URL-encoded header block ending in a blank line. Caller holds s.mu.
func (s *Server) dump(arg string) string {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return "-USAGE: <uuid> [format]\n"
	}
	ch := s.channels[f[0]]
	if ch == nil {
		return "-ERR No such channel!\n"
	}
	e := s.newEvent("CHANNEL_DATA", "", "mod_commands.c", "uuid_dump_function", 6468)
	e.addAll(ch.channelHeaders())
	e.addAll(ch.varHeaders())
	var b bytes.Buffer
	if len(f) > 1 && f[1] == "json" {
		b.WriteByte('{')
		for i, h := range e.headers {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(jsonString(h.name))
			b.WriteByte(':')
			b.Write(jsonString(h.value))
		}
		b.WriteByte('}')
		return b.String()
	}
	for _, h := range e.headers {
		b.WriteString(h.name + ": " + urlEncode(h.value) + "\n")
	}
	b.WriteByte('\n')
	return b.String()
}
