package adapters

import "time"

// ActionKind names an action, as used in the REST API and node capabilities.
type ActionKind string

const (
	ActMute             ActionKind = "mute"
	ActUnmute           ActionKind = "unmute"
	ActDeaf             ActionKind = "deaf"
	ActUndeaf           ActionKind = "undeaf"
	ActKick             ActionKind = "kick"
	ActPlayToMember     ActionKind = "play-member"
	ActPlayToConference ActionKind = "play-conference"
	ActLock             ActionKind = "lock"
	ActUnlock           ActionKind = "unlock"
	ActHangup           ActionKind = "hangup"
	ActMOHStart         ActionKind = "moh-start"
	ActMOHStop          ActionKind = "moh-stop"
)

// Action is a typed request to a node. Identifiers in it come from browsers
// and are untrusted until the node's Validate accepts them.
type Action interface{ Kind() ActionKind }

// MuteMember mutes (Muted true) or unmutes a member's microphone.
type MuteMember struct {
	Conference, Member string
	Muted              bool
}

// DeafMember stops (Deaf true) or restores what a member hears.
type DeafMember struct {
	Conference, Member string
	Deaf               bool
}

// KickMember removes a member from a conference.
type KickMember struct{ Conference, Member string }

// PlayToMember plays an allowlisted media item to one member.
type PlayToMember struct{ Conference, Member, Media string }

// PlayToConference plays an allowlisted media item to every member.
type PlayToConference struct{ Conference, Media string }

// LockConference locks (Locked true) or unlocks a conference to new members.
type LockConference struct {
	Conference string
	Locked     bool
}

// MusicOnHold starts (On true) or stops music on hold in a conference.
type MusicOnHold struct {
	Conference string
	On         bool
}

// HangupCall hangs up every leg of a call.
type HangupCall struct{ Call string }

func (a MuteMember) Kind() ActionKind {
	if a.Muted {
		return ActMute
	}
	return ActUnmute
}

func (a DeafMember) Kind() ActionKind {
	if a.Deaf {
		return ActDeaf
	}
	return ActUndeaf
}

func (KickMember) Kind() ActionKind       { return ActKick }
func (PlayToMember) Kind() ActionKind     { return ActPlayToMember }
func (PlayToConference) Kind() ActionKind { return ActPlayToConference }

func (a LockConference) Kind() ActionKind {
	if a.Locked {
		return ActLock
	}
	return ActUnlock
}

func (HangupCall) Kind() ActionKind { return ActHangup }

func (a MusicOnHold) Kind() ActionKind {
	if a.On {
		return ActMOHStart
	}
	return ActMOHStop
}

// Supervision and call control (issue 11): click-to-call, blind transfer,
// hold, and listen / whisper / barge to the supervisor's own phone.
const (
	ActOriginate     ActionKind = "originate"
	ActTransfer      ActionKind = "transfer"
	ActHold          ActionKind = "hold"
	ActUnhold        ActionKind = "unhold"
	ActListen        ActionKind = "listen"
	ActWhisper       ActionKind = "whisper"
	ActBarge         ActionKind = "barge"
	ActStopListening ActionKind = "stop-listening"
)

// Originate rings From (an endpoint allowed by the node's dial rules) and,
// once answered, connects it to To (an endpoint or a number the rules
// allow). The node's Do returns the new call's id at once; the call then
// appears through the event path, and a failure (not registered, busy, no
// answer) ends it with the PBX's own reason.
type Originate struct {
	From, To       string
	CallerIDName   string        // optional; spaces, quotes and Korean allowed where the PBX can carry them
	CallerIDNumber string        // optional; digits with an optional leading '+'
	Timeout        time.Duration // optional ring timeout; 0 = the node's default
}

// Transfer legs: which side of a call moves (FreeSWITCH uuid_transfer's
// default, -bleg and -both).
const (
	LegCaller = "caller"
	LegCallee = "callee"
	LegBoth   = "both"
)

// TransferCall blind-transfers a call (or one leg of it) to an endpoint or a
// number allowed by the node's dial rules.
type TransferCall struct {
	Call, To string
	Leg      string // LegCaller (default when ""), LegCallee or LegBoth
}

// HoldCall puts a call on hold (Held true) or takes it off hold.
type HoldCall struct {
	Call string
	Held bool
}

// Listen modes: what a supervisor's phone does in a call.
const (
	ModeListen  = "listen"  // hears both parties, is heard by nobody
	ModeWhisper = "whisper" // hears both, is heard by the agent's leg only
	ModeBarge   = "barge"   // hears and is heard by both parties
)

// Supervise rings the supervisor's Phone and connects it to Call in Mode.
// When Phone already listens to Call, the same supervisor leg switches to
// Mode without hanging up: Listen, Whisper and Barge are one action with
// three names so that each is audited and authorised on its own.
type Supervise struct {
	Call, Phone string
	Mode        string // ModeListen, ModeWhisper or ModeBarge
}

// StopListening hangs up the supervisor leg of Phone on Call.
type StopListening struct{ Call, Phone string }

func (Originate) Kind() ActionKind    { return ActOriginate }
func (TransferCall) Kind() ActionKind { return ActTransfer }

func (a HoldCall) Kind() ActionKind {
	if a.Held {
		return ActHold
	}
	return ActUnhold
}

func (a Supervise) Kind() ActionKind {
	switch a.Mode {
	case ModeWhisper:
		return ActWhisper
	case ModeBarge:
		return ActBarge
	}
	return ActListen
}

func (StopListening) Kind() ActionKind { return ActStopListening }

// Queue agent actions (queue.go).

// ActSetAgentStatus sets a queue agent's status (sign in, break, sign out).
const ActSetAgentStatus ActionKind = "agent-status"

// SetAgentStatus sets an agent's status to one of AgentStatuses.
type SetAgentStatus struct{ Agent, Status string }

func (SetAgentStatus) Kind() ActionKind { return ActSetAgentStatus }
