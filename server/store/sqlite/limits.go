package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/callboard/callboard/server/auth"
)

var _ auth.LimitStore = (*DB)(nil)

// LoadLimits returns the sign-in limiter's records still relevant at now
// and deletes the rest.
func (d *DB) LoadLimits(ctx context.Context, now, forgetBefore time.Time) ([]auth.LimitRecord, error) {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM login_limits WHERE locked_until <= ? AND last < ?`, ms(now), ms(forgetBefore)); err != nil {
		return nil, fmt.Errorf("prune login limits: %w", err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT key, failures, lockouts, strikes, window_start, locked_until, last FROM login_limits`)
	if err != nil {
		return nil, fmt.Errorf("load login limits: %w", err)
	}
	defer rows.Close()
	var out []auth.LimitRecord
	for rows.Next() {
		var r auth.LimitRecord
		var ws, lu, last int64
		if err := rows.Scan(&r.Key, &r.Failures, &r.Lockouts, &r.Strikes, &ws, &lu, &last); err != nil {
			return nil, fmt.Errorf("load login limits: %w", err)
		}
		r.WindowStart, r.LockedUntil, r.Last = fromMS(ws), fromMS(lu), fromMS(last)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load login limits: %w", err)
	}
	return out, nil
}

// SaveLimits upserts records.
func (d *DB) SaveLimits(ctx context.Context, recs []auth.LimitRecord) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save login limits: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, r := range recs {
		_, err := tx.ExecContext(ctx, `INSERT INTO login_limits(key, failures, lockouts, strikes, window_start, locked_until, last)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, lockouts = excluded.lockouts, strikes = excluded.strikes,
				window_start = excluded.window_start, locked_until = excluded.locked_until, last = excluded.last`,
			r.Key, r.Failures, r.Lockouts, r.Strikes, ms(r.WindowStart), ms(r.LockedUntil), ms(r.Last))
		if err != nil {
			return fmt.Errorf("save login limits: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save login limits: %w", err)
	}
	return nil
}

// DeleteLimits forgets keys.
func (d *DB) DeleteLimits(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if _, err := d.db.ExecContext(ctx, `DELETE FROM login_limits WHERE key = ?`, k); err != nil {
			return fmt.Errorf("delete login limit: %w", err)
		}
	}
	return nil
}
