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
	CREATE INDEX audit_user ON audit(user, id);`, // 2: call history, conference timeline, final transcript lines with a
	// trigram full-text index (finds substrings in CJK text, which has no
	// spaces for a word tokenizer to split on).
	`CREATE TABLE call_history (
		node          TEXT NOT NULL,
		call_id       TEXT NOT NULL,
		caller_number TEXT NOT NULL DEFAULT '',
		caller_name   TEXT NOT NULL DEFAULT '',
		callee_number TEXT NOT NULL DEFAULT '',
		callee_name   TEXT NOT NULL DEFAULT '',
		direction     TEXT NOT NULL DEFAULT '',
		conference    TEXT NOT NULL DEFAULT '',
		started_at    INTEGER NOT NULL,
		answered_at   INTEGER NOT NULL DEFAULT 0,
		ended_at      INTEGER NOT NULL DEFAULT 0,
		hangup_cause  TEXT NOT NULL DEFAULT '',
		ended_while_disconnected INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (node, call_id)
	);
	CREATE INDEX call_history_started ON call_history(started_at);
	CREATE INDEX call_history_open ON call_history(node, ended_at);
	CREATE TABLE conference_events (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		at          INTEGER NOT NULL,
		node        TEXT NOT NULL,
		conference  TEXT NOT NULL,
		kind        TEXT NOT NULL,
		member      TEXT NOT NULL DEFAULT '',
		call_id     TEXT NOT NULL DEFAULT '',
		caller_name TEXT NOT NULL DEFAULT '',
		by_user     TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX conference_events_conf ON conference_events(node, conference, at);
	CREATE INDEX conference_events_call ON conference_events(node, call_id);
	CREATE UNIQUE INDEX conference_events_join ON conference_events(node, conference, member, at) WHERE kind = 'join';
	CREATE INDEX conference_events_at ON conference_events(at);
	CREATE TABLE transcript_lines (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		node         TEXT NOT NULL,
		call_id      TEXT NOT NULL,
		utterance_id TEXT NOT NULL,
		speaker      TEXT NOT NULL,
		text         TEXT NOT NULL,
		start_ms     INTEGER NOT NULL DEFAULT 0,
		end_ms       INTEGER NOT NULL DEFAULT 0,
		vendor       TEXT NOT NULL DEFAULT '',
		at           INTEGER NOT NULL,
		UNIQUE (node, call_id, utterance_id)
	);
	CREATE INDEX transcript_lines_at ON transcript_lines(at);
	CREATE VIRTUAL TABLE transcript_fts USING fts5(text, content='transcript_lines', content_rowid='id', tokenize='trigram');
	CREATE TRIGGER transcript_lines_ai AFTER INSERT ON transcript_lines BEGIN
		INSERT INTO transcript_fts(rowid, text) VALUES (new.id, new.text);
	END;
	CREATE TRIGGER transcript_lines_ad AFTER DELETE ON transcript_lines BEGIN
		INSERT INTO transcript_fts(transcript_fts, rowid, text) VALUES ('delete', old.id, old.text);
	END;
	CREATE TRIGGER transcript_lines_au AFTER UPDATE OF text ON transcript_lines BEGIN
		INSERT INTO transcript_fts(transcript_fts, rowid, text) VALUES ('delete', old.id, old.text);
		INSERT INTO transcript_fts(rowid, text) VALUES (new.id, new.text);
	END;`,
	// 3: each user's "my phone" (listen, whisper, barge ring it).
	`ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';`,
	// 4: alerts (docs/alerts.md): rules, destinations, fired alerts (shown in
	// the call's timeline) and the delivery outbox.
	`CREATE TABLE alert_destinations (
		id         TEXT PRIMARY KEY,
		name       TEXT NOT NULL UNIQUE,
		kind       TEXT NOT NULL,
		url        TEXT NOT NULL DEFAULT '',
		secret     TEXT NOT NULL DEFAULT '',
		chat_id    TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL
	);
	CREATE TABLE alert_rules (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		name         TEXT NOT NULL UNIQUE,
		kind         TEXT NOT NULL,
		severity     TEXT NOT NULL,
		pattern      TEXT NOT NULL DEFAULT '',
		regex        INTEGER NOT NULL DEFAULT 0,
		speaker      TEXT NOT NULL DEFAULT '',
		threshold    INTEGER NOT NULL DEFAULT 0,
		enabled      INTEGER NOT NULL DEFAULT 1,
		destinations TEXT NOT NULL DEFAULT '[]',
		created_at   INTEGER NOT NULL,
		updated_at   INTEGER NOT NULL
	);
	CREATE TABLE alerts (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		at         INTEGER NOT NULL,
		rule_id    INTEGER NOT NULL DEFAULT 0,
		rule_name  TEXT NOT NULL,
		severity   TEXT NOT NULL,
		kind       TEXT NOT NULL,
		node       TEXT NOT NULL DEFAULT '',
		call_id    TEXT NOT NULL DEFAULT '',
		conference TEXT NOT NULL DEFAULT '',
		summary    TEXT NOT NULL
	);
	CREATE INDEX alerts_call ON alerts(node, call_id);
	CREATE INDEX alerts_at ON alerts(at);
	CREATE TABLE alert_outbox (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		alert_id    INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
		destination TEXT NOT NULL,
		state       TEXT NOT NULL,
		attempts    INTEGER NOT NULL DEFAULT 0,
		next_at     INTEGER NOT NULL,
		last_error  TEXT NOT NULL DEFAULT '',
		created_at  INTEGER NOT NULL,
		updated_at  INTEGER NOT NULL
	);
	CREATE INDEX alert_outbox_due ON alert_outbox(state, next_at);`,
	// 5: sign-in limiter state (survives restarts), single sign-on users.
	`CREATE TABLE login_limits (
		key          TEXT PRIMARY KEY,
		failures     INTEGER NOT NULL DEFAULT 0,
		lockouts     INTEGER NOT NULL DEFAULT 0,
		strikes      INTEGER NOT NULL DEFAULT 0,
		window_start INTEGER NOT NULL DEFAULT 0,
		locked_until INTEGER NOT NULL DEFAULT 0,
		last         INTEGER NOT NULL DEFAULT 0
	);
	ALTER TABLE users ADD COLUMN sso INTEGER NOT NULL DEFAULT 0;`,
	// 6: queue calls (one row per caller who left a queue); daily figures are
	// computed from them.
	`CREATE TABLE queue_calls (
		node          TEXT NOT NULL,
		queue         TEXT NOT NULL,
		member_id     TEXT NOT NULL,
		call_id       TEXT NOT NULL DEFAULT '',
		caller_number TEXT NOT NULL DEFAULT '',
		caller_name   TEXT NOT NULL DEFAULT '',
		outcome       TEXT NOT NULL,
		cause         TEXT NOT NULL DEFAULT '',
		answered_by   TEXT NOT NULL DEFAULT '',
		joined_at     INTEGER NOT NULL,
		left_at       INTEGER NOT NULL,
		wait_ms       INTEGER NOT NULL,
		UNIQUE (node, member_id)
	);
	CREATE INDEX queue_calls_joined ON queue_calls(joined_at);
	CREATE INDEX queue_calls_queue ON queue_calls(node, queue, joined_at);
	CREATE INDEX queue_calls_left ON queue_calls(left_at);`,
	// 7: each user's UI language (issue 15); '' follows the browser.
	`ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';`,
}
