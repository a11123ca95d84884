package historyapi

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/history"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
)

// Deps is what the handlers need.
type Deps struct {
	// Store is the history store; nil when history is off (routes answer 503).
	Store    store.HistoryStore
	Recorder *history.Recorder // set when Store is
	State    *live.State
	// Complete merges a call's stored transcript lines with the live ones.
	Complete func(ctx context.Context, call string, lines []*adapters.Utterance) []*adapters.Utterance
}

// Handler serves /api/v1/history/*.
type Handler struct{ d Deps }

// New returns the handlers.
func New(d Deps) *Handler { return &Handler{d: d} }

// CallJSON is HistoryCall of docs/history.md.
type CallJSON struct {
	Node                   string     `json:"node"`
	ID                     string     `json:"id"`
	CallerNumber           string     `json:"callerNumber"`
	CallerName             string     `json:"callerName"`
	CalleeNumber           string     `json:"calleeNumber"`
	CalleeName             string     `json:"calleeName"`
	Direction              string     `json:"direction"`
	StartedAt              time.Time  `json:"startedAt"`
	AnsweredAt             *time.Time `json:"answeredAt,omitempty"`
	EndedAt                *time.Time `json:"endedAt,omitempty"`
	DurationMs             *int64     `json:"durationMs,omitempty"`
	HangupCause            string     `json:"hangupCause,omitempty"`
	EndedWhileDisconnected bool       `json:"endedWhileDisconnected"`
	HasTranscript          bool       `json:"hasTranscript"`
	Conference             string     `json:"conference,omitempty"`
}

func toHistoryCallJSON(c store.HistoryCall) CallJSON {
	out := CallJSON{Node: c.Node, ID: c.ID, CallerNumber: c.CallerNumber, CallerName: c.CallerName,
		CalleeNumber: c.CalleeNumber, CalleeName: c.CalleeName, Direction: c.Direction, StartedAt: c.StartedAt,
		HangupCause: c.HangupCause, EndedWhileDisconnected: c.EndedWhileDisconnected, HasTranscript: c.HasTranscript,
		Conference: c.Conference}
	if !c.AnsweredAt.IsZero() {
		out.AnsweredAt = &c.AnsweredAt
	}
	if !c.EndedAt.IsZero() {
		out.EndedAt = &c.EndedAt
		d := c.EndedAt.Sub(c.StartedAt).Milliseconds()
		out.DurationMs = &d
	}
	return out
}

