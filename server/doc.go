// Package server is callboard's HTTP side: the Echo app with every route in
// one place (routes.go), the REST reads and actions of docs/protocol.md, the
// embedded UI, and the wiring of the live state (server/live) and the
// websocket hub (server/hub) to the configured nodes.
//
// Actions come from the action catalogue (adapters/catalogue.go): one route
// per entry (actions.go), the entry's role, its body parameters checked, the
// typed adapters.Action built by the entry, the node's Validate (nothing
// reaches the PBX when it fails), the target checked live in the live state,
// then node.Do with a timeout; the PBX's verdict is the reply, the audit
// entry carries the catalogue's name, and the resulting state change arrives
// through the node's events. The catalogue itself reaches browsers in every
// snapshot. No route is recognised by its text.
//
// Security (docs/auth.md): routes.go lists every route with the role it
// needs; session.go resolves the session cookie (hashed lookup in the store,
// absolute and idle expiry, CSRF header on state-changing methods) and ends
// sessions, closing their websockets with 4001; login.go signs in with the
// per-IP and per-user rate limit; admin.go manages users, sessions and API
// tokens; ingest.go is the bearer-token transcript endpoint; audit*.go build
// audit entries (written by server/audit's batching writer) and serve them as
// JSON and CSV;
// security.go holds the IP extractor (trusted proxies), TLS and the security
// headers; bootstrap.go creates the first admin. Credentials primitives live
// in server/auth, persistence behind server/store.
package server
