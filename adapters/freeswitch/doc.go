// Package freeswitch is callboard's FreeSWITCH driver: an adapters.Node over
// one inbound Event Socket (ESL) connection made with eslgo.
//
// It owns, per node:
//   - the connection lifecycle (session.go): dial with a timeout (through
//     eslgo's own connection constructor, see eslNewConnection), subscribe
//     to a named event list, take an authoritative snapshot, probe liveness,
//     reconnect with backoff and jitter;
//   - event ordering (ordering.go): eslgo hands every event to its listener
//     in a new goroutine, so events are re-sorted by Event-Sequence; the
//     buffer is bounded, and a consumer stuck past the bound fails the link
//     ("event backlog overflow"), so the reconnect resyncs;
//   - the model (model.go, mapping.go, snapshot.go): legs grouped into calls,
//     conferences and members, emitted as full-state upserts;
//   - transcripts (transcripts.go): STT module events and bot prompts;
//   - actions (actions.go, commands.go): strict validation, command lines,
//     one command in flight at a time, PBX replies mapped to adapters errors.
//
// A command that times out leaves its reply in flight, and eslgo would hand
// that stale reply to the next command. The adapter therefore treats any
// command failure as fatal for the connection: it closes it, reports the node
// down, reconnects and takes a fresh snapshot.
package freeswitch
