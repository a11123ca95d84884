package arifake

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of the Go control API.
var (
	ErrNoChannel   = errors.New("arifake: no such channel")
	ErrNoBridge    = errors.New("arifake: no such bridge")
	ErrTalkOff     = errors.New("arifake: TALK_DETECT is not set on the channel")
	ErrNotInBridge = errors.New("arifake: channel is not in the bridge")
)

// ChannelSpec describes a new channel.
type ChannelSpec struct {
	Name      string // default "PJSIP/<number>-<seq>"
	Caller    Party
	Connected Party
	Exten     string   // dialplan extension; default "s"
	Args      []string // StasisStart args
	NoStasis  bool     // the channel stays in the dialplan (like a Local ;2 leg)
	Answered  bool     // created Up instead of Ring
}

// AddChannel creates a channel and, unless NoStasis, puts it into the Stasis
// application (ChannelCreated, then StasisStart). It returns the channel id.
func (s *Server) AddChannel(spec ChannelSpec) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("%d.%d", s.epoch, s.seq)
	s.seq++
	name := spec.Name
	if name == "" {
		name = fmt.Sprintf("PJSIP/%s-%08x", spec.Caller.Number, s.seq)
	}
	exten := spec.Exten
	if exten == "" {
		exten = "s"
	}
	state := "Ring"
	if spec.Answered {
		state = "Up"
	}
	ch := &channel{
		Channel: Channel{
			ID: id, Name: name, State: state, Caller: spec.Caller, Connected: spec.Connected,
			Dialplan:     Dialplan{Context: "from-external", Exten: exten, Priority: 1},
			Creationtime: stamp(time.Now()), Language: "en",
		},
		stasis: !spec.NoStasis, vars: map[string]string{}, muted: map[string]bool{},
	}
	s.channels[id] = ch
	s.order = append(s.order, id)
	s.emitLocked("ChannelCreated", map[string]any{"channel": ch.Channel})
	if ch.stasis {
		app := "callboard"
		for c := range s.conns {
			app = c.apps[0]
			break
		}
		ch.Dialplan.AppName = "Stasis"
		ch.Dialplan.AppData = strings.Join(append([]string{app}, spec.Args...), ",")
		args := spec.Args
		if args == nil {
			args = []string{}
		}
		s.emitLocked("StasisStart", map[string]any{"args": args, "channel": ch.Channel})
	}
	return id
}

func (s *Server) lookup(id string) (*channel, error) {
	ch, ok := s.channels[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoChannel, id)
	}
	return ch, nil
}

// Answer moves a channel to Up (ChannelStateChange).
func (s *Server) Answer(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(id)
	if err != nil {
		return err
	}
	ch.State = "Up"
	s.emitLocked("ChannelStateChange", map[string]any{"channel": ch.Channel})
	return nil
}

// Hangup hangs a channel up from the far end (cause 16, Normal Clearing).
func (s *Server) Hangup(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(id)
	if err != nil {
		return err
	}
	s.hangupLocked(ch, 16, "Normal Clearing", 0)
	return nil
}

// hangupLocked hangs up ch and then the rest of its chain (a Local pair, a
// Dial call), as Asterisk does within a few ms (a1, a2).
func (s *Server) hangupLocked(ch *channel, cause int, causeTxt string, softCause int) {
	s.hangupOneLocked(ch, cause, causeTxt, softCause)
	for _, id := range ch.chain {
		if o, ok := s.channels[id]; ok {
			s.hangupOneLocked(o, 16, "Normal Clearing", 0)
		}
	}
}

// hangupOneLocked follows the traced order: ChannelHangupRequest, (left
// bridge), StasisEnd, ChannelDestroyed. softCause 0 means a remote hangup.
func (s *Server) hangupOneLocked(ch *channel, cause int, causeTxt string, softCause int) {
	req := map[string]any{"channel": ch.Channel}
	if softCause != 0 {
		req["cause"], req["soft"] = softCause, true
	} else {
		req["cause"] = cause
	}
	s.emitLocked("ChannelHangupRequest", req)
	if b := s.bridges[ch.bridge]; b != nil {
		s.leaveLocked(b, ch)
	}
	if ch.stasis {
		s.emitLocked("StasisEnd", map[string]any{"channel": ch.Channel})
	}
	s.emitLocked("ChannelDestroyed", map[string]any{"cause": cause, "cause_txt": causeTxt, "channel": ch.Channel})
	delete(s.channels, ch.ID)
	// d1: a snooped channel's snoops end with it; an unbridged one with
	// StasisEnd and Destroyed cause 0 "Unknown" and no HangupRequest.
	for _, id := range ch.snoops {
		sn, ok := s.channels[id]
		if !ok {
			continue
		}
		if b := s.bridges[sn.bridge]; b != nil {
			s.hangupOneLocked(sn, 16, "Normal Clearing", 0)
			continue
		}
		s.emitLocked("StasisEnd", map[string]any{"channel": sn.Channel})
		s.emitLocked("ChannelDestroyed", map[string]any{"cause": 0, "cause_txt": "Unknown", "channel": sn.Channel})
		s.dropLocked(sn.ID)
	}
	s.dropLocked(ch.ID)
}

