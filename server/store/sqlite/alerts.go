package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

var _ store.AlertStore = (*DB)(nil)

func uniqueErr(err error, what string) error {
	if err != nil && (strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY")) {
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ListAlertRules returns every rule by name.
func (d *DB) ListAlertRules(ctx context.Context) ([]store.AlertRule, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, kind, severity, pattern, regex, speaker, threshold, enabled, destinations, created_at, updated_at
		FROM alert_rules ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list alert rules: %w", err)
	}
	defer rows.Close()
	out := []store.AlertRule{}
	for rows.Next() {
		var r store.AlertRule
		var regex, enabled int
		var dests string
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.Name, &r.Kind, &r.Severity, &r.Pattern, &regex, &r.Speaker, &r.Threshold, &enabled, &dests, &created, &updated); err != nil {
			return nil, fmt.Errorf("list alert rules: %w", err)
		}
		r.Regex, r.Enabled = regex == 1, enabled == 1
		if err := json.Unmarshal([]byte(dests), &r.Destinations); err != nil {
			return nil, fmt.Errorf("alert rule %s destinations: %w", r.Name, err)
		}
		r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alert rules: %w", err)
	}
	return out, nil
}

func destsJSON(d []string) string {
	if d == nil {
		d = []string{}
	}
	b, _ := json.Marshal(d)
	return string(b)
}

// CreateAlertRule inserts r and returns its id.
func (d *DB) CreateAlertRule(ctx context.Context, r store.AlertRule) (int64, error) {
	res, err := d.db.ExecContext(ctx, `INSERT INTO alert_rules (name, kind, severity, pattern, regex, speaker, threshold, enabled, destinations, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Kind, r.Severity, r.Pattern, b2i(r.Regex), r.Speaker, r.Threshold, b2i(r.Enabled),
		destsJSON(r.Destinations), ms(r.CreatedAt), ms(r.CreatedAt))
	if err := uniqueErr(err, "create alert rule "+r.Name); err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// UpdateAlertRule replaces rule r.ID.
func (d *DB) UpdateAlertRule(ctx context.Context, r store.AlertRule) error {
	res, err := d.db.ExecContext(ctx, `UPDATE alert_rules SET name = ?, kind = ?, severity = ?, pattern = ?, regex = ?, speaker = ?, threshold = ?,
		enabled = ?, destinations = ?, updated_at = ? WHERE id = ?`, r.Name, r.Kind, r.Severity, r.Pattern, b2i(r.Regex), r.Speaker, r.Threshold,
		b2i(r.Enabled), destsJSON(r.Destinations), ms(r.UpdatedAt), r.ID)
	if err := uniqueErr(err, "update alert rule "+r.Name); err != nil {
		return err
	}
	return affectedOne(res, nil, fmt.Sprintf("update alert rule %d", r.ID))
}

// DeleteAlertRule deletes a rule.
func (d *DB) DeleteAlertRule(ctx context.Context, id int64) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM alert_rules WHERE id = ?`, id)
	return affectedOne(res, err, fmt.Sprintf("delete alert rule %d", id))
}

// ListAlertDestinations returns every destination by name, secrets included
// (the caller decides what to show).
func (d *DB) ListAlertDestinations(ctx context.Context) ([]store.AlertDestination, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, kind, url, secret, chat_id, created_at FROM alert_destinations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list alert destinations: %w", err)
	}
	defer rows.Close()
	out := []store.AlertDestination{}
	for rows.Next() {
		var x store.AlertDestination
		var created int64
		if err := rows.Scan(&x.ID, &x.Name, &x.Kind, &x.URL, &x.Secret, &x.ChatID, &created); err != nil {
			return nil, fmt.Errorf("list alert destinations: %w", err)
		}
		x.CreatedAt = fromMS(created)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alert destinations: %w", err)
	}
	return out, nil
}

// CreateAlertDestination inserts a destination.
func (d *DB) CreateAlertDestination(ctx context.Context, x store.AlertDestination) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO alert_destinations (id, name, kind, url, secret, chat_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		x.ID, x.Name, x.Kind, x.URL, x.Secret, x.ChatID, ms(x.CreatedAt))
	return uniqueErr(err, "create alert destination "+x.Name)
}