// TimelineJSON is TimelineEntry of docs/history.md.
type TimelineJSON struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Conference string    `json:"conference"`
	Member     string    `json:"member"`
	CallerName string    `json:"callerName,omitempty"`
	By         string    `json:"by,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

type historyDetail struct {
	Call       CallJSON              `json:"call"`
	Transcript []*adapters.Utterance `json:"transcript"`
	Timeline   []TimelineJSON        `json:"timeline"`
}

var historyCallIDPattern = regexp.MustCompile(`^[^\x00-\x1f]{1,256}$`)

// FlushWait bounds how long a history read waits for the recorder to
// write what it holds; after that the read serves what is already stored.
const FlushWait = 2 * time.Second

// HeaderPending marks a history answer that may miss the newest
// changes: they were still queued for the disk when the read was served.
const HeaderPending = "Callboard-History-Pending"

// historyReady answers 503 when history is off. Otherwise it writes what the
// recorder still holds (so a call that just ended is listed), waiting at most
// FlushWait; when the disk is failing or slow it serves what is stored
// and says so in the Callboard-History-Pending header.
func (h *Handler) historyReady(c echo.Context) error {
	if h.d.Store == nil {
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "history is not enabled")
	}
	if h.d.Recorder.Health().Failing {
		c.Response().Header().Set(HeaderPending, "true")
		return nil
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), FlushWait)
	defer cancel()
	if err := h.d.Recorder.Flush(ctx); err != nil {
		c.Response().Header().Set(HeaderPending, "true")
	}
	return nil
}

func historyFilter(c echo.Context) (store.CallFilter, error) {
	q := c.QueryParams()
	f := store.CallFilter{Number: q.Get("q"), Node: q.Get("node"), Text: q.Get("text"), Before: q.Get("before")}
	r, err := web.ParseRange(c, 200)
	if err != nil {
		return f, err
	}
	f.From, f.To, f.Limit = r.From, r.To, r.LimitOr(50)
	switch q.Get("hasTranscript") {
	case "", "false":
	case "true":
		f.HasTranscript = true
	default:
		return f, web.Error(http.StatusBadRequest, web.CodeInvalid, "hasTranscript must be true or false")
	}
	for _, v := range []string{f.Number, f.Node, f.Text} {
		if len(v) > 256 {
			return f, web.Error(http.StatusBadRequest, web.CodeInvalid, "filter values are limited to 256 bytes")
		}
	}
	return f, nil
}

// ListCalls lists stored calls, newest first, by filter and page.
func (h *Handler) ListCalls(c echo.Context) error {
	if err := h.historyReady(c); err != nil {
		return err
	}
	f, err := historyFilter(c)
	if err != nil {
		return err
	}
	calls, next, err := h.d.Store.ListCalls(c.Request().Context(), f)
	if errors.Is(err, store.ErrBadCursor) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "before must be the next cursor of a previous page")
	}
	if err != nil {
		return err
	}
	out := make([]CallJSON, len(calls))
	for i, hc := range calls {
		out[i] = toHistoryCallJSON(hc)
	}
	return c.JSON(http.StatusOK, map[string]any{"calls": out, "next": next})
}

// detail reads one call with its transcript (stored merged with live)
// and its conference timeline.
func (h *Handler) detail(c echo.Context) (historyDetail, error) {
	var d historyDetail
	if err := h.historyReady(c); err != nil {
		return d, err
	}
	p, err := web.Params(c, "node", "call")
	if err != nil {
		return d, err
	}
	if !historyCallIDPattern.MatchString(p[0]) || !historyCallIDPattern.MatchString(p[1]) {
		return d, web.Error(http.StatusBadRequest, web.CodeInvalid, "malformed node or call id")
	}
	ctx := c.Request().Context()
	hc, err := h.d.Store.GetCall(ctx, p[0], p[1])
	if errors.Is(err, store.ErrNotFound) {
		return d, web.Error(http.StatusNotFound, web.CodeNotFound, "unknown call "+p[0]+"/"+p[1])
	}
	if err != nil {
		return d, err
	}
	key := live.CallKey(p[0], p[1])
	var lines []*adapters.Utterance
	if err := web.Query(c, h.d.State, func(v *live.View) { lines, _ = v.Transcript(key) }); err != nil {
		lines = nil // the live state is stopping: stored lines only
	}
	tl, err := h.d.Store.CallTimeline(ctx, p[0], p[1])
	if err != nil {
		return d, err
	}
	d = historyDetail{Call: toHistoryCallJSON(hc), Transcript: h.d.Complete(ctx, key, lines), Timeline: make([]TimelineJSON, len(tl))}
	if d.Transcript == nil {
		d.Transcript = []*adapters.Utterance{}
	}
	for i, e := range tl {
		d.Timeline[i] = TimelineJSON{At: e.At, Kind: e.Kind, Conference: e.Conference, Member: e.Member, CallerName: e.CallerName, By: e.By, Detail: e.Detail}
	}
	return d, nil
}

// GetCall is one call with its transcript and timeline.
func (h *Handler) GetCall(c echo.Context) error {
	d, err := h.detail(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// ExportCall is GetCall as a download, JSON or CSV (one row
// per transcript line and timeline entry, formula-safe like the audit CSV).
func (h *Handler) ExportCall(c echo.Context) error {
	format, err := exportFormat(c, "json")
	if err != nil {
		return err
	}
	d, err := h.detail(c)
	if err != nil {
		return err
	}
	header := []string{"record", "at", "node", "call", "speaker", "text", "kind", "conference", "member", "caller_name", "by"}
	return download(c, "callboard-call", format, d, header, func(write func(...string)) {
		for _, u := range d.Transcript {
			write("line", u.At.Format(time.RFC3339Nano), d.Call.Node, d.Call.ID, string(u.Speaker), u.Text, "", "", "", "", "")
		}
		for _, e := range d.Timeline {
			write("timeline", e.At.Format(time.RFC3339Nano), d.Call.Node, d.Call.ID, "", "", e.Kind, e.Conference, e.Member, e.CallerName, e.By)
		}
	})
}
