package historyapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/queuestats"
	"github.com/callboard/callboard/server/store"
)

// Queue history routes (docs/history.md#queues):
//
//	GET /api/v1/history/queue-calls          ?from&to&node&queue&outcome&limit&before
//	GET /api/v1/history/queue-calls/export   same filters, format=csv|json (at most MaxQueueExport rows)
//	GET /api/v1/history/queue-daily          ?from&to&node&queue&tz&sl
//	GET /api/v1/history/queue-daily/export   same, format=csv|json

// MaxQueueExport bounds an export and the calls behind daily figures.
const MaxQueueExport = 100000

// QueueCallJSON is a stored queue call.
type QueueCallJSON struct {
	Node         string     `json:"node"`
	Queue        string     `json:"queue"`
	MemberID     string     `json:"memberId"`
	CallID       string     `json:"callId,omitempty"`
	CallerName   string     `json:"callerName"`
	CallerNumber string     `json:"callerNumber"`
	Outcome      string     `json:"outcome"`
	Cause        string     `json:"cause,omitempty"`
	AnsweredBy   string     `json:"answeredBy,omitempty"`
	JoinedAt     time.Time  `json:"joinedAt"`
	LeftAt       time.Time  `json:"leftAt"`
	WaitMs       int64      `json:"waitMs"`
	TalkMs       int64      `json:"talkMs"`
	AnsweredAt   *time.Time `json:"answeredAt,omitempty"`
}

func toQueueCallJSON(c store.QueueCall) QueueCallJSON {
	out := QueueCallJSON{Node: c.Node, Queue: c.Queue, MemberID: c.MemberID, CallID: c.CallID, CallerName: c.CallerName,
		CallerNumber: c.CallerNumber, Outcome: c.Outcome, Cause: c.Cause, AnsweredBy: c.AnsweredBy,
		JoinedAt: c.JoinedAt, LeftAt: c.LeftAt, WaitMs: c.Wait.Milliseconds(), TalkMs: c.Talk().Milliseconds()}
	if c.Outcome == adapters.QueueAnswered {
		at := c.JoinedAt.Add(c.Wait)
		out.AnsweredAt = &at
	}
	return out
}

func (h *Handler) queueStore(c echo.Context) (store.QueueHistoryStore, error) {
	if err := h.historyReady(c); err != nil {
		return nil, err
	}
	qs, ok := h.d.Store.(store.QueueHistoryStore)
	if !ok {
		return nil, web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "queue history is not enabled")
	}
	return qs, nil
}

func queueFilter(c echo.Context, maxLimit int) (store.QueueCallFilter, error) {
	q := c.QueryParams()
	f := store.QueueCallFilter{Node: q.Get("node"), Queue: q.Get("queue"), Outcome: q.Get("outcome"), Before: q.Get("before")}
	r, err := web.ParseRange(c, maxLimit)
	if err != nil {
		return f, err
	}
	f.From, f.To, f.Limit = r.From, r.To, r.LimitOr(50)
	switch f.Outcome {
	case "", adapters.QueueAnswered, adapters.QueueAbandoned, adapters.QueueTimedOut:
	default:
		return f, web.Error(http.StatusBadRequest, web.CodeInvalid, "outcome must be answered, abandoned or timeout")
	}
	for _, v := range []string{f.Node, f.Queue, f.Before} {
		if len(v) > 256 {
			return f, web.Error(http.StatusBadRequest, web.CodeInvalid, "filter values are limited to 256 bytes")
		}
	}
	return f, nil
}

// ListQueueCalls lists queue calls, newest first, by filter and page.
func (h *Handler) ListQueueCalls(c echo.Context) error {
	qs, err := h.queueStore(c)
	if err != nil {
		return err
	}
	f, err := queueFilter(c, 500)
	if err != nil {
		return err
	}
	calls, next, err := qs.ListQueueCalls(c.Request().Context(), f)
	if errors.Is(err, store.ErrBadCursor) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "before must be the next cursor of a previous page")
	}
	if err != nil {
		return err
	}
	out := make([]QueueCallJSON, len(calls))
	for i, qc := range calls {
		out[i] = toQueueCallJSON(qc)
	}
	return c.JSON(http.StatusOK, map[string]any{"calls": out, "next": next})
}

