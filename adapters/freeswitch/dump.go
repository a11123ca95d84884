package freeswitch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/percipia/eslgo"
)

// A restart mid-call must show the calls the live event path shows, with the
// same ids and answer times. `show channels as json` has neither the loopback
// pairing (other_loopback_leg_uuid) nor any answered time (see the
// call-control traces README, "Where answered time is"). `uuid_dump <uuid>
// json` has both: it is a CHANNEL_DATA event with the very headers channel
// events carry. So the snapshot dumps every listed channel and feeds the dumps
// through the live path's upsertLeg, in creation order: grouping, call ids
// (the oldest leg's uuid) and answer times are then the live path's by
// construction, not a second implementation of it.
//
// Cost: one api round trip per channel (0-1 ms each on the real 1.10.12),
// bounded by Node.maxDumps; channels past the bound fall back to their
// `show channels` row (bridge pairing only, no answer time).

// defaultMaxDumps bounds the uuid_dump round trips of one snapshot.
const defaultMaxDumps = 2000

// parseDump turns a `uuid_dump <uuid> json` reply (one compact JSON object of
// header -> value; a repeated header is an array of its values, as
// variable_DP_MATCH on the captured SIP leg) into an event. Values are raw,
// while header() URL-decodes anything with a '%': escape '%' so
// tone_stream://%(...) survives.
func parseDump(body string) (*eslgo.Event, error) {
	var kv map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &kv); err != nil {
		return nil, fmt.Errorf("parse uuid_dump reply: %w", err)
	}
	ev := &eslgo.Event{Headers: make(textproto.MIMEHeader, len(kv))}
	for k, raw := range kv {
		var vs []string
		var v string
		if json.Unmarshal(raw, &v) == nil {
			vs = []string{v}
		} else if json.Unmarshal(raw, &vs) != nil {
			continue // neither a string nor a list of them: not a header
		}
		for i := range vs {
			vs[i] = strings.ReplaceAll(vs[i], "%", "%25")
		}
		ev.Headers[textproto.CanonicalMIMEHeaderKey(k)] = vs
	}
	if !uuidPattern.MatchString(header(ev, "Unique-ID")) {
		return nil, fmt.Errorf("parse uuid_dump reply: no valid Unique-ID")
	}
	return ev, nil
}

// dumpChannels runs uuid_dump for up to limit of the listed channels. A
// channel that hung up since the listing answers -ERR and is left out (its
// hangup events follow the subscription); one whose dump does not parse
// keeps its row.
func (n *Node) dumpChannels(ctx context.Context, l *link, chans []channelRow) (dumps map[string]*eslgo.Event, gone map[string]bool, err error) {
	dumps, gone = map[string]*eslgo.Event{}, map[string]bool{}
	for i, r := range chans {
		if !uuidPattern.MatchString(r.UUID) {
			continue
		}
		if i >= n.maxDumps {
			n.log.Warn("snapshot: too many channels to dump; the rest have no answer time or loopback pairing",
				"channels", len(chans), "dumped", n.maxDumps)
			break
		}
		reply, err := l.api(ctx, "uuid_dump "+r.UUID+" json")
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot: %w", err)
		}
		if strings.HasPrefix(reply, "-ERR") {
			gone[r.UUID] = true
			continue
		}
		ev, err := parseDump(reply)
		if err != nil {
			n.log.Warn("snapshot: uuid_dump reply not understood; using the show channels row", "uuid", r.UUID, "err", err)
			continue
		}
		dumps[r.UUID] = ev
	}
	return dumps, gone, nil
}

// loadSnapshot fills the mapper's empty model from the listings and dumps.
// Legs go in creation order, oldest first, as their CHANNEL_CREATE events
// would: the first leg of a group names the call, exactly as live.
func (p *mapper) loadSnapshot(chans []channelRow, dumps map[string]*eslgo.Event, gone map[string]bool, confs []confRow, now time.Time) {
	type entry struct {
		row     channelRow
		dump    *eslgo.Event
		created int64 // µs
	}
	entries := make([]entry, 0, len(chans))
	for _, r := range chans {
		if gone[r.UUID] {
			continue
		}
		e := entry{row: r, dump: dumps[r.UUID]}
		if e.dump != nil {
			e.created, _ = strconv.ParseInt(header(e.dump, "Caller-Channel-Created-Time"), 10, 64)
		}
		if e.created <= 0 {
			secs, _ := strconv.ParseInt(r.CreatedEpoch, 10, 64)
			e.created = secs * 1e6
		}
		entries = append(entries, e)
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		switch {
		case a.created < b.created:
			return -1
		case a.created > b.created:
			return 1
		}
		return 0
	})
	for _, e := range entries {
		if e.dump != nil {
			p.upsertLeg(e.dump) // events are discarded: the snapshot reports the result
			p.firstSightCallee(e.row)
			continue
		}
		p.m.rowLeg(e.row)
	}
	p.m.loadConferences(confs, now)
}

// firstSightCallee makes a dumped leg's callee what the live path saw at
// CHANNEL_CREATE, which it keeps for the call's life: the destination then
// is the row's initial_dest (a loopback A leg's destination later reads as
// the extension it ran), and an originated (outbound) leg's callee name was
// the "Outbound Call" placeholder, which the cid flip later turns into the
// leg's own caller.
func (p *mapper) firstSightCallee(r channelRow) {
	l := p.m.legs[r.UUID]
	if l == nil {
		return
	}
	if r.InitialDest != "" {
		l.calleeNumber = r.InitialDest
	}
	if l.Direction == "outbound" && l.calleeName == l.callerName {
		l.calleeName = ""
	}
}
