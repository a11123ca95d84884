package asterisk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// reset replaces everything with a snapshot (GET /channels, GET /bridges)
// and returns it plus the member channels that need TALK_DETECT. keep, when
// not nil, filters channels (those of other applications without subscribeAll).
func (s *state) reset(chans []ari.ChannelData, bridges []ari.BridgeData, now time.Time, keep func(*chanInfo) bool) (adapters.Snapshot, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	oldMarks := s.marks
	s.clear()
	s.marks = map[string]marks{}
	// ";1" halves first so that ";2" halves find their call.
	slices.SortStableFunc(chans, func(a, b ari.ChannelData) int {
		return strings.Compare(suffix(a.Name), suffix(b.Name))
	})
	for i := range chans {
		c := s.upsertChannel(&chans[i], now)
		if keep != nil && !keep(c) && c.callID == c.id {
			delete(s.channels, c.id)
			continue
		}
		if m, ok := oldMarks[c.id]; ok {
			s.marks[c.id] = m
		}
	}
	snap := adapters.Snapshot{Node: s.node, Calls: []adapters.Call{}, Conferences: []adapters.Conference{}, Members: []adapters.Member{}}
	var members []string
	for i := range bridges {
		b, ok := s.addBridge(&bridges[i], now)
		if !ok {
			continue
		}
		for _, id := range bridges[i].ChannelIDs {
			if c := s.channels[id]; c != nil {
				c.bridge, c.joined = b.id, now
				b.members = append(b.members, id)
				members = append(members, id)
			}
		}
		snap.Conferences = append(snap.Conferences, s.conference(b))
	}
	for id := range s.channels {
		if c, ok := s.call(id); ok {
			s.lastCall[id] = c
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
	events     []adapters.Event
	talkDetect []string // channels that just entered a conference bridge
}

func (s *state) apply(ev ari.Event, userEvent string) effects {
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
	case *ari.ChannelHangupRequest:
		if c := s.channels[e.Channel.ID]; c != nil {
			c.hangingUp = true
		}
	case *ari.ChannelDestroyed:
		fx.events = s.channelDestroyed(e)
	case *ari.BridgeCreated:
		if b, ok := s.addBridge(&e.Bridge, time.Time(e.Timestamp)); ok {
			fx.events = append(fx.events, adapters.ConferenceUpdated{Conference: s.conference(b)})
		}
	case *ari.BridgeDestroyed:
		if b := s.bridges[e.Bridge.ID]; b != nil {
			for _, id := range slices.Clone(b.members) {
				fx.events = s.leave(b, id, fx.events)
			}
			s.removeBridge(b)
			fx.events = append(fx.events, adapters.ConferenceEnded{Node: s.node, Name: b.conf})
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
		if e.Eventname == userEvent {
			fx.events = s.utterance(e)
		}
	case *ari.PlaybackStarted:
		fx.events = s.prompt(&e.Playback, time.Time(e.Timestamp))
	}
	return fx
}

func (s *state) channelChanged(d *ari.ChannelData, at time.Time, out []adapters.Event) []adapters.Event {
	if d.ID == "" {
		return out
	}
	c := s.upsertChannel(d, at)
	out = s.changedCall(c.callID, out)
	if c.bridge != "" {
		out = s.changedMember(c.id, out)
	}
	return out
}

func (s *state) channelDestroyed(e *ari.ChannelDestroyed) []adapters.Event {
	c := s.channels[e.Channel.ID]
	if c == nil {
		return nil
	}
	var out []adapters.Event
	if b := s.bridges[c.bridge]; b != nil {
		c.hangingUp = true
		out = s.leave(b, c.id, out)
	}
	delete(s.channels, c.id)
	delete(s.marks, c.id)
	delete(s.kicked, c.id)
	if c.callID == c.id {
		delete(s.lastCall, c.id)
		out = append(out, adapters.CallEnded{Node: s.node, CallID: c.id, Cause: hangupCause(e.CauseTxt, e.Cause), At: time.Time(e.Timestamp)})
		// Legs left behind become their own calls so nothing lingers unseen.
		for _, o := range s.channels {
			if o.callID == c.id {
				o.callID = o.id
				out = s.changedCall(o.id, out)
			}
		}
		return out
	}
	return s.changedCall(c.callID, out)
}

func (s *state) entered(e *ari.ChannelEnteredBridge) effects {
	var fx effects
	b := s.bridges[e.Bridge.ID]
	if b == nil {
		var ok bool
		if b, ok = s.addBridge(&e.Bridge, time.Time(e.Timestamp)); !ok {
			return fx
		}
	}
	c := s.upsertChannel(&e.Channel, time.Time(e.Timestamp))
	if old := s.bridges[c.bridge]; old != nil && old != b {
		fx.events = s.leave(old, c.id, fx.events)
	}
	if c.bridge != b.id {
		c.bridge, c.joined, c.talking = b.id, time.Time(e.Timestamp), false
		b.members = append(b.members, c.id)
		fx.talkDetect = append(fx.talkDetect, c.id)
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
	reason := adapters.LeftLeft
	c := s.channels[chID]
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

// utterance maps a transcription user event (variables text, speaker, final).
func (s *state) utterance(e *ari.ChannelUserevent) []adapters.Event {
	vars, _ := e.Userevent.(map[string]any)
	text, _ := vars["text"].(string)
	if e.Channel.ID == "" || strings.TrimSpace(text) == "" {
		return nil
	}
	callID := e.Channel.ID
	if c := s.channels[callID]; c != nil {
		callID = c.callID
	}
	u := adapters.Utterance{
		Node: s.node, CallID: callID, Speaker: speaker(vars["speaker"]), Text: text,
		Final: truthy(vars["final"], true), At: time.Time(e.Timestamp),
	}
	u.Vendor, _ = vars["vendor"].(string)
	u.StartMs, u.EndMs = number(vars["start_ms"]), number(vars["end_ms"])
	return []adapters.Event{adapters.UtteranceAdded{Utterance: u}}
}

func speaker(v any) adapters.Speaker {
	switch s, _ := v.(string); adapters.Speaker(strings.ToLower(s)) {
	case adapters.SpeakerBot:
		return adapters.SpeakerBot
	case adapters.SpeakerAgent:
		return adapters.SpeakerAgent
	}
	return adapters.SpeakerCaller
}

// truthy reads a flag that arrives as a JSON bool or, from query-string
// senders, as a string (the trace has "final":"true").
func truthy(v any, def bool) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		switch strings.ToLower(t) {
		case "true", "1", "yes":
			return true
		case "false", "0", "no":
			return false
		}
	case float64:
		return t != 0
	}
	return def
}

func number(v any) int64 {
	switch t := v.(type) {
	case float64:
		return int64(t)
	case string:
		var n int64
		if _, err := fmt.Sscan(t, &n); err == nil {
			return n
		}
	}
	return 0
}

// prompt turns a channel playback into a bot transcript line, once per id.
func (s *state) prompt(p *ari.PlaybackData, at time.Time) []adapters.Event {
	chID, ok := strings.CutPrefix(p.TargetURI, "channel:")
	if !ok || s.playbacks[p.ID] {
		return nil
	}
	if len(s.playbacks) > 10000 {
		clear(s.playbacks) // only duplicates arriving together matter
	}
	s.playbacks[p.ID] = true
	callID := chID
	if c := s.channels[chID]; c != nil {
		callID = c.callID
	}
	media := p.MediaURI
	if _, name, ok := strings.Cut(media, ":"); ok {
		media = name
	}
	return []adapters.Event{adapters.UtteranceAdded{Utterance: adapters.Utterance{
		Node: s.node, CallID: callID, Speaker: adapters.SpeakerBot, Text: "[prompt] " + media, Final: true, Vendor: "ari-playback", At: at,
	}}}
}

// mark records callboard's own successful mute/deaf call.
func (s *state) mark(chID string, set func(*marks)) []adapters.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.marks[chID]
	set(&m)
	if _, ok := s.channels[chID]; !ok {
		return nil
	}
	s.marks[chID] = m
	return s.changedMember(chID, nil)
}

func (s *state) markKicked(chID string) {
	s.mu.Lock()
	s.kicked[chID] = true
	s.mu.Unlock()
}

// unmarkKicked withdraws markKicked after a failed kick.
func (s *state) unmarkKicked(chID string) {
	s.mu.Lock()
	delete(s.kicked, chID)
	s.mu.Unlock()
}

// lookupMember resolves a conference name and member id to ARI ids.
func (s *state) lookupMember(conf, member string) (bridgeID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bridges[s.confs[conf]]
	if b == nil {
		return "", fmt.Errorf("conference %s: %w", conf, adapters.ErrNotFound)
	}
	if member != "" && !slices.Contains(b.members, member) {
		return "", fmt.Errorf("member %s of %s: %w", member, conf, adapters.ErrNotFound)
	}
	return b.id, nil
}

func (s *state) hasCall(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[id]
	return c != nil && c.callID == id
}
