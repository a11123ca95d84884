// Package server is where callboard's HTTP side is wired: New builds the
// live state (server/live), the websocket hub (server/hub), the history
// recorder (server/history), the audit writer (server/audit) and the session
// manager (server/session), hands each handler package a small dependency
// struct, and lists every route with the role it needs in one place
// (routes.go). Run starts what feeds the app and shuts it down in order.
//
// The handlers live in packages by job: server/api (state, transcript,
// /healthz and the catalogue's actions), server/login (sign-in, sign-out,
// me), server/admin (users, sessions, tokens, audit log), server/ingest
// (bearer-token transcript ingest), server/historyapi (call history) and
// server/static (the embedded UI); server/internal/web is their shared
// protocol plumbing (errors, parameters, bodies). No route is recognised by
// its text.
//
// What stays here is cross-cutting: security.go holds the configuration of
// sign-in and sessions, the IP extractor (trusted proxies), TLS and the
// security headers; middleware.go the request log; history.go the history
// wiring (the recorder, stored transcript lines merged with live ones);
// bootstrap.go creates the first admin. Credential primitives live in
// server/auth, persistence behind server/store.
package server
