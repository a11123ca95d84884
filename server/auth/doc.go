// Package auth holds the credential primitives of callboard, free of HTTP:
// argon2id password hashes in PHC string form with constant-time checks
// (and a dummy check for unknown users, so timing does not reveal which
// names exist), random session and API tokens with their SHA-256 at-rest
// form, the in-memory sign-in rate limiter with exponential lockout, and
// what a user and a token scope may be (NewUser, UserNamePattern, scopes).
package auth