// allQueueCalls reads every call the filter selects (exports, daily figures).
func (h *Handler) allQueueCalls(c echo.Context) ([]store.QueueCall, store.QueueCallFilter, error) {
	qs, err := h.queueStore(c)
	if err != nil {
		return nil, store.QueueCallFilter{}, err
	}
	f, err := queueFilter(c, 500)
	if err != nil {
		return nil, f, err
	}
	calls, err := qs.QueueCallsFor(c.Request().Context(), f, MaxQueueExport)
	if errors.Is(err, store.ErrTooMany) {
		return nil, f, web.Error(http.StatusBadRequest, web.CodeInvalid, "more than "+strconv.Itoa(MaxQueueExport)+" queue calls; narrow from/to")
	}
	return calls, f, err
}

// ExportQueueCalls downloads the selected queue calls (oldest first).
func (h *Handler) ExportQueueCalls(c echo.Context) error {
	format, err := exportFormat(c, "csv")
	if err != nil {
		return err
	}
	calls, _, err := h.allQueueCalls(c)
	if err != nil {
		return err
	}
	rows := make([]QueueCallJSON, len(calls))
	for i, qc := range calls {
		rows[i] = toQueueCallJSON(qc)
	}
	return download(c, "callboard-queue-calls", format, map[string]any{"calls": rows},
		[]string{"node", "queue", "member_id", "call_id", "caller_name", "caller_number", "outcome", "cause", "answered_by",
			"joined_at", "left_at", "wait_s", "talk_s"}, func(write func(...string)) {
			for _, r := range rows {
				write(r.Node, r.Queue, r.MemberID, r.CallID, r.CallerName, r.CallerNumber, r.Outcome, r.Cause, r.AnsweredBy,
					r.JoinedAt.Format(time.RFC3339), r.LeftAt.Format(time.RFC3339), secs(r.WaitMs), secs(r.TalkMs))
			}
		})
}

func secs(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) }

// dailyParams reads tz (an IANA zone, default UTC) and sl (service level
// seconds, 1..3600, default 20).
func dailyParams(c echo.Context) (*time.Location, time.Duration, error) {
	loc := time.UTC
	if tz := c.QueryParam("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || len(tz) > 64 {
			return nil, 0, web.Error(http.StatusBadRequest, web.CodeInvalid, "tz must be an IANA time zone, e.g. Europe/Berlin")
		}
		loc = l
	}
	sl := queuestats.DefaultServiceLevel
	if v := c.QueryParam("sl"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3600 {
			return nil, 0, web.Error(http.StatusBadRequest, web.CodeInvalid, "sl must be 1..3600 seconds")
		}
		sl = time.Duration(n) * time.Second
	}
	return loc, sl, nil
}

func (h *Handler) daily(c echo.Context) ([]queuestats.Day, time.Duration, error) {
	loc, sl, err := dailyParams(c)
	if err != nil {
		return nil, 0, err
	}
	calls, _, err := h.allQueueCalls(c)
	if err != nil {
		return nil, 0, err
	}
	return queuestats.Daily(calls, loc, sl), sl, nil
}

// QueueDaily answers per-queue daily figures.
func (h *Handler) QueueDaily(c echo.Context) error {
	days, sl, err := h.daily(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"days": days, "serviceLevelSeconds": int(sl / time.Second)})
}

// ExportQueueDaily downloads the daily figures.
func (h *Handler) ExportQueueDaily(c echo.Context) error {
	format, err := exportFormat(c, "csv")
	if err != nil {
		return err
	}
	days, sl, err := h.daily(c)
	if err != nil {
		return err
	}
	return download(c, "callboard-queue-daily", format, map[string]any{"days": days, "serviceLevelSeconds": int(sl / time.Second)},
		[]string{"day", "node", "queue", "offered", "answered", "abandoned", "timeout", "answered_within_sl",
			"service_level_pct", "avg_wait_s", "avg_talk_s", "max_wait_s"}, func(write func(...string)) {
			for _, d := range days {
				write(d.Day, d.Node, d.Queue, strconv.Itoa(d.Offered), strconv.Itoa(d.Answered), strconv.Itoa(d.Abandoned),
					strconv.Itoa(d.TimedOut), strconv.Itoa(d.AnsweredWithin), strconv.FormatFloat(d.ServiceLevel, 'f', 1, 64),
					secs(d.AvgWaitMs), secs(d.AvgTalkMs), secs(d.MaxWaitMs))
			}
		})
}
