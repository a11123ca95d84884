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
	bridge                  string // mixing bridge id, "" when none
	joined                  time.Time
	talking, hangingUp      bool
}

// marks are the mute/deaf states callboard itself set (ARI cannot report them).
type marks struct{ muted, deaf bool }

type bridgeInfo struct {
	id, conf string // conf is the conference name shown to users
	created  time.Time
	members  []string
}

// state maps ARI objects to callboard's model. The session goroutine mutates
// it; Do only reads the lookups, hence the mutex.
type state struct {
	node string

	mu        sync.Mutex
	channels  map[string]*chanInfo
	bridges   map[string]*bridgeInfo
	confs     map[string]string // conference name -> bridge id
	marks     map[string]marks  // channel id -> callboard's own mute/deaf
	kicked    map[string]bool   // channels callboard removed from a bridge
	playbacks map[string]bool   // playback ids already shown (bridge events come twice)
	lastCall  map[string]adapters.Call
	lastMem   map[string]adapters.Member
}

func newState(node string) *state {
	s := &state{node: node, marks: map[string]marks{}}
	s.clear()
	return s
}

func (s *state) clear() {
	s.channels, s.bridges, s.confs = map[string]*chanInfo{}, map[string]*bridgeInfo{}, map[string]string{}
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

func callState(ariState string) string {
	if ariState == "Up" {
		return adapters.CallActive
	}
	return adapters.CallRinging
}

// upsertChannel records d and returns the channel's entry.
func (s *state) upsertChannel(d *ari.ChannelData, at time.Time) *chanInfo {
	n := channelInfo(d)
	old := s.channels[d.ID]
	if old != nil {
		n.callID, n.bridge, n.joined, n.talking, n.hangingUp, n.answered = old.callID, old.bridge, old.joined, old.talking, old.hangingUp, old.answered
		if n.created.IsZero() {
			n.created = old.created
		}
		if old.state != "Up" && n.state == "Up" {
			n.answered = at
		}
	} else {
		n.callID = s.callFor(n)
	}
	s.channels[d.ID] = n
	return n
}

// callFor folds a Local channel's ";2" half into its ";1" call.
func (s *state) callFor(c *chanInfo) string {
	if strings.HasPrefix(c.name, "Local/") && strings.HasSuffix(c.name, ";2") {
		want := strings.TrimSuffix(c.name, ";2") + ";1"
		for _, o := range s.channels {
			if o.name == want {
				return o.id
			}
		}
	}
	return c.id
}

func (s *state) call(id string) (adapters.Call, bool) {
	p := s.channels[id]
	if p == nil || p.callID != id {
		return adapters.Call{}, false
	}
	c := adapters.Call{
		Node: s.node, ID: id, CallerNumber: p.callerNum, CallerName: p.callerName,
		CalleeNumber: p.connNum, CalleeName: p.connName, Direction: "inbound",
		State: callState(p.state), CreatedAt: p.created, AnsweredAt: p.answered,
	}
	if c.CalleeNumber == "" {
		c.CalleeNumber = p.exten
	}
	if b := s.bridges[p.bridge]; b != nil {
		c.Conference = b.conf
	}
	legs := []*chanInfo{p}
	for _, o := range s.channels {
		if o.callID == id && o.id != id {
			legs = append(legs, o)
		}
	}
	for _, l := range legs {
		c.Legs = append(c.Legs, adapters.Leg{UUID: l.id, Name: l.name, Direction: "inbound", State: callState(l.state), CreatedAt: l.created})
	}
	return c, true
}

func (s *state) member(chID string) (adapters.Member, bool) {
	c := s.channels[chID]
	if c == nil {
		return adapters.Member{}, false
	}
	b := s.bridges[c.bridge]
	if b == nil {
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

// addBridge registers a mixing bridge under a unique, safe conference name.
func (s *state) addBridge(d *ari.BridgeData, at time.Time) (*bridgeInfo, bool) {
	if d.Type != "mixing" {
		return nil, false
	}
	if b := s.bridges[d.ID]; b != nil {
		return b, false
	}
	conf := d.Name
	if _, taken := s.confs[conf]; conf == "" || taken || validID(conf) != nil {
		conf = d.ID
	}
	b := &bridgeInfo{id: d.ID, conf: conf, created: at}
	s.bridges[d.ID] = b
	s.confs[conf] = d.ID
	return b, true
}

func (s *state) removeBridge(b *bridgeInfo) {
	delete(s.bridges, b.id)
	delete(s.confs, b.conf)
}

// hangupCause turns "Normal Clearing" into NORMAL_CLEARING.
func hangupCause(txt string, code int) string {
	if txt == "" {
		return fmt.Sprintf("CAUSE_%d", code)
	}
	return strings.ToUpper(strings.ReplaceAll(txt, " ", "_"))
}
