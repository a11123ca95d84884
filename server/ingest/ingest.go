package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/session"
)

// MaxUtteranceText bounds one ingested line, in characters.
const MaxUtteranceText = 4000

var (
	ingestCallPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$`)
	ingestVendorPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{0,64}$`)
)

// Deps is what the handler needs.
type Deps struct {
	State *live.State
	Nodes web.Nodes
	Audit *audit.Writer
	Now   func() time.Time
	Log   *slog.Logger
}

// Handler serves the ingest route.
type Handler struct {
	d        Deps
	throttle *throttle
}

// New returns the handler.
func New(d Deps) *Handler { return &Handler{d: d, throttle: newThrottle()} }

type utteranceBody struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
	Final   *bool  `json:"final"`
	StartMs *int64 `json:"startMs"`
	EndMs   *int64 `json:"endMs"`
	Vendor  string `json:"vendor"`
}

// IngestUtterance feeds an external STT line into the live state exactly as
// an adapter's transcript event would be. Only calls the live state knows
// (live, or ended with their transcript still kept) take lines.
func (h *Handler) IngestUtterance(c echo.Context) error {
	node, call, err := h.d.Nodes.NodeCall(c)
	if err != nil {
		return err
	}
	if !ingestCallPattern.MatchString(call) {
		return web.Error(http.StatusBadRequest, web.CodeInvalid, "malformed call id")
	}
	var b utteranceBody
	if err := web.DecodeStrict(c, &b, `{"speaker","text","final","startMs","endMs","vendor"}`); err != nil {
		return err
	}
	u, err := b.utterance(node.ID(), call)
	if err != nil {
		return err
	}
	key := live.CallKey(node.ID(), call)
	var known bool
	if err := web.Query(c, h.d.State, func(v *live.View) { known = v.KnowsCall(key) }); err != nil {
		return err
	}
	if !known {
		return web.Error(http.StatusNotFound, web.CodeNotFound, "unknown call "+key)
	}
	u.At = h.d.Now().UTC()
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	if err := h.d.State.Emit(ctx, adapters.UtteranceAdded{Utterance: u}); err != nil {
		h.d.Log.Warn("ingest: line not queued", "call", key, "err", err)
		return web.Error(http.StatusServiceUnavailable, web.CodeUnavailable, "live state busy")
	}
	tok := session.TokenOf(c)
	if more, ok := h.throttle.admit(tok.ID+" "+key, h.d.Now()); ok {
		e := session.Entry(c, "ingest", h.d.Now())
		e.User, e.Role, e.Node, e.Target = "token:"+tok.Name, "token", node.ID(), "call "+call
		e.Detail = string(u.Speaker)
		if u.Final {
			e.Detail += " final"
		}
		if more > 0 {
			e.Detail += fmt.Sprintf("; %d more lines in the previous minute", more)
		}
		h.d.Audit.RecordBulk(e)
	}
	return c.JSON(http.StatusAccepted, map[string]bool{"ok": true})
}

// throttle lets ingest be audited at most once per token and call per
// minute: streaming STT posts several lines a second, and an entry for each
// would bury the people's actions (and fill the audit queue).
type throttle struct {
	mu   sync.Mutex
	seen map[string]*ingestWindow
}

type ingestWindow struct {
	start      time.Time
	suppressed int
}

const (
	ingestAuditPeriod = time.Minute
	ingestAuditKeys   = 10000 // memory bound: token x call pairs tracked
)

func newThrottle() *throttle {
	return &throttle{seen: make(map[string]*ingestWindow)}
}

// admit reports whether the line for key starts a new period (audit it) and
// how many lines of key went unaudited in the period before.
func (t *throttle) admit(key string, now time.Time) (suppressed int, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.seen[key]
	if w != nil && now.Sub(w.start) < ingestAuditPeriod {
		w.suppressed++
		return 0, false
	}
	if w == nil {
		if len(t.seen) >= ingestAuditKeys {
			for k, o := range t.seen {
				if now.Sub(o.start) >= ingestAuditPeriod {
					delete(t.seen, k)
				}
			}
		}
		if len(t.seen) >= ingestAuditKeys {
			return 0, true // too many pairs at once: audit without tracking
		}
		w = &ingestWindow{}
		t.seen[key] = w
	}
	suppressed = w.suppressed
	w.start, w.suppressed = now, 0
	return suppressed, true
}

func (b *utteranceBody) utterance(node, call string) (adapters.Utterance, error) {
	bad := func(msg string) (adapters.Utterance, error) {
		return adapters.Utterance{}, web.Error(http.StatusBadRequest, web.CodeInvalid, msg)
	}
	sp := adapters.Speaker(b.Speaker)
	if sp != adapters.SpeakerCaller && sp != adapters.SpeakerBot && sp != adapters.SpeakerAgent {
		return bad("speaker must be caller, bot or agent")
	}
	if strings.TrimSpace(b.Text) == "" || !utf8.ValidString(b.Text) || utf8.RuneCountInString(b.Text) > MaxUtteranceText {
		return bad("text must be non-empty UTF-8 of at most 4000 characters")
	}
	if b.Final == nil {
		return bad("final missing")
	}
	if !ingestVendorPattern.MatchString(b.Vendor) {
		return bad("vendor must match " + ingestVendorPattern.String())
	}
	u := adapters.Utterance{Node: node, CallID: call, Speaker: sp, Text: b.Text, Final: *b.Final, Vendor: b.Vendor}
	if b.StartMs != nil {
		u.StartMs = *b.StartMs
	}
	if b.EndMs != nil {
		u.EndMs = *b.EndMs
	}
	if u.StartMs < 0 || u.EndMs < 0 || (b.StartMs != nil && b.EndMs != nil && u.EndMs < u.StartMs) {
		return bad("startMs and endMs must be offsets with startMs <= endMs")
	}
	return u, nil
}
