package adapters

import "errors"

// Sentinel errors. Adapters wrap them with context (fmt.Errorf("...: %w", ErrX))
// and the server maps them to HTTP statuses.
var (
	// ErrInvalid: a malformed identifier or argument; nothing was sent. (400)
	ErrInvalid = errors.New("invalid request")
	// ErrNotFound: the PBX does not know the conference, member or call. (404)
	ErrNotFound = errors.New("not found")
	// ErrRefused: the PBX understood and said no. (409)
	ErrRefused = errors.New("refused by the PBX")
	// ErrUnavailable: the node is down or did not answer in time. (502)
	ErrUnavailable = errors.New("node unavailable")
	// ErrUnsupported: the node's PBX cannot do this action. (501)
	ErrUnsupported = errors.New("unsupported on this node")
)
