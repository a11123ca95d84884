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
// Security (docs/auth.md): routes.go lists every route with the role it
// needs; session.go resolves the session cookie (hashed lookup in the store,
// absolute and idle expiry, CSRF header on state-changing methods) and ends
// sessions, closing their websockets with 4001; login.go signs in with the
// per-IP and per-user rate limit; admin.go manages users, sessions and API
// tokens; ingest.go is the bearer-token transcript endpoint; audit*.go queue
// audit entries to a batching writer and serve them as JSON and CSV;
// security.go holds the IP extractor (trusted proxies), TLS and the security
// headers; bootstrap.go creates the first admin. Credentials primitives live
// in server/auth, persistence behind server/store.
package server
