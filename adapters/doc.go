// Package adapters is callboard's port to the PBXs: the domain model (nodes,
// calls, legs, conferences, members, utterances), the events an adapter emits,
// the typed actions it executes, the Node interface every PBX driver
// implements, and the sentinel errors that map to HTTP statuses.
//
// The action catalogue (catalogue.go) names every action once: its target,
// REST route, body parameters, role and typed Action. Adding an action is one
// catalogue entry (plus its ActionKind and Action struct in actions.go), one
// implementation per adapter, and one UI label ("action.<name>" in
// ui/src/messages/en.ts); routes, validation, audit names, node.actions, the
// UI's buttons and docs/protocol.md follow from it.
//
// Drivers live in subpackages (adapters/freeswitch, later adapters/asterisk)
// and import this package; the server imports this package and never a driver.
package adapters
