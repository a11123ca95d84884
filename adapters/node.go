package adapters

import "context"

// Node is one configured PBX. Implementations are safe for concurrent use.
type Node interface {
	// ID is the configured node id (e.g. "fs1").
	ID() string
	// Kind is the PBX software.
	Kind() Kind
	// Actions lists the action kinds this node supports.
	Actions() []ActionKind
	// Media lists the allowlisted media names this node can play.
	Media() []string
	// Run connects, subscribes, emits a Snapshot after every (re)connect and
	// then incremental events, reconnecting with backoff until ctx ends.
	// emit is called from one goroutine at a time, in order; it may block.
	Run(ctx context.Context, emit func(Event)) error
	// Validate checks an action's identifiers and media name without any I/O.
	// It returns an error wrapping ErrInvalid or ErrUnsupported.
	Validate(a Action) error
	// Do validates and executes an action and returns the PBX's reply text.
	// The resulting state change arrives through Run's events, not here.
	Do(ctx context.Context, a Action) (string, error)
}
