package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

// MaxAuditLimit bounds one audit query.
const MaxAuditLimit = 1000

// AppendAudit writes a batch in one transaction (one fsync for many entries).
func (d *DB) AppendAudit(ctx context.Context, entries []store.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit(at, user, role, ip, kind, action, node, target, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("append audit: %w", err)
	}
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, ms(e.At), e.User, e.Role, e.IP, e.Kind, e.Action, e.Node, e.Target, e.Result, e.Detail); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("append audit: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("append audit: commit: %w", err)
	}
	return nil
}

// QueryAudit returns matching entries, newest first.
func (d *DB) QueryAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if !f.From.IsZero() {
		add("at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", ms(f.To))
	}
	for _, eq := range []struct{ col, v string }{{"user", f.User}, {"kind", f.Kind}, {"action", f.Action}, {"node", f.Node}, {"result", f.Result}} {
		if eq.v != "" {
			add(eq.col+" = ?", eq.v)
		}
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxAuditLimit {
		limit = MaxAuditLimit
	}
	q := `SELECT id, at, user, role, ip, kind, action, node, target, result, detail FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	out := []store.AuditEntry{}
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Role, &e.IP, &e.Kind, &e.Action, &e.Node, &e.Target, &e.Result, &e.Detail); err != nil {
			return nil, fmt.Errorf("query audit: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	return out, nil
}

// PurgeAudit deletes entries with at < before (the audit_at index serves it).
func (d *DB) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM audit WHERE at < ?`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("purge audit before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge audit: %w", err)
	}
	return n, nil
}
