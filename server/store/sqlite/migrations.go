package sqlite

// migrations are applied in order, each once, each in its own transaction;
// schema_migrations records the highest applied version. Append only.
var migrations = []string{
	// 1: users, sessions, API tokens, audit log.
	`CREATE TABLE users (
		name          TEXT PRIMARY KEY,
		role          TEXT NOT NULL,
		password_hash TEXT NOT NULL,
		created_at    INTEGER NOT NULL
	);
	CREATE TABLE sessions (
		id           TEXT PRIMARY KEY,
		token_hash   BLOB NOT NULL UNIQUE,
		user_name    TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
		created_at   INTEGER NOT NULL,
		last_seen_at INTEGER NOT NULL,
		expires_at   INTEGER NOT NULL,
		ip           TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX sessions_user ON sessions(user_name);
	CREATE TABLE api_tokens (
		id           TEXT PRIMARY KEY,
		name         TEXT NOT NULL,
		scopes       TEXT NOT NULL,
		token_hash   BLOB NOT NULL UNIQUE,
		created_by   TEXT NOT NULL,
		created_at   INTEGER NOT NULL,
		last_used_at INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE audit (
		id     INTEGER PRIMARY KEY AUTOINCREMENT,
		at     INTEGER NOT NULL,
		user   TEXT NOT NULL DEFAULT '',
		role   TEXT NOT NULL DEFAULT '',
		ip     TEXT NOT NULL DEFAULT '',
		kind   TEXT NOT NULL,
		action TEXT NOT NULL DEFAULT '',
		node   TEXT NOT NULL DEFAULT '',
		target TEXT NOT NULL DEFAULT '',
		result TEXT NOT NULL DEFAULT '',
		detail TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX audit_at ON audit(at);
	CREATE INDEX audit_user ON audit(user, id);`,
}
