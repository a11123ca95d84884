// Package server is callboard's HTTP side: the Echo app with every route in
// one place (routes.go), the REST reads and actions of docs/protocol.md, the
// embedded UI, and the wiring of the live state (server/live) and the
// websocket hub (server/hub) to the configured nodes.
//
// Actions flow: build the typed adapters.Action from the path, let the node
// Validate it (nothing reaches the PBX when it fails), check the target
// exists in the live state, then node.Do with a timeout; the PBX's verdict is
// the reply and the resulting state change arrives through the node's events.
//
// Authentication, sessions and CSRF come later as middleware on the groups
// built in routes.go.
package server
