package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

var _ store.QueueHistoryStore = (*DB)(nil)

// MaxQueueCallLimit bounds one page of queue calls.
const MaxQueueCallLimit = 500

func insertQueueCall(ctx context.Context, tx *sql.Tx, c *store.QueueCall) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO queue_calls(node, queue, member_id, call_id, caller_number, caller_name,
			outcome, cause, answered_by, joined_at, left_at, wait_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Node, c.Queue, c.MemberID, c.CallID, c.CallerNumber, c.CallerName, c.Outcome, c.Cause, c.AnsweredBy,
		ms(c.JoinedAt), ms(c.LeftAt), c.Wait.Milliseconds())
	if err != nil {
		return fmt.Errorf("store queue call %s/%s: %w", c.Node, c.MemberID, err)
	}
	return nil
}

const queueCallColumns = `node, queue, member_id, call_id, caller_number, caller_name, outcome, cause, answered_by,
	joined_at, left_at, wait_ms, rowid`

func queueWhere(f store.QueueCallFilter) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !f.From.IsZero() {
		add("joined_at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("joined_at < ?", ms(f.To))
	}
	if f.Node != "" {
		add("node = ?", f.Node)
	}
	if f.Queue != "" {
		add("queue = ?", f.Queue)
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

func scanQueueCall(r scanner) (store.QueueCall, int64, error) {
	var c store.QueueCall
	var joined, left, wait, rowid int64
	err := r.Scan(&c.Node, &c.Queue, &c.MemberID, &c.CallID, &c.CallerNumber, &c.CallerName, &c.Outcome, &c.Cause,
		&c.AnsweredBy, &joined, &left, &wait, &rowid)
	c.JoinedAt, c.LeftAt, c.Wait = fromMS(joined), fromMS(left), time.Duration(wait)*time.Millisecond
	return c, rowid, err
}

// ListQueueCalls returns matching queue calls, newest join first.
func (d *DB) ListQueueCalls(ctx context.Context, f store.QueueCallFilter) ([]store.QueueCall, string, error) {
	where, args := queueWhere(f)
	if f.Before != "" {
		joined, rowid, err := parseCursor(f.Before)
		if err != nil {
			return nil, "", err
		}
		cond := "(joined_at < ? OR (joined_at = ? AND rowid < ?))"
		if where == "" {
			where = " WHERE " + cond
		} else {
			where += " AND " + cond
		}
		args = append(args, joined, joined, rowid)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxQueueCallLimit)
	rows, err := d.db.QueryContext(ctx, `SELECT `+queueCallColumns+` FROM queue_calls`+where+
		` ORDER BY joined_at DESC, rowid DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("list queue calls: %w", err)
	}
	defer rows.Close()
	out := []store.QueueCall{}
	var next, cursor string
	for rows.Next() {
		c, rowid, err := scanQueueCall(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list queue calls: %w", err)
		}
		if len(out) == limit {
			next = cursor
			break
		}
		out = append(out, c)
		cursor = strconv.FormatInt(ms(c.JoinedAt), 10) + "." + strconv.FormatInt(rowid, 10)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list queue calls: %w", err)
	}
	return out, next, nil
}

// QueueCallsFor returns every matching queue call, oldest join first.
func (d *DB) QueueCallsFor(ctx context.Context, f store.QueueCallFilter, max int) ([]store.QueueCall, error) {
	where, args := queueWhere(f)
	rows, err := d.db.QueryContext(ctx, `SELECT `+queueCallColumns+` FROM queue_calls`+where+
		` ORDER BY joined_at, rowid LIMIT ?`, append(args, max+1)...)
	if err != nil {
		return nil, fmt.Errorf("queue calls: %w", err)
	}
	defer rows.Close()
	out := []store.QueueCall{}
	for rows.Next() {
		c, _, err := scanQueueCall(rows)
		if err != nil {
			return nil, fmt.Errorf("queue calls: %w", err)
		}
		if len(out) == max {
			return nil, fmt.Errorf("queue calls: %w", store.ErrTooMany)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queue calls: %w", err)
	}
	return out, nil
}
