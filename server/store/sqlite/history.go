package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/callboard/callboard/server/store"
)

var _ store.HistoryStore = (*DB)(nil)

// WriteHistory applies a batch in one transaction (one fsync per batch).
func (d *DB) WriteHistory(ctx context.Context, ops []store.HistoryOp) error {
	if len(ops) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	for i := range ops {
		if err := applyOp(ctx, tx, &ops[i]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("write history: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write history: commit: %w", err)
	}
	return nil
}

func applyOp(ctx context.Context, tx *sql.Tx, op *store.HistoryOp) error {
	switch op.Kind {
	case store.OpCallUpsert:
		return upsertCall(ctx, tx, op)
	case store.OpCallEnd:
		_, err := tx.ExecContext(ctx, `UPDATE call_history SET ended_at = ?, hangup_cause = ? WHERE node = ? AND call_id = ? AND ended_at = 0`,
			ms(op.At), op.Cause, op.Node, op.CallID)
		if err != nil {
			return fmt.Errorf("end call %s/%s: %w", op.Node, op.CallID, err)
		}
		return nil
	case store.OpCallFailed:
		return failedCall(ctx, tx, op)
	case store.OpCallsResync:
		return resyncCalls(ctx, tx, op)
	case store.OpCallMerge:
		return mergeCall(ctx, tx, op)
	case store.OpLine:
		u := &op.Line
		_, err := tx.ExecContext(ctx, `INSERT INTO transcript_lines(node, call_id, utterance_id, speaker, text, start_ms, end_ms, vendor, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(node, call_id, utterance_id) DO UPDATE SET speaker = excluded.speaker, text = excluded.text,
				start_ms = excluded.start_ms, end_ms = excluded.end_ms, vendor = excluded.vendor, at = excluded.at`,
			u.Node, u.CallID, u.ID, string(u.Speaker), u.Text, u.StartMs, u.EndMs, u.Vendor, ms(atOr(u.At, op.At)))
		if err != nil {
			return fmt.Errorf("store line %s of %s/%s: %w", u.ID, u.Node, u.CallID, err)
		}
		return nil
	case store.OpTimeline:
		e := &op.Timeline
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO conference_events(at, node, conference, kind, member, call_id, caller_name, by_user)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ms(atOr(e.At, op.At)), e.Node, e.Conference, e.Kind, e.Member, e.CallID, e.CallerName, e.By)
		if err != nil {
			return fmt.Errorf("store %s in %s/%s: %w", e.Kind, e.Node, e.Conference, err)
		}
		return nil
	case store.OpQueueCall:
		return insertQueueCall(ctx, tx, &op.Queue)
	}
	return fmt.Errorf("unknown history op %d", op.Kind)
}

func atOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// upsertCall writes the call's current parties; a row that was closed is
// reopened (the call is live again), the earliest start and first answer win.
func upsertCall(ctx context.Context, tx *sql.Tx, op *store.HistoryOp) error {
	c := &op.Call
	_, err := tx.ExecContext(ctx, `INSERT INTO call_history(node, call_id, caller_number, caller_name, callee_number, callee_name,
			direction, conference, started_at, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(node, call_id) DO UPDATE SET
			caller_number = excluded.caller_number, caller_name = excluded.caller_name,
			callee_number = excluded.callee_number, callee_name = excluded.callee_name,
			direction = excluded.direction,
			conference = CASE WHEN excluded.conference != '' THEN excluded.conference ELSE conference END,
			started_at = MIN(started_at, excluded.started_at),
			answered_at = CASE WHEN answered_at = 0 THEN excluded.answered_at ELSE answered_at END,
			ended_at = 0, hangup_cause = '', ended_while_disconnected = 0`,
		c.Node, c.ID, c.CallerNumber, c.CallerName, c.CalleeNumber, c.CalleeName, c.Direction, c.Conference,
		ms(atOr(c.CreatedAt, op.At)), ms(c.AnsweredAt))
	if err != nil {
		return fmt.Errorf("upsert call %s/%s: %w", c.Node, c.ID, err)
	}
	return nil
}

// resyncCalls closes the node's open calls that the PBX no longer has.
func resyncCalls(ctx context.Context, tx *sql.Tx, op *store.HistoryOp) error {
	rows, err := tx.QueryContext(ctx, `SELECT call_id FROM call_history WHERE node = ? AND ended_at = 0`, op.Node)
	if err != nil {
		return fmt.Errorf("resync %s: %w", op.Node, err)
	}
	keep := make(map[string]struct{}, len(op.Keep))
	for _, id := range op.Keep {
		keep[id] = struct{}{}
	}
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("resync %s: %w", op.Node, err)
		}
		if _, ok := keep[id]; !ok {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("resync %s: %w", op.Node, err)
	}
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE call_history SET ended_at = ?, ended_while_disconnected = 1 WHERE node = ? AND call_id = ? AND ended_at = 0`,
			ms(op.At), op.Node, id); err != nil {
			return fmt.Errorf("resync %s: close %s: %w", op.Node, id, err)
		}
	}
	return nil
}

// mergeCall folds call CallID into Into. Line ids are made unique within the
// surviving call by prefixing the merged call's id.
func mergeCall(ctx context.Context, tx *sql.Tx, op *store.HistoryOp) error {
	what := fmt.Sprintf("merge call %s/%s into %s", op.Node, op.CallID, op.Into)
	if op.CallID == op.Into {
		return nil
	}
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE transcript_lines SET call_id = ?, utterance_id = ? || ':' || utterance_id WHERE node = ? AND call_id = ?`,
			[]any{op.Into, op.CallID, op.Node, op.CallID}},
		{`UPDATE conference_events SET call_id = ? WHERE node = ? AND call_id = ?`, []any{op.Into, op.Node, op.CallID}},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	var started int64
	err := tx.QueryRowContext(ctx, `SELECT started_at FROM call_history WHERE node = ? AND call_id = ?`, op.Node, op.CallID).Scan(&started)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE call_history SET started_at = MIN(started_at, ?) WHERE node = ? AND call_id = ?`, started, op.Node, op.Into)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// The survivor has no row yet: the merged row becomes it.
		_, err = tx.ExecContext(ctx, `UPDATE call_history SET call_id = ?, ended_at = 0, hangup_cause = '' WHERE node = ? AND call_id = ?`, op.Into, op.Node, op.CallID)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM call_history WHERE node = ? AND call_id = ?`, op.Node, op.CallID)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// PurgeHistory deletes what ended before the cutoff. Lines and timeline
// entries of calls still open are kept.
func (d *DB) PurgeHistory(ctx context.Context, before time.Time) (int64, error) {
	cut := ms(before)
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("purge history: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM call_history WHERE ended_at != 0 AND ended_at < ?`, cut)
	if err != nil {
		_ = tx.Rollback()
		return 0, fmt.Errorf("purge history: calls: %w", err)
	}
	n, _ := res.RowsAffected()
	for _, q := range []string{
		`DELETE FROM transcript_lines WHERE at < ? AND NOT EXISTS (SELECT 1 FROM call_history c
			WHERE c.node = transcript_lines.node AND c.call_id = transcript_lines.call_id AND c.ended_at = 0)`,
		`DELETE FROM conference_events WHERE at < ? AND NOT EXISTS (SELECT 1 FROM call_history c
			WHERE c.node = conference_events.node AND c.call_id = conference_events.call_id AND c.ended_at = 0)`,
		`DELETE FROM queue_calls WHERE left_at < ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, cut); err != nil {
			_ = tx.Rollback()
			return 0, fmt.Errorf("purge history: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("purge history: commit: %w", err)
	}
	return n, nil
}
