// Package admin serves the admin-only API (docs/auth.md): users (create,
// list, delete, never the last admin), sessions (list, revoke, closing the
// revoked session's websockets), API tokens (create, shown once; list;
// revoke) and the audit log as JSON and as formula-safe CSV. Each change is
// audited.
package admin
