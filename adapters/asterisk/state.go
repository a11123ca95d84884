package asterisk

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/CyCoreSystems/ari/v6"
	"github.com/gogo/protobuf/types"

	"github.com/callboard/callboard/adapters"
)

// chanInfo is what callboard knows about one ARI channel.
type chanInfo struct {
	id, name, state         string
	callerName, callerNum   string
	connName, connNum       string
	exten, appName, appData string
	created, answered       time.Time
	callID                  string // the call this channel is a leg of
	bridge                  string // bridge id (conference or not), "" when none
	joined                  time.Time
	talking, hangingUp      bool
	// released: this channel alone makes its call visible (see calls.go).
	released bool
	held     bool   // ChannelHold seen without ChannelUnhold
	gen      uint64 // state generation when first seen (reconciliation)
	joinGen  uint64 // generation when it entered its bridge
}

// marks are the mute/deaf states callboard itself set (ARI cannot report them).
type marks struct{ muted, deaf bool }

type bridgeInfo struct {
	id, conf   string // conf is the conference name shown to users
	conference bool   // false: a call bridge (Dial, Bridge(), transfers)
	created    time.Time
	members    []string
	gen        uint64
}

// state maps ARI objects to callboard's model. The session goroutine mutates
// it; Do only reads the lookups, hence the mutex.
type state struct {
	node  string
	rule  ConferenceBridges
	rules []adapters.TranscriptRule

	mu        sync.Mutex
	channels  map[string]*chanInfo
	byName    map[string]string // channel name -> id (Local pairs)
	calls     map[string]*callInfo
	bridges   map[string]*bridgeInfo
	confs     map[string]string // conference name -> bridge id
	marks     map[string]marks  // channel id -> callboard's own mute/deaf
	holds     map[string]bool   // channel id -> held by callboard itself
	kicked    map[string]bool   // channels callboard removed from a bridge
	playbacks map[string]bool   // playback ids already shown (bridge events come twice)
	lastCall  map[string]adapters.Call
	lastMem   map[string]adapters.Member
	tombs     *tombstones // survives resets: ended channels and bridges
	// Call control (supervise.go), kept across resets like holds:
	originated map[string]string       // own originated channel -> its last failing Dial status
	sups       map[string]*supervision // supervisor channel id -> its supervision (listeners.go)
	gen        uint64                  // counts channels and bridges ever seen
}

func newState(node string) *state {
	s := &state{node: node, marks: map[string]marks{}, holds: map[string]bool{}, tombs: newTombstones(tombstoneCap, tombstoneTTL),
		originated: map[string]string{}, sups: map[string]*supervision{}}
	s.rule = DefaultConferenceBridges()
	s.rules = DefaultTranscripts("transcription")
	s.clear()
	return s
}

func (s *state) clear() {
	s.channels, s.bridges, s.confs = map[string]*chanInfo{}, map[string]*bridgeInfo{}, map[string]string{}
	s.byName, s.calls = map[string]string{}, map[string]*callInfo{}
	s.kicked, s.playbacks = map[string]bool{}, map[string]bool{}
	s.lastCall, s.lastMem = map[string]adapters.Call{}, map[string]adapters.Member{}
}

func channelInfo(d *ari.ChannelData) *chanInfo {
	c := &chanInfo{id: d.ID, name: d.Name, state: d.State}
	if d.Caller != nil {
		c.callerName, c.callerNum = d.Caller.Name, d.Caller.Number
	}
	if d.Connected != nil {
		c.connName, c.connNum = d.Connected.Name, d.Connected.Number
	}
	if d.Dialplan != nil {
		c.exten, c.appName, c.appData = d.Dialplan.Exten, d.Dialplan.AppName, d.Dialplan.AppData
	}
	if d.Creationtime != nil {
		if t, err := types.TimestampFromProto(d.Creationtime); err == nil {
			c.created = t
		}
	}
	return c
}

// inApp says whether a channel is in Stasis application app.
func (c *chanInfo) inApp(app string) bool {
	first, _, _ := strings.Cut(c.appData, ",")
	return c.appName == "Stasis" && first == app
}