// DeleteAlertDestination deletes a destination; its pending deliveries go dead.
func (d *DB) DeleteAlertDestination(ctx context.Context, id string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete alert destination: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, `DELETE FROM alert_destinations WHERE id = ?`, id)
	if err := affectedOne(res, err, "delete alert destination "+id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alert_outbox SET state = ?, last_error = 'destination deleted' WHERE destination = ? AND state = ?`,
		store.OutboxDead, id, store.OutboxPending); err != nil {
		return fmt.Errorf("delete alert destination %s: %w", id, err)
	}
	return tx.Commit()
}

// AddAlert stores an alert and its pending deliveries in one transaction.
func (d *DB) AddAlert(ctx context.Context, a store.Alert, destinations []string) (int64, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, `INSERT INTO alerts (at, rule_id, rule_name, severity, kind, node, call_id, conference, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ms(a.At), a.RuleID, a.RuleName, a.Severity, a.Kind, a.Node, a.CallID, a.Conference, a.Summary)
	if err != nil {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	for _, dest := range destinations {
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_outbox (alert_id, destination, state, next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, dest, store.OutboxPending, ms(a.At), ms(a.At), ms(a.At)); err != nil {
			return 0, fmt.Errorf("add alert outbox: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("add alert: %w", err)
	}
	return id, nil
}

const outboxSelect = `SELECT o.id, o.alert_id, o.destination, o.state, o.attempts, o.next_at, o.last_error, o.created_at, o.updated_at,
	a.at, a.rule_id, a.rule_name, a.severity, a.kind, a.node, a.call_id, a.conference, a.summary,
	COALESCE(d.name, ''), COALESCE(d.kind, '')
	FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id LEFT JOIN alert_destinations d ON d.id = o.destination `

func scanOutbox(rows *sql.Rows) ([]store.OutboxItem, error) {
	defer rows.Close()
	out := []store.OutboxItem{}
	for rows.Next() {
		var o store.OutboxItem
		var next, created, updated, at int64
		if err := rows.Scan(&o.ID, &o.AlertID, &o.Destination, &o.State, &o.Attempts, &next, &o.LastError, &created, &updated,
			&at, &o.Alert.RuleID, &o.Alert.RuleName, &o.Alert.Severity, &o.Alert.Kind, &o.Alert.Node, &o.Alert.CallID,
			&o.Alert.Conference, &o.Alert.Summary, &o.DestName, &o.DestKind); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		o.NextAt, o.CreatedAt, o.UpdatedAt = fromMS(next), fromMS(created), fromMS(updated)
		o.Alert.ID, o.Alert.At = o.AlertID, fromMS(at)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// ClaimOutbox leases due pending rows (see store.AlertStore).
func (d *DB) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int, busy []string) ([]store.OutboxItem, error) {
	q := outboxSelect + `WHERE o.state = ? AND o.next_at <= ?`
	args := []any{store.OutboxPending, ms(now)}
	if len(busy) > 0 {
		q += ` AND o.destination NOT IN (?` + strings.Repeat(`, ?`, len(busy)-1) + `)`
		for _, b := range busy {
			args = append(args, b)
		}
	}
	q += ` ORDER BY o.next_at, o.id LIMIT ?`
	args = append(args, limit)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	items, err := scanOutbox(rows)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if _, err := tx.ExecContext(ctx, `UPDATE alert_outbox SET next_at = ? WHERE id = ?`, ms(now.Add(lease)), items[i].ID); err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return items, nil
}

// FinishOutbox records an attempt.
func (d *DB) FinishOutbox(ctx context.Context, id int64, state string, attempts int, nextAt time.Time, lastErr string, now time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE alert_outbox SET state = ?, attempts = ?, next_at = ?, last_error = ?, updated_at = ? WHERE id = ?`,
		state, attempts, ms(nextAt), lastErr, ms(now), id)
	return affectedOne(res, err, fmt.Sprintf("finish outbox %d", id))
}

// ListOutbox lists rows newest first.
func (d *DB) ListOutbox(ctx context.Context, state string, limit int) ([]store.OutboxItem, error) {
	q, args := outboxSelect, []any{}
	if state != "" {
		q += `WHERE o.state = ? `
		args = append(args, state)
	}
	rows, err := d.db.QueryContext(ctx, q+`ORDER BY o.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return scanOutbox(rows)
}

// RetryOutbox revives a dead row.
func (d *DB) RetryOutbox(ctx context.Context, id int64, now time.Time) error {
	res, err := d.db.ExecContext(ctx, `UPDATE alert_outbox SET state = ?, attempts = 0, next_at = ?, updated_at = ? WHERE id = ? AND state = ?
		AND destination IN (SELECT id FROM alert_destinations)`, store.OutboxPending, ms(now), ms(now), id, store.OutboxDead)
	return affectedOne(res, err, fmt.Sprintf("retry outbox %d", id))
}

// CountOutbox counts rows per state.
func (d *DB) CountOutbox(ctx context.Context) (map[string]int, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM alert_outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]int{store.OutboxPending: 0, store.OutboxDelivered: 0, store.OutboxDead: 0}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count outbox: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}

// RecentAlerts lists fired alerts newest first.
func (d *DB) RecentAlerts(ctx context.Context, limit int) ([]store.Alert, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, at, rule_id, rule_name, severity, kind, node, call_id, conference, summary
		FROM alerts ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("recent alerts: %w", err)
	}
	defer rows.Close()
	out := []store.Alert{}
	for rows.Next() {
		var a store.Alert
		var at int64
		if err := rows.Scan(&a.ID, &at, &a.RuleID, &a.RuleName, &a.Severity, &a.Kind, &a.Node, &a.CallID, &a.Conference, &a.Summary); err != nil {
			return nil, fmt.Errorf("recent alerts: %w", err)
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recent alerts: %w", err)
	}
	return out, nil
}

// AlertFiredSince tells whether rule fired about the call at or after since
// (the alerts_call index finds the call's few alerts).
func (d *DB) AlertFiredSince(ctx context.Context, ruleID int64, node, callID string, since time.Time) (bool, error) {
	var one int
	err := d.db.QueryRowContext(ctx, `SELECT 1 FROM alerts WHERE node = ? AND call_id = ? AND rule_id = ? AND at >= ? LIMIT 1`,
		node, callID, ruleID, ms(since)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("alert fired since: %w", err)
	}
	return true, nil
}