// dropLocked forgets an ended channel.
func (s *Server) dropLocked(id string) {
	delete(s.channels, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

// CreateBridge creates a Stasis mixing bridge named name and returns its id.
func (s *Server) CreateBridge(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &bridge{Bridge: Bridge{
		ID: newUUID(), Technology: "simple_bridge", BridgeType: "mixing", BridgeClass: "stasis",
		Creator: "Stasis", Name: name, Channels: []string{}, Creationtime: stamp(time.Now()), VideoMode: "talker",
	}}
	s.bridges[b.ID] = b
	s.border = append(s.border, b.ID)
	s.emitLocked("BridgeCreated", map[string]any{"bridge": b.snapshot()})
	return b.ID
}

// DestroyBridge deletes a bridge (members leave first, then BridgeDestroyed).
func (s *Server) DestroyBridge(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bridges[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoBridge, id)
	}
	s.destroyBridgeLocked(b)
	return nil
}

func (s *Server) destroyBridgeLocked(b *bridge) {
	for _, id := range append([]string{}, b.Channels...) {
		s.leaveLocked(b, s.channels[id])
	}
	s.emitLocked("BridgeDestroyed", map[string]any{"bridge": b.snapshot()})
	delete(s.bridges, b.ID)
	for i, id := range s.border {
		if id == b.ID {
			s.border = append(s.border[:i], s.border[i+1:]...)
			break
		}
	}
}

// lookupMembership finds a bridge and a channel for Enter and Leave; s.mu
// must be held.
func (s *Server) lookupMembership(bridgeID, channelID string) (*bridge, *channel, error) {
	b, ok := s.bridges[bridgeID]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoBridge, bridgeID)
	}
	ch, err := s.lookup(channelID)
	if err != nil {
		return nil, nil, err
	}
	return b, ch, nil
}

// Enter puts a channel into a bridge (ChannelEnteredBridge), leaving any
// bridge it was in first.
func (s *Server) Enter(bridgeID, channelID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ch, err := s.lookupMembership(bridgeID, channelID)
	if err != nil {
		return err
	}
	s.enterLocked(b, ch)
	return nil
}

func (s *Server) enterLocked(b *bridge, ch *channel) {
	if ch.bridge == b.ID {
		return
	}
	if old := s.bridges[ch.bridge]; old != nil {
		s.leaveLocked(old, ch)
	}
	ch.bridge = b.ID
	b.Channels = append(b.Channels, ch.ID)
	s.emitLocked("ChannelEnteredBridge", map[string]any{"bridge": b.snapshot(), "channel": ch.Channel})
}

// Leave takes a channel out of its bridge (ChannelLeftBridge).
func (s *Server) Leave(bridgeID, channelID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ch, err := s.lookupMembership(bridgeID, channelID)
	if err != nil {
		return err
	}
	if ch.bridge != b.ID {
		return fmt.Errorf("%w: %s", ErrNotInBridge, channelID)
	}
	s.leaveLocked(b, ch)
	return nil
}

func (s *Server) leaveLocked(b *bridge, ch *channel) {
	if ch == nil {
		return
	}
	for i, id := range b.Channels {
		if id == ch.ID {
			b.Channels = append(b.Channels[:i:i], b.Channels[i+1:]...)
			break
		}
	}
	ch.bridge = ""
	s.emitLocked("ChannelLeftBridge", map[string]any{"bridge": b.snapshot(), "channel": ch.Channel})
	if b.autoDestroy && len(b.Channels) == 0 {
		s.destroyBridgeLocked(b)
	}
}

// SetTalking emits ChannelTalkingStarted or ChannelTalkingFinished (with a
// duration in ms). Like Asterisk, it only works once TALK_DETECT(set) was
// set on the channel.
func (s *Server) SetTalking(channelID string, talking bool, duration time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(channelID)
	if err != nil {
		return err
	}
	if !ch.talkDetect {
		return fmt.Errorf("%w: %s", ErrTalkOff, channelID)
	}
	if talking {
		s.emitLocked("ChannelTalkingStarted", map[string]any{"channel": ch.Channel})
	} else {
		s.emitLocked("ChannelTalkingFinished", map[string]any{"channel": ch.Channel, "duration": duration.Milliseconds()})
	}
	return nil
}

// UserEvent emits ChannelUserevent name with vars, attached to channelID
// (or to no channel when channelID is empty).
func (s *Server) UserEvent(channelID, name string, vars map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := map[string]any{"eventname": name}
	if channelID != "" {
		ch, err := s.lookup(channelID)
		if err != nil {
			return err
		}
		ev["channel"] = ch.Channel
	}
	ue := map[string]any{"eventname": name}
	for k, v := range vars {
		ue[k] = v
	}
	ev["userevent"] = ue
	s.emitLocked("ChannelUserevent", ev)
	return nil
}

// ChannelState is what the fake knows about a channel that ARI does not show.
type ChannelState struct {
	Muted      map[string]bool // "in", "out"
	TalkDetect bool
	Bridge     string
	Vars       map[string]string
}

// State reports a channel's hidden state (mute, TALK_DETECT, bridge).
func (s *Server) State(channelID string) (ChannelState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(channelID)
	if err != nil {
		return ChannelState{}, err
	}
	st := ChannelState{Muted: map[string]bool{}, TalkDetect: ch.talkDetect, Bridge: ch.bridge, Vars: map[string]string{}}
	for k, v := range ch.muted {
		st.Muted[k] = v
	}
	for k, v := range ch.vars {
		st.Vars[k] = v
	}
	return st, nil
}

// MOH reports the music-on-hold class playing in a bridge ("" when none).
func (s *Server) MOH(bridgeID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bridges[bridgeID]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrNoBridge, bridgeID)
	}
	return b.moh, nil
}

// Channels lists the live channel ids in creation order.
func (s *Server) Channels() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.order...)
}

// Bridges lists the live bridge ids in creation order.
func (s *Server) Bridges() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.border...)
}

// SetTalkDetect turns talk detection on a channel on or off, as the
// TALK_DETECT dialplan function would (for demo channels no adapter touched).
func (s *Server) SetTalkDetect(channelID string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := s.lookup(channelID)
	if err != nil {
		return err
	}
	ch.talkDetect = on
	return nil
}
