package asterisk

import (
	"slices"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// reset replaces everything with a snapshot (GET /channels, GET /bridges)
// and returns it plus the member channels that need TALK_DETECT. keep, when
// not nil, filters channels (those of other applications without subscribeAll).
// Calls are grouped as the event path groups them (calls.go), except that a
// ringing Dial is only linked once its next Dial event arrives.
func (s *state) reset(chans []ari.ChannelData, bridges []ari.BridgeData, now time.Time, keep func(*chanInfo) bool) (adapters.Snapshot, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	oldMarks, oldHolds, oldChans := s.marks, s.holds, s.channels
	chans, bridges = s.withoutSupervision(chans, bridges)
	s.clear()
	s.marks, s.holds = map[string]marks{}, map[string]bool{}
	listed := make(map[string]bool, len(chans))
	infos := make([]*chanInfo, len(chans))
	for i := range chans {
		listed[chans[i].ID] = true
		s.tombs.forget(chans[i].ID) // the PBX says it exists
		infos[i] = channelInfo(&chans[i])
	}
	// What callboard knew and the PBX no longer has ended: late events for
	// it must not bring it back.
	for id := range oldChans {
		if !listed[id] {
			s.tombs.add(id)
		}
	}
	// Oldest first, so that every call's root is its oldest channel.
	order := make([]int, len(chans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if older(infos[a], infos[b]) {
			return -1
		}
		if older(infos[b], infos[a]) {
			return 1
		}
		return 0
	})
	for _, i := range order {
		c := s.upsertChannel(&chans[i], now)
		if c == nil {
			continue
		}
		if keep != nil && !keep(c) && c.callID == c.id && len(s.calls[c.id].legs) == 1 {
			delete(s.channels, c.id)
			delete(s.calls, c.id)
			delete(s.byName, c.name)
			continue
		}
		// ARI has no answer time: an Up channel found by a snapshot was
		// answered at the latest now and at the earliest when it was
		// created; creation is stable across restarts, so it is used.
		if c.state == "Up" {
			c.answered = c.created
			if c.answered.IsZero() {
				c.answered = now
			}
		}
		if m, ok := oldMarks[c.id]; ok {
			s.marks[c.id] = m
		}
		if h, ok := oldHolds[c.id]; ok {
			s.holds[c.id] = h
		}
	}
	snap := adapters.Snapshot{Node: s.node, Calls: []adapters.Call{}, Conferences: []adapters.Conference{}, Members: []adapters.Member{}}
	var members []string
	for i := range bridges {
		s.tombs.forget(bridgeTomb(bridges[i].ID))
		b, ok := s.addBridge(&bridges[i], now)
		if !ok {
			continue
		}
		var first *chanInfo
		for _, id := range bridges[i].ChannelIDs {
			c := s.channels[id]
			if c == nil {
				continue
			}
			c.bridge, c.joined, c.joinGen = b.id, now, s.gen
			b.members = append(b.members, id)
			if !b.conference {
				if first == nil {
					first = c
				} else {
					s.link(first, c, now, nil) // nothing is shown yet: no events
				}
				continue
			}
			members = append(members, id)
		}
		if b.conference {
			snap.Conferences = append(snap.Conferences, s.conference(b))
		}
	}
	for _, ci := range s.calls {
		s.refresh(ci, nil)
		if c, ok := s.call(ci.id); ok {
			snap.Calls = append(snap.Calls, c)
		}
	}
	for _, id := range members {
		m, _ := s.member(id)
		s.lastMem[id] = m
		snap.Members = append(snap.Members, m)
	}
	slices.SortFunc(snap.Calls, func(a, b adapters.Call) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return snap, members
}

func suffix(name string) string {
	if i := strings.LastIndexByte(name, ';'); i >= 0 {
		return name[i:]
	}
	return ""
}

// effects are what one ARI event produced.
type effects struct {
	events      []adapters.Event
	talkDetect  []string // channels that just entered a conference bridge
	hangup      []string // supervision channels left over (listeners.go)
	dropBridges []string // supervision bridges left over
}

func (s *state) apply(ev ari.Event) effects {
	s.mu.Lock()
	defer s.mu.Unlock()
	var fx effects
	switch e := ev.(type) {
	case *ari.StasisStart:
		fx.events = s.channelChanged(&e.Channel, time.Time(e.Timestamp), nil)
	case *ari.ChannelCreated:
		fx.events = s.channelChanged(&e.Channel, time.Time(e.Timestamp), nil)
	case *ari.ChannelStateChange:
		fx.events = s.channelChanged(&e.Channel, time.Time(e.Timestamp), nil)
	case *ari.ChannelCallerID:
		fx.events = s.channelChanged(&e.Channel, time.Time(e.Timestamp), nil)
	case *ari.ChannelConnectedLine:
		fx.events = s.channelChanged(&e.Channel, time.Time(e.Timestamp), nil)
	case *ari.ChannelDialplan:
		fx.events = s.channelChanged(&e.Channel, time.Time(e.Timestamp), nil)
	case *ari.Dial:
		s.noteDial(e)
		fx.events = s.dial(e)
	case *ari.ChannelHold:
		fx.events = s.phoneHold(&e.Channel, true, time.Time(e.Timestamp))
	case *ari.ChannelUnhold:
		fx.events = s.phoneHold(&e.Channel, false, time.Time(e.Timestamp))
	case *ari.ChannelHangupRequest:
		if c := s.channels[e.Channel.ID]; c != nil {
			c.hangingUp = true
		}
	case *ari.ChannelDestroyed:
		if supervisionID(e.Channel.ID) {
			return s.supervisionEnded(e)
		}
		fx.events = s.channelDestroyed(e)
	case *ari.BridgeCreated:
		if b, ok := s.addBridge(&e.Bridge, time.Time(e.Timestamp)); ok && b.conference {
			fx.events = append(fx.events, adapters.ConferenceUpdated{Conference: s.conference(b)})
		}
	case *ari.BridgeDestroyed:
		if b := s.bridges[e.Bridge.ID]; b != nil {
			for _, id := range slices.Clone(b.members) {
				fx.events = s.leave(b, id, fx.events)
			}
			s.removeBridge(b)
			if b.conference {
				fx.events = append(fx.events, adapters.ConferenceEnded{Node: s.node, Name: b.conf})
			}
		}
	case *ari.ChannelEnteredBridge:
		fx = s.entered(e)
	case *ari.ChannelLeftBridge:
		if b := s.bridges[e.Bridge.ID]; b != nil {
			fx.events = s.leave(b, e.Channel.ID, nil)
		}
	case *ari.ChannelTalkingStarted:
		fx.events = s.talking(e.Channel.ID, true)
	case *ari.ChannelTalkingFinished:
		fx.events = s.talking(e.Channel.ID, false)
	case *ari.ChannelUserevent:
		fx.events = s.utterance(e)
	case *ari.PlaybackStarted:
		fx.events = s.prompt(&e.Playback, time.Time(e.Timestamp))
	}
	return fx
}

func (s *state) channelChanged(d *ari.ChannelData, at time.Time, out []adapters.Event) []adapters.Event {
	c := s.upsertChannel(d, at)
	if c == nil {
		return out
	}
	if ci := s.calls[c.callID]; ci != nil {
		nameCallee(ci, c)
		out = s.refresh(ci, out)
	}
	if c.bridge != "" {
		out = s.changedMember(c.id, out)
	}
	return out
}

// dial links the dialled channel to the dialling one's call. ARI's own
// originate dials too, with no caller: that releases the originated channel.
func (s *state) dial(e *ari.Dial) []adapters.Event {
	at := time.Time(e.Timestamp)
	peer := s.upsertChannel(&e.Peer, at)
	if peer == nil {
		return nil
	}
	if e.Caller.ID == "" {
		peer.released = true
		return s.refresh(s.calls[peer.callID], nil)
	}
	caller := s.upsertChannel(&e.Caller, at)
	if caller == nil {
		return nil
	}
	caller.released = true
	if ci := s.calls[caller.callID]; ci != nil && e.Dialstatus == "" {
		s.setCallee(ci, caller, e.Dialstring)
	}
	out := s.link(caller, peer, at, nil)
	return s.refresh(s.calls[caller.callID], out)
}

func (s *state) channelDestroyed(e *ari.ChannelDestroyed) []adapters.Event {
	at := time.Time(e.Timestamp)
	s.tombs.add(e.Channel.ID)
	c := s.channels[e.Channel.ID]
	if c == nil {
		return nil
	}
	var out []adapters.Event
	if b := s.bridges[c.bridge]; b != nil {
		c.hangingUp = true
		out = s.leave(b, c.id, out)
	}
	s.forgetChannel(c)
	return s.dropLeg(c, s.endCause(e), at, out)
}

// forgetChannel removes an ended channel's records (not its call).
func (s *state) forgetChannel(c *chanInfo) {
	delete(s.channels, c.id)
	if s.byName[c.name] == c.id {
		delete(s.byName, c.name)
	}
	delete(s.marks, c.id)
	delete(s.holds, c.id)
	delete(s.kicked, c.id)
	delete(s.lastMem, c.id)
}

func (s *state) entered(e *ari.ChannelEnteredBridge) effects {
	var fx effects
	at := time.Time(e.Timestamp)
	b := s.bridges[e.Bridge.ID]
	if b == nil {
		var ok bool
		if b, ok = s.addBridge(&e.Bridge, at); !ok {
			return fx
		}
		if b.conference {
			fx.events = append(fx.events, adapters.ConferenceUpdated{Conference: s.conference(b)})
		}
	}
	c := s.upsertChannel(&e.Channel, at)
	if c == nil {
		return fx
	}
	if old := s.bridges[c.bridge]; old != nil && old != b {
		fx.events = s.leave(old, c.id, fx.events)
	}
	if c.bridge != b.id {
		c.bridge, c.joined, c.talking, c.joinGen = b.id, at, false, s.gen
		b.members = append(b.members, c.id)
		if b.conference {
			fx.talkDetect = append(fx.talkDetect, c.id)
		}
	}
	if !b.conference {
		// A call bridge: its parties are one call.
		for _, id := range b.members {
			if o := s.channels[id]; o != nil && o != c {
				fx.events = s.link(o, c, at, fx.events)
			}
		}
		fx.events = s.refresh(s.calls[c.callID], fx.events)
		return fx
	}
	fx.events = append(fx.events, adapters.ConferenceUpdated{Conference: s.conference(b)})
	fx.events = s.changedMember(c.id, fx.events)
	fx.events = s.changedCall(c.callID, fx.events)
	return fx
}

func (s *state) leave(b *bridgeInfo, chID string, out []adapters.Event) []adapters.Event {
	i := slices.Index(b.members, chID)
	if i < 0 {
		return out
	}
	b.members = slices.Delete(b.members, i, i+1)
	c := s.channels[chID]
	if !b.conference {
		if c != nil {
			c.bridge = ""
		}
		return out
	}
	reason := adapters.LeftLeft
	switch {
	case s.kicked[chID]:
		reason = adapters.LeftKicked
		delete(s.kicked, chID)
	case c != nil && c.hangingUp:
		reason = adapters.LeftHangup
	}
	delete(s.lastMem, chID)
	out = append(out, adapters.MemberLeft{Node: s.node, Conference: b.conf, MemberID: chID, Reason: reason},
		adapters.ConferenceUpdated{Conference: s.conference(b)})
	if c != nil {
		c.bridge, c.talking = "", false
		out = s.changedCall(c.callID, out)
	}
	return out
}

func (s *state) talking(chID string, on bool) []adapters.Event {
	c := s.channels[chID]
	if c == nil || c.bridge == "" {
		return nil
	}
	c.talking = on
	return s.changedMember(chID, nil)
}
