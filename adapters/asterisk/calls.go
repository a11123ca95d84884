package asterisk

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
)

// A call is what a person would name: a group of channels joined by
//   - the two halves of a Local channel (";1" and ";2"),
//   - a Dial (the channel running Dial and the channel it dialled),
//   - a bridge that is not a conference (Dial's basic bridge, Bridge(),
//     transfers; see ConferenceBridges).
//
// The call's id is its oldest channel's id (creation time, then the
// sequence in the channel id), so the live event path and a snapshot after
// a restart name the same call the same way. Its caller is that channel's
// caller id; its callee is what was dialled, fixed once (see setCallee).
//
// A group is shown only once one of its channels is "released": a channel
// Asterisk created to be dialled (state Down, or app AppDial) is not a call
// of its own, it is about to be linked to its caller by the Dial event that
// follows; showing it first would show a call that then vanishes.
type callInfo struct {
	id         string
	root       *chanInfo // the oldest channel's latest data, kept after it ends
	legs       []string
	calleeNum  string
	calleeName string
	calleeSet  bool // the callee is fixed
	fromDial   bool // ... by a Dial event or a channel running Dial
	published  bool
}

func isLocal(c *chanInfo) bool { return strings.HasPrefix(c.name, "Local/") }

func localHalf(c *chanInfo) string {
	if !isLocal(c) {
		return ""
	}
	return suffix(c.name)
}

// releasable says whether a channel makes its call visible by itself.
func releasable(c *chanInfo) bool {
	switch {
	case c.appName == "Stasis" || c.appName == "Dial":
		return true
	case c.appName == "AppDial": // being dialled: its Dial event links it
		return false
	case localHalf(c) == ";2": // the far half: its ";1" decides
		return false
	}
	return c.state != "Down" && c.state != ""
}

// older orders channels by creation time, then by the sequence in the id.
func older(a, b *chanInfo) bool {
	if !a.created.Equal(b.created) && !a.created.IsZero() && !b.created.IsZero() {
		return a.created.Before(b.created)
	}
	// A channel callboard originated is the origin of whatever its
	// dialplan creates in the same millisecond: the call keeps its id.
	if ao, bo := ownCall(a.id), ownCall(b.id); ao != bo {
		return ao
	}
	as, bs := idSeq(a.id), idSeq(b.id)
	if as[0] != bs[0] {
		return as[0] < bs[0]
	}
	if as[1] != bs[1] {
		return as[1] < bs[1]
	}
	return a.id < b.id
}

// idSeq parses "<unix seconds>.<sequence>"; other ids sort last.
func idSeq(id string) [2]int64 {
	sec, seq, ok := strings.Cut(id, ".")
	a, err1 := strconv.ParseInt(sec, 10, 64)
	b, err2 := strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return [2]int64{1<<62 - 1, 0}
	}
	return [2]int64{a, b}
}

// join puts a new channel into its Local partner's call or a call of its own.
func (s *state) join(c *chanInfo) {
	if half := localHalf(c); half != "" {
		other := ";1"
		if half == ";1" {
			other = ";2"
		}
		if pid, ok := s.byName[strings.TrimSuffix(c.name, half)+other]; ok {
			if p := s.channels[pid]; p != nil && s.calls[p.callID] != nil {
				ci := s.calls[p.callID]
				c.callID = ci.id
				ci.legs = append(ci.legs, c.id)
				if older(c, ci.root) {
					s.rename(ci, c)
				}
				return
			}
		}
	}
	c.callID = c.id
	s.calls[c.id] = &callInfo{id: c.id, root: c, legs: []string{c.id}}
}

// rename makes c the root of ci (only while ci is not shown yet, or from
// reset, where nothing was shown): a shown call never changes its id.
func (s *state) rename(ci *callInfo, c *chanInfo) {
	if ci.published {
		return
	}
	delete(s.calls, ci.id)
	ci.id, ci.root = c.id, c
	for _, l := range ci.legs {
		if lc := s.channels[l]; lc != nil {
			lc.callID = c.id
		}
	}
	s.calls[c.id] = ci
}

// link merges the calls of a and b into the call of the older root. A call
// that was already shown and is folded into another ends with cause MERGED
// (history folds its row into the survivor's).
func (s *state) link(a, b *chanInfo, at time.Time, out []adapters.Event) []adapters.Event {
	ka, kb := s.calls[a.callID], s.calls[b.callID]
	if ka == nil || kb == nil || ka == kb {
		return out
	}
	keep, gone := ka, kb
	if older(kb.root, ka.root) {
		keep, gone = kb, ka
	}
	for _, l := range gone.legs {
		if lc := s.channels[l]; lc != nil {
			lc.callID = keep.id
		}
	}
	keep.legs = append(keep.legs, gone.legs...)
	if gone.fromDial && !keep.fromDial {
		keep.calleeNum, keep.calleeName, keep.calleeSet, keep.fromDial = gone.calleeNum, gone.calleeName, true, true
	}
	delete(s.calls, gone.id)
	if gone.published {
		delete(s.lastCall, gone.id)
		out = append(out, adapters.CallEnded{Node: s.node, CallID: gone.id, Cause: causeMerged, At: at})
		keep.published = true
	}
	return s.refresh(keep, out)
}

