// Package adapters is callboard's port to the PBXs: the domain model (nodes,
// calls, legs, conferences, members, utterances), the events an adapter emits,
// the typed actions it executes, the Node interface every PBX driver
// implements, and the sentinel errors that map to HTTP statuses.
//
// Drivers live in subpackages (adapters/freeswitch, later adapters/asterisk)
// and import this package; the server imports this package and never a driver.
package adapters
