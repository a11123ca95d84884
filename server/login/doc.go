// Package login serves sign-in, sign-out and "who am I" (docs/auth.md):
// the login's own CSRF defence (Origin check), the per-IP and per-user rate
// limit reserved before the slow password check, the bounded wait for a
// password-check slot, session creation with its cookie, and the audit of
// each sign-in, failed sign-in and sign-out.
package login
