package adapters

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

// Queue agent actions (queue.go).

// ActSetAgentStatus sets a queue agent's status (sign in, break, sign out).
const ActSetAgentStatus ActionKind = "agent-status"

// SetAgentStatus sets an agent's status to one of AgentStatuses.
type SetAgentStatus struct{ Agent, Status string }

func (SetAgentStatus) Kind() ActionKind { return ActSetAgentStatus }
