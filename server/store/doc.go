// Package store is callboard's persistence port: users, sessions, API tokens
// and the audit log (Store), and call history, conference timelines and
// final transcript lines (HistoryStore, written in ordered batches of
// HistoryOp by server/history). The interface is deliberately small and SQL-neutral so that a
// PostgreSQL implementation can sit next to the embedded SQLite one
// (server/store/sqlite). Secrets are never stored: sessions and tokens are
// kept as SHA-256 hashes of their values, passwords as argon2id PHC strings.
package store
