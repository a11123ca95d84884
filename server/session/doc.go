// Package session is callboard's request authentication (docs/auth.md): it
// resolves the session cookie to a live session (hashed lookup in the store,
// absolute and idle expiry), admits a route's minimum role, checks the CSRF
// header on state-changing methods, sets and clears the cookie, ends
// sessions (closing their websockets with 4001) and sweeps expired ones,
// admits bearer API tokens by scope, and starts audit entries for whoever is
// behind a request.
package session
