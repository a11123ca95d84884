package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

func (d *DB) CreateUser(ctx context.Context, u store.User) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO users(name, role, password_hash, created_at, sso) VALUES (?, ?, ?, ?, ?)`,
		u.Name, string(u.Role), u.PasswordHash, ms(u.CreatedAt), u.SSO)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY") {
			return fmt.Errorf("create user %s: %w", u.Name, store.ErrExists)
		}
		return fmt.Errorf("create user %s: %w", u.Name, err)
	}
	return nil
}

func (d *DB) GetUser(ctx context.Context, name string) (store.User, error) {
	var u store.User
	var role string
	var created int64
	err := d.db.QueryRowContext(ctx, `SELECT name, role, password_hash, created_at, sso FROM users WHERE name = ?`, name).
		Scan(&u.Name, &role, &u.PasswordHash, &created, &u.SSO)
	if err != nil {
		return store.User{}, notFound(err, "get user "+name)
	}
	u.Role, u.CreatedAt = store.Role(role), fromMS(created)
	return u, nil
}

func (d *DB) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT name, role, created_at, sso FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		var u store.User
		var role string
		var created int64
		if err := rows.Scan(&u.Name, &role, &created, &u.SSO); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Role, u.CreatedAt = store.Role(role), fromMS(created)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// DeleteUser removes the user; foreign keys cascade to the sessions.
func (d *DB) DeleteUser(ctx context.Context, name string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM users WHERE name = ?`, name)
	return affectedOne(res, err, "delete user "+name)
}

// DeleteUserKeepAdmin deletes the user unless it is the only admin. One
// statement: SQLite runs the count and the delete atomically, so two admins
// deleting each other at once cannot both succeed.
func (d *DB) DeleteUserKeepAdmin(ctx context.Context, name string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM users WHERE name = ? AND (role != 'admin' OR (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)`, name)
	if err != nil {
		return fmt.Errorf("delete user %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete user %s: %w", name, err)
	}
	if n == 1 {
		return nil
	}
	// Nothing deleted: either no such user or the last admin.
	if _, err := d.GetUser(ctx, name); err != nil {
		return fmt.Errorf("delete user %s: %w", name, err)
	}
	return fmt.Errorf("delete user %s: %w", name, store.ErrLastAdmin)
}

func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

func (d *DB) CreateSession(ctx context.Context, s store.Session) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO sessions(id, token_hash, user_name, created_at, last_seen_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.TokenHash, s.User, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt), s.IP)
	if err != nil {
		return fmt.Errorf("create session for %s: %w", s.User, err)
	}
	return nil
}

const sessionColumns = `s.id, s.token_hash, s.user_name, u.role, s.created_at, s.last_seen_at, s.expires_at, s.ip`

type scanner interface{ Scan(...any) error }

func scanSession(r scanner) (store.Session, error) {
	var s store.Session
	var role string
	var created, seen, expires int64
	if err := r.Scan(&s.ID, &s.TokenHash, &s.User, &role, &created, &seen, &expires, &s.IP); err != nil {
		return store.Session{}, err
	}
	s.Role, s.CreatedAt, s.LastSeenAt, s.ExpiresAt = store.Role(role), fromMS(created), fromMS(seen), fromMS(expires)
	return s, nil
}

func (d *DB) SessionByTokenHash(ctx context.Context, hash []byte) (store.Session, error) {
	row := d.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = ?`, hash)
	s, err := scanSession(row)
	if err != nil {
		return store.Session{}, notFound(err, "get session")
	}
	return s, nil
}

func (d *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := d.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`, ms(at), id, ms(at)); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

func (d *DB) DeleteSession(ctx context.Context, id string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return affectedOne(res, err, "delete session")
}

func (d *DB) ListSessions(ctx context.Context) ([]store.Session, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s JOIN users u ON u.name = s.user_name ORDER BY s.created_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

func (d *DB) SessionIDsOfUser(ctx context.Context, user string) ([]string, error) {
	return d.ids(ctx, `SELECT id FROM sessions WHERE user_name = ?`, user)
}

// DeleteExpiredSessions removes sessions past their absolute expiry or idle
// for longer than idle, and returns their ids.
func (d *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) ([]string, error) {
	idleBefore := ms(now.Add(-idle))
	ids, err := d.ids(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ? RETURNING id`, ms(now), idleBefore)
	if err != nil {
		return nil, fmt.Errorf("delete expired sessions: %w", err)
	}
	return ids, nil
}

func (d *DB) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