// causeMerged is the cause of a call folded into another (as FreeSWITCH's).
const causeMerged = "MERGED"

// refresh publishes a call once a leg is released and reports changes.
func (s *state) refresh(ci *callInfo, out []adapters.Event) []adapters.Event {
	if !ci.published {
		for _, l := range ci.legs {
			if lc := s.channels[l]; lc != nil && lc.released {
				ci.published = true
				break
			}
		}
		if !ci.published {
			return out
		}
	}
	s.setCallee(ci, nil, "")
	return s.changedCall(ci.id, out)
}

// setCallee fixes what was dialled. A Dial fixes it from the dialling
// channel's dialplan extension (what the caller dialled), or the dial
// string's resource when the extension is "s"; without a Dial, the oldest
// channel's extension when the call is first shown. Connected-line updates
// never change it: through Local chains they carry other parties' names.
func (s *state) setCallee(ci *callInfo, dialer *chanInfo, dialstring string) {
	if dialer != nil && !ci.fromDial {
		num := dialer.exten
		if num == "" || num == "s" {
			num, _, _ = strings.Cut(dialstring, "@")
			if i := strings.LastIndexByte(num, '/'); i >= 0 {
				num = num[i+1:]
			}
		}
		ci.calleeNum, ci.calleeName, ci.calleeSet, ci.fromDial = num, "", true, true
		return
	}
	if ci.calleeSet {
		return
	}
	// A snapshot: a leg still running Dial tells what was dialled.
	for _, l := range ci.legs {
		if lc := s.channels[l]; lc != nil && lc.appName == "Dial" && lc.exten != "" && lc.exten != "s" {
			ci.calleeNum, ci.calleeSet, ci.fromDial = lc.exten, true, true
			nameCallee(ci, lc)
			return
		}
	}
	r := ci.root
	ci.calleeNum = r.exten
	if ci.calleeNum == "" || ci.calleeNum == "s" {
		ci.calleeNum = r.connNum
	}
	if r.connNum == ci.calleeNum && r.connNum != r.callerNum {
		ci.calleeName = r.connName
	}
	ci.calleeSet = true
}

// nameCallee takes the callee's name from the dialling channel's connected
// line (the dialled endpoint's caller id, sent when it answers), once, and
// only when that line carries the dialled number: through Local chains the
// connected line carries other parties (a1: the caller itself).
func nameCallee(ci *callInfo, dialer *chanInfo) {
	if ci.fromDial && ci.calleeName == "" && dialer.appName == "Dial" && dialer.connName != "" && dialer.connNum == ci.calleeNum {
		ci.calleeName = dialer.connName
	}
}

func (s *state) call(id string) (adapters.Call, bool) {
	ci := s.calls[id]
	if ci == nil || !ci.published {
		return adapters.Call{}, false
	}
	p := ci.root
	c := adapters.Call{
		Node: s.node, ID: id, CallerNumber: p.callerNum, CallerName: p.callerName,
		CalleeNumber: ci.calleeNum, CalleeName: ci.calleeName, Direction: "inbound",
		State: adapters.CallRinging, CreatedAt: p.created, AnsweredAt: p.answered,
	}
	if p.state == "Up" {
		c.State = adapters.CallActive
	}
	held := false
	for _, l := range ci.legs {
		lc := s.channels[l]
		if lc == nil {
			continue
		}
		if b := s.bridges[lc.bridge]; b != nil && b.conference && c.Conference == "" {
			c.Conference = b.conf
		}
		held = held || lc.held || s.holds[l]
		st := adapters.CallRinging
		if lc.state == "Up" {
			st = adapters.CallActive
		}
		c.Legs = append(c.Legs, adapters.Leg{UUID: lc.id, Name: lc.name, Direction: "inbound", State: st, CreatedAt: lc.created})
	}
	c.Listeners = s.listenersOf(id)
	if held && c.State == adapters.CallActive {
		c.State = adapters.CallHeld
	}
	slices.SortStableFunc(c.Legs, func(a, b adapters.Leg) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return c, true
}

// dropLeg removes an ended channel from its call and reports the call's
// end when it was the last leg.
func (s *state) dropLeg(c *chanInfo, cause string, at time.Time, out []adapters.Event) []adapters.Event {
	ci := s.calls[c.callID]
	if ci == nil {
		return out
	}
	if i := slices.Index(ci.legs, c.id); i >= 0 {
		ci.legs = slices.Delete(ci.legs, i, i+1)
	}
	if len(ci.legs) > 0 {
		return s.changedCall(ci.id, out)
	}
	delete(s.calls, ci.id)
	delete(s.lastCall, ci.id)
	if !ci.published {
		return out
	}
	return append(out, adapters.CallEnded{Node: s.node, CallID: ci.id, Cause: cause, At: at})
}

func (s *state) hasCall(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ci := s.calls[id]
	return ci != nil && ci.published
}
