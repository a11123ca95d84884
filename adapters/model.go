package adapters

import "time"

// Kind names the PBX software behind a node.
type Kind string

const (
	KindFreeSWITCH Kind = "freeswitch"
	KindAsterisk   Kind = "asterisk"
)

// Connection states of a node.
const (
	StateConnecting = "connecting"
	StateUp         = "up"
	StateDown       = "down"
)

// NodeStatus is a node's connection state as the adapter sees it.
type NodeStatus struct {
	Node   string    `json:"node"`
	Kind   Kind      `json:"kind"`
	State  string    `json:"state"`            // StateConnecting, StateUp, StateDown
	Reason string    `json:"reason,omitempty"` // why it is not up; never contains credentials
	Since  time.Time `json:"since"`
}

// Call states.
const (
	CallRinging = "ringing"
	CallActive  = "active" // answered
	CallHeld    = "held"
	CallHangup  = "hangup"
)

// Leg is one channel of a call.
type Leg struct {
	UUID      string    `json:"uuid"`
	Name      string    `json:"name"`      // channel name, e.g. sofia/internal/1000@pbx
	Direction string    `json:"direction"` // inbound or outbound, as the PBX says
	State     string    `json:"state"`     // one of the Call* states
	CreatedAt time.Time `json:"createdAt"`
}

// Call is one or more legs grouped into a conversation. ID is the uuid of the
// call's first leg, stable for the life of the call.
type Call struct {
	Node         string    `json:"node"`
	ID           string    `json:"id"`
	Legs         []Leg     `json:"legs"`
	CallerNumber string    `json:"callerNumber"`
	CallerName   string    `json:"callerName"`
	CalleeNumber string    `json:"calleeNumber"`
	CalleeName   string    `json:"calleeName"`
	Direction    string    `json:"direction"` // inbound or outbound, of the first leg
	State        string    `json:"state"`
	CreatedAt    time.Time `json:"createdAt"`
	AnsweredAt   time.Time `json:"answeredAt,omitzero"`
	Conference   string    `json:"conference,omitempty"` // conference name when a leg is a member
	// Listeners are the supervisors' phones connected to the call (listen,
	// whisper, barge), so that every supervisor sees who is listening.
	Listeners []Listener `json:"listeners,omitempty"`
}

// Listener is a supervisor's phone connected to a call. Its leg is not a
// call of its own: it belongs to the call it listens to.
type Listener struct {
	Phone string    `json:"phone"` // the supervisor's endpoint as configured ("1001")
	Mode  string    `json:"mode"`  // ModeListen, ModeWhisper or ModeBarge
	Leg   string    `json:"leg"`   // the supervisor leg's channel id
	Since time.Time `json:"since"`
}

// Conference is a mixing room on a node. Its members travel separately
// (Member values) so a talking flag does not resend the whole room.
type Conference struct {
	Node        string    `json:"node"`
	Name        string    `json:"name"`
	MemberCount int       `json:"memberCount"`
	Locked      bool      `json:"locked"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Member is one participant of a conference.
type Member struct {
	Node         string    `json:"node"`
	Conference   string    `json:"conference"`
	ID           string    `json:"id"`     // FreeSWITCH member id ("3"), Asterisk channel id
	CallID       string    `json:"callId"` // the member's call (Call.ID), else its channel uuid
	CallerName   string    `json:"callerName"`
	CallerNumber string    `json:"callerNumber"`
	Muted        bool      `json:"muted"`
	Deaf         bool      `json:"deaf"`
	Talking      bool      `json:"talking"`
	Floor        bool      `json:"floor"`
	JoinedAt     time.Time `json:"joinedAt"`
}

// Speaker is who said an utterance.
type Speaker string

const (
	SpeakerCaller Speaker = "caller"
	SpeakerBot    Speaker = "bot"
	SpeakerAgent  Speaker = "agent"
)

// Utterance is one line of a call's transcript. Adapters leave ID empty; the
// live state assigns it, so that partial lines of one speaker are replaced in
// place by the next partial and then by the final line.
type Utterance struct {
	Node    string    `json:"node"`
	CallID  string    `json:"callId"`
	ID      string    `json:"id"`
	Speaker Speaker   `json:"speaker"`
	Text    string    `json:"text"`
	Final   bool      `json:"final"`
	StartMs int64     `json:"startMs,omitempty"` // offset in the audio, when the STT engine gives it
	EndMs   int64     `json:"endMs,omitempty"`
	Vendor  string    `json:"vendor,omitempty"`
	At      time.Time `json:"at"` // when the PBX emitted it
}
