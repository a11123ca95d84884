// Package sqlite is the embedded implementation of store.Store: one SQLite
// file in the data directory, opened through the pure-Go modernc.org/sqlite
// driver in WAL mode. The schema is built by append-only, numbered
// migrations (migrations.go): never edit a released migration, add the next
// one. Times are stored as Unix milliseconds (UTC).
package sqlite
