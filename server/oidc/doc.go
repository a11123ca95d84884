// Package oidc signs users in through an OpenID Connect identity provider
// (Keycloak, Entra ID, Okta, Google Workspace, authentik, ...).
//
// The flow is the authorization code flow with PKCE (S256), a state and a
// nonce:
//
//   - GET /api/v1/auth/oidc/start makes a random state, nonce and PKCE
//     verifier, remembers them server-side for ten minutes under the state,
//     binds them to this browser with a short-lived HttpOnly cookie (only
//     its SHA-256 is kept) and redirects to the provider's authorization
//     endpoint, found by issuer discovery (done lazily and cached, so a
//     provider that is down at start does not stop callboard).
//   - GET /api/v1/auth/oidc/callback takes the state out (single use: a
//     replayed callback finds nothing), checks the cookie, exchanges the code
//     with the verifier, verifies the ID token (signature from the
//     provider's keys, issuer, audience = our client id, expiry) and its
//     nonce, reads the user name and the role claim, and signs the browser
//     in with an ordinary callboard session.
//
// Roles come from one claim (default "groups"; a string or a list of
// strings) through a configured value -> role mapping; the highest mapped
// role wins. No mapped value, no access: the browser gets a plain page
// saying so, and the refusal is audited. A user is created on first sign-in,
// marked SSO (no password: the password sign-in refuses it), and the role is
// taken from the provider again at every sign-in, so a change at the
// provider applies at the next one. A local account of the same name is
// never taken over. Every sign-in and refusal is audited (kind login /
// login_failed, detail "sso").
//
// The client secret is only ever sent to the token endpoint; it is not
// logged (config.Secret) and never reaches a browser.
package oidc
