package adapters

import (
	"slices"
	"time"
)

// Queues and agents (FreeSWITCH mod_callcenter). Names of statuses and
// states are mod_callcenter's own words, so what a supervisor reads on the
// board is what the PBX's CLI and logs say. Asterisk's app_queue is not
// visible over ARI (docs/asterisk.md); an AMI source can feed the same types.

// Agent statuses: whether an agent wants calls. Set by the agent or a
// supervisor (SetAgentStatus), and by the PBX (max-no-answer puts an agent
// On Break).
const (
	AgentAvailable         = "Available"
	AgentAvailableOnDemand = "Available (On Demand)"
	AgentOnBreak           = "On Break"
	AgentLoggedOut         = "Logged Out"
)

// AgentStatuses is the allowlist of statuses an action may set, in the
// order a UI offers them.
var AgentStatuses = []string{AgentAvailable, AgentAvailableOnDemand, AgentOnBreak, AgentLoggedOut}

// ValidAgentStatus reports whether s is exactly one of AgentStatuses.
func ValidAgentStatus(s string) bool { return slices.Contains(AgentStatuses, s) }

// Agent states: what an agent is doing now (set by the PBX only).
const (
	AgentIdle        = "Idle"
	AgentWaiting     = "Waiting"   // ready for the next call
	AgentReceiving   = "Receiving" // being offered a caller (ringing)
	AgentInQueueCall = "In a queue call"
)

// Queue member states, as mod_callcenter's member table names them.
const (
	QueueMemberWaiting   = "Waiting"
	QueueMemberTrying    = "Trying" // an agent is being offered the caller
	QueueMemberAnswered  = "Answered"
	QueueMemberAbandoned = "Abandoned"
)

// Queue is one call queue on a node. Its waiting callers travel separately
// (QueueMember values) so a caller joining does not resend the queue.
type Queue struct {
	Node     string `json:"node"`
	Name     string `json:"name"`     // e.g. support@default
	Strategy string `json:"strategy"` // e.g. longest-idle-agent
	// CallsAnswered and CallsAbandoned are the PBX's own counters since its
	// queue was loaded (not per day: daily figures come from history).
	CallsAnswered  int `json:"callsAnswered"`
	CallsAbandoned int `json:"callsAbandoned"`
}

// Agent is one queue agent on a node.
type Agent struct {
	Node   string `json:"node"`
	Name   string `json:"name"` // e.g. agent1 or 1000@default
	Type   string `json:"type,omitempty"`
	Status string `json:"status"` // one of the Agent* statuses
	State  string `json:"state"`  // one of the Agent* states
	// CallID is the agent's channel while offered or on a queue call ("" otherwise).
	CallID string `json:"callId,omitempty"`
	// Member is the queue member (QueueMember.ID) being offered or served.
	Member        string    `json:"member,omitempty"`
	Queue         string    `json:"queue,omitempty"` // the queue of Member
	StatusSince   time.Time `json:"statusSince,omitzero"`
	StateSince    time.Time `json:"stateSince,omitzero"`
	CallsAnswered int       `json:"callsAnswered"`
	NoAnswerCount int       `json:"noAnswerCount"`
}

// Tier links an agent to a queue.
type Tier struct {
	Node     string `json:"node"`
	Queue    string `json:"queue"`
	Agent    string `json:"agent"`
	State    string `json:"state"` // Ready, Active Inbound, No Answer, Standby, ...
	Level    int    `json:"level"`
	Position int    `json:"position"`
}

// QueueMember is one caller in a queue: waiting, being offered to an agent,
// or talking to the agent who answered.
type QueueMember struct {
	Node  string `json:"node"`
	Queue string `json:"queue"`
	ID    string `json:"id"` // the queue's own member id (not a channel)
	// CallID is the caller's channel in the queue (mod_callcenter's session
	// uuid); the leg of a Call, not always its first.
	CallID       string `json:"callId"`
	CallerName   string `json:"callerName"`
	CallerNumber string `json:"callerNumber"`
	State        string `json:"state"` // one of the QueueMember* states
	// Position is 1-based among the queue's Waiting and Trying members by
	// join time; 0 once answered.
	Position   int       `json:"position"`
	JoinedAt   time.Time `json:"joinedAt"`            // whole seconds: the PBX keeps epochs
	Agent      string    `json:"agent,omitempty"`     // offered (Trying) or serving (Answered)
	AnsweredAt time.Time `json:"answeredAt,omitzero"` // when the agent answered
	AgentCall  string    `json:"agentCall,omitempty"` // the agent's channel once answered
}

// Outcomes of a queue call.
const (
	QueueAnswered  = "answered"
	QueueAbandoned = "abandoned" // the caller hung up while waiting
	QueueTimedOut  = "timeout"   // the queue gave up (max wait, no agent)
)

// QueueUpdated creates or replaces a queue.
type QueueUpdated struct{ Queue Queue }

// AgentUpdated creates or replaces an agent.
type AgentUpdated struct{ Agent Agent }

// TierUpdated creates or replaces a tier.
type TierUpdated struct{ Tier Tier }

// QueueMemberUpdated creates or replaces a queue member.
type QueueMemberUpdated struct{ Member QueueMember }

// QueueMemberLeft removes a queue member and says how its queue call ended:
// the one record a queue-call history row needs.
type QueueMemberLeft struct {
	Node, Queue, MemberID string
	CallID                string
	CallerName            string
	CallerNumber          string
	Outcome               string // QueueAnswered, QueueAbandoned, QueueTimedOut
	Cause                 string // the PBX's words, e.g. Terminated, BREAK_OUT, NO_AGENT_TIMEOUT
	AnsweredBy            string // agent name when answered
	JoinedAt, LeftAt      time.Time
	// Wait is from joining to the agent's answer (answered) or to leaving.
	Wait time.Duration
}

func (QueueUpdated) event()       {}
func (AgentUpdated) event()       {}
func (TierUpdated) event()        {}
func (QueueMemberUpdated) event() {}
func (QueueMemberLeft) event()    {}