// upsertChannel records d and returns the channel's entry, or nil for a
// channel that already ended: a late event never resurrects it.
func (s *state) upsertChannel(d *ari.ChannelData, at time.Time) *chanInfo {
	if d.ID == "" || s.tombs.has(d.ID) || supervisionID(d.ID) || isAudioHelper(d.ID) {
		return nil // supervision and audio helper channels are never calls
	}
	n := channelInfo(d)
	old := s.channels[d.ID]
	if old != nil {
		n.callID, n.bridge, n.joined, n.talking, n.hangingUp, n.answered = old.callID, old.bridge, old.joined, old.talking, old.hangingUp, old.answered
		n.released, n.held, n.gen, n.joinGen = old.released, old.held, old.gen, old.joinGen
		if n.created.IsZero() {
			n.created = old.created
		}
		if n.name == "" {
			n.name = old.name
		}
		if old.state != "Up" && n.state == "Up" {
			n.answered = at
		}
		if n.appName == "" && d.Dialplan == nil {
			n.exten, n.appName, n.appData = old.exten, old.appName, old.appData
		}
	} else {
		n.gen = s.gen
		s.gen++
	}
	s.channels[d.ID] = n
	if n.name != "" {
		s.byName[n.name] = n.id
	}
	if old == nil {
		s.join(n)
	} else if ci := s.calls[n.callID]; ci != nil && ci.root.id == n.id {
		ci.root = n
	}
	if _, own := s.originated[n.id]; releasable(n) || own {
		n.released = true // callboard's own originate is shown from its first event
	}
	return n
}

func (s *state) member(chID string) (adapters.Member, bool) {
	c := s.channels[chID]
	if c == nil {
		return adapters.Member{}, false
	}
	b := s.bridges[c.bridge]
	if b == nil || !b.conference {
		return adapters.Member{}, false
	}
	m := s.marks[chID]
	return adapters.Member{
		Node: s.node, Conference: b.conf, ID: chID, CallID: c.callID,
		CallerName: c.callerName, CallerNumber: c.callerNum,
		Muted: m.muted, Deaf: m.deaf, Talking: c.talking, JoinedAt: c.joined,
	}, true
}

func (s *state) conference(b *bridgeInfo) adapters.Conference {
	return adapters.Conference{Node: s.node, Name: b.conf, MemberCount: len(b.members), CreatedAt: b.created}
}

// changedCall returns a CallUpdated when the call's view changed.
func (s *state) changedCall(id string, out []adapters.Event) []adapters.Event {
	c, ok := s.call(id)
	if !ok {
		return out
	}
	if old, seen := s.lastCall[id]; seen && reflect.DeepEqual(old, c) {
		return out
	}
	s.lastCall[id] = c
	return append(out, adapters.CallUpdated{Call: c})
}

func (s *state) changedMember(chID string, out []adapters.Event) []adapters.Event {
	m, ok := s.member(chID)
	if !ok {
		return out
	}
	if old, seen := s.lastMem[chID]; seen && old == m {
		return out
	}
	s.lastMem[chID] = m
	return append(out, adapters.MemberUpdated{Member: m})
}

// addBridge registers a bridge; conferences (by the node's rule) get a
// unique, safe conference name. It reports whether the bridge is new.
func (s *state) addBridge(d *ari.BridgeData, at time.Time) (*bridgeInfo, bool) {
	if b := s.bridges[d.ID]; b != nil {
		return b, false
	}
	if d.ID == "" || s.tombs.has(bridgeTomb(d.ID)) || supervisionBridge(d.ID) || isAudioHelper(d.ID) {
		return nil, false
	}
	b := &bridgeInfo{id: d.ID, created: at, conference: s.rule.matches(d), gen: s.gen}
	s.gen++
	if b.conference {
		conf := d.Name
		if _, taken := s.confs[conf]; conf == "" || taken || validID(conf) != nil {
			conf = d.ID
		}
		b.conf = conf
		s.confs[conf] = d.ID
	}
	s.bridges[d.ID] = b
	return b, true
}

func (s *state) removeBridge(b *bridgeInfo) {
	delete(s.bridges, b.id)
	if b.conference {
		delete(s.confs, b.conf)
	}
	s.tombs.add(bridgeTomb(b.id))
}

// hangupCause turns "Normal Clearing" into NORMAL_CLEARING.
func hangupCause(txt string, code int) string {
	if txt == "" {
		return fmt.Sprintf("CAUSE_%d", code)
	}
	return strings.ToUpper(strings.ReplaceAll(txt, " ", "_"))
}
