package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/store"
)

// MaxCallLimit bounds one page of history calls.
const MaxCallLimit = 200

const callColumns = `c.node, c.call_id, c.caller_number, c.caller_name, c.callee_number, c.callee_name, c.direction,
	c.conference, c.started_at, c.answered_at, c.ended_at, c.hangup_cause, c.ended_while_disconnected,
	EXISTS (SELECT 1 FROM transcript_lines t WHERE t.node = c.node AND t.call_id = c.call_id)`

func scanCall(r scanner, extra ...any) (store.HistoryCall, error) {
	var c store.HistoryCall
	var started, answered, ended int64
	dest := append([]any{&c.Node, &c.ID, &c.CallerNumber, &c.CallerName, &c.CalleeNumber, &c.CalleeName, &c.Direction,
		&c.Conference, &started, &answered, &ended, &c.HangupCause, &c.EndedWhileDisconnected, &c.HasTranscript}, extra...)
	if err := r.Scan(dest...); err != nil {
		return c, err
	}
	c.StartedAt, c.AnsweredAt, c.EndedAt = fromMS(started), fromMS(answered), fromMS(ended)
	return c, nil
}

// likeEscape makes s a literal LIKE substring pattern (ESCAPE '\').
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// ftsPhrase quotes s as one FTS5 phrase: with the trigram tokenizer a phrase
// matches any substring of at least three characters.
func ftsPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ListCalls returns matching calls, newest first. Text shorter than three
// characters (e.g. a two-syllable Korean word) cannot use the trigram index
// and falls back to a LIKE scan of the lines.
func (d *DB) ListCalls(ctx context.Context, f store.CallFilter) ([]store.HistoryCall, string, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) {
		where = append(where, cond)
		args = append(args, v...)
	}
	if !f.From.IsZero() {
		add("c.started_at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("c.started_at < ?", ms(f.To))
	}
	if f.Node != "" {
		add("c.node = ?", f.Node)
	}
	if f.Number != "" {
		p := likeEscape(f.Number)
		add(`(c.caller_number LIKE ? ESCAPE '\' OR c.caller_name LIKE ? ESCAPE '\' OR c.callee_number LIKE ? ESCAPE '\' OR c.callee_name LIKE ? ESCAPE '\')`, p, p, p, p)
	}
	if f.HasTranscript {
		add("EXISTS (SELECT 1 FROM transcript_lines t WHERE t.node = c.node AND t.call_id = c.call_id)")
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		if utf8.RuneCountInString(text) >= 3 {
			add(`(c.node, c.call_id) IN (SELECT t.node, t.call_id FROM transcript_lines t
				WHERE t.id IN (SELECT rowid FROM transcript_fts WHERE transcript_fts MATCH ?))`, ftsPhrase(text))
		} else {
			add(`(c.node, c.call_id) IN (SELECT t.node, t.call_id FROM transcript_lines t WHERE t.text LIKE ? ESCAPE '\')`, likeEscape(text))
		}
	}
	if f.Before != "" {
		started, rowid, err := parseCursor(f.Before)
		if err != nil {
			return nil, "", err
		}
		add("(c.started_at < ? OR (c.started_at = ? AND c.rowid < ?))", started, started, rowid)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxCallLimit)
	q := `SELECT ` + callColumns + `, c.rowid FROM call_history c`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.started_at DESC, c.rowid DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list calls: %w", err)
	}
	defer rows.Close()
	out := []store.HistoryCall{}
	var next, cursor string
	for rows.Next() {
		var rowid int64
		c, err := scanCall(rows, &rowid)
		if err != nil {
			return nil, "", fmt.Errorf("list calls: %w", err)
		}
		if len(out) == limit { // one more than a page: there is a next page
			next = cursor
			break
		}
		out = append(out, c)
		cursor = strconv.FormatInt(ms(c.StartedAt), 10) + "." + strconv.FormatInt(rowid, 10)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list calls: %w", err)
	}
	return out, next, nil
}

func parseCursor(s string) (started, rowid int64, err error) {
	a, b, ok := strings.Cut(s, ".")
	if ok {
		started, err = strconv.ParseInt(a, 10, 64)
		if err == nil {
			rowid, err = strconv.ParseInt(b, 10, 64)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("list calls: %w", store.ErrBadCursor)
	}
	return started, rowid, nil
}

// GetCall returns one call.
func (d *DB) GetCall(ctx context.Context, node, id string) (store.HistoryCall, error) {
	row := d.db.QueryRowContext(ctx, `SELECT `+callColumns+` FROM call_history c WHERE c.node = ? AND c.call_id = ?`, node, id)
	c, err := scanCall(row)
	if err != nil {
		return c, notFound(err, "get call "+node+"/"+id)
	}
	return c, nil
}

// CallTranscript returns the stored final lines of a call, oldest first.
func (d *DB) CallTranscript(ctx context.Context, node, id string) ([]adapters.Utterance, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT utterance_id, speaker, text, start_ms, end_ms, vendor, at
		FROM transcript_lines WHERE node = ? AND call_id = ? ORDER BY at, id`, node, id)
	if err != nil {
		return nil, fmt.Errorf("transcript of %s/%s: %w", node, id, err)
	}
	defer rows.Close()
	out := []adapters.Utterance{}
	for rows.Next() {
		u := adapters.Utterance{Node: node, CallID: id, Final: true}
		var sp string
		var at int64
		if err := rows.Scan(&u.ID, &sp, &u.Text, &u.StartMs, &u.EndMs, &u.Vendor, &at); err != nil {
			return nil, fmt.Errorf("transcript of %s/%s: %w", node, id, err)
		}
		u.Speaker, u.At = adapters.Speaker(sp), fromMS(at)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transcript of %s/%s: %w", node, id, err)
	}
	return out, nil
}

// CallTimeline returns the events of the conferences the call was in, from
// its start to its end (a second of slack for clock rounding).
func (d *DB) CallTimeline(ctx context.Context, node, id string) ([]store.TimelineEntry, error) {
	// Alerts fired about the call (server/alerts) are part of its timeline:
	// kind "alert", the severity as member, the rule as by, the summary as detail.
	rows, err := d.db.QueryContext(ctx, `SELECT at, conference, kind, member, call_id, caller_name, by_user, detail FROM (
		SELECT e.at, e.id, 0 AS src, e.conference, e.kind, e.member, e.call_id, e.caller_name, e.by_user, '' AS detail
		FROM conference_events e, call_history c
		WHERE c.node = ? AND c.call_id = ? AND e.node = c.node
		  AND e.conference IN (SELECT conference FROM conference_events WHERE node = c.node AND call_id = c.call_id
		                       UNION SELECT c.conference WHERE c.conference != '')
		  AND e.at >= c.started_at - 1000 AND (c.ended_at = 0 OR e.at <= c.ended_at + 1000)
		UNION ALL
		SELECT a.at, a.id, 1, a.conference, 'alert', a.severity, a.call_id, '', a.rule_name, a.summary
		FROM alerts a WHERE a.node = ? AND a.call_id = ?)
		ORDER BY at, src, id`, node, id, node, id)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s/%s: %w", node, id, err)
	}
	defer rows.Close()
	out := []store.TimelineEntry{}
	for rows.Next() {
		e := store.TimelineEntry{Node: node}
		var at int64
		if err := rows.Scan(&at, &e.Conference, &e.Kind, &e.Member, &e.CallID, &e.CallerName, &e.By, &e.Detail); err != nil {
			return nil, fmt.Errorf("timeline of %s/%s: %w", node, id, err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline of %s/%s: %w", node, id, err)
	}
	return out, nil
}
