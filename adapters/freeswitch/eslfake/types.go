package eslfake

import (
	"errors"
	"log/slog"
	"time"
)

// Errors returned by the state-machine methods.
var (
	ErrLocked           = errors.New("conference is locked")
	ErrNoSuchChannel    = errors.New("no such channel")
	ErrNoSuchConference = errors.New("no such conference")
)

// Options configures a Server.
type Options struct {
	Password string       // required
	Addr     string       // listen address, default "127.0.0.1:0"
	Logger   *slog.Logger // nil = discard
	Hostname string       // FreeSWITCH-Hostname header, default "demo"
	// HeartbeatInterval > 0 emits HEARTBEAT events at that interval (off by default).
	HeartbeatInterval time.Duration
}

// Party is a caller-id name/number pair.
type Party struct{ Name, Number string }

// ChannelSpec describes a channel to create with AddChannel.
type ChannelSpec struct {
	UUID        string            // optional; random v4 if empty
	Name        string            // default "sofia/internal/<caller number>@127.0.0.1"
	Direction   string            // "inbound" (default) or "outbound"
	Caller      Party             // Caller-Caller-ID-*
	Callee      Party             // Caller-Callee-ID-*
	Destination string            // Caller-Destination-Number
	OtherLeg    string            // uuid of the other leg: adds the Other-Type/Other-Leg-* block
	Variables   map[string]string // extra variable_* headers (without the prefix)
}

// MemberInfo is a snapshot of one conference member, for assertions.
type MemberInfo struct {
	ID      int
	UUID    string
	Muted   bool
	Deaf    bool
	Talking bool
}
