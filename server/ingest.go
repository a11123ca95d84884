package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/store"
)

// MaxUtteranceText bounds one ingested line, in characters.
const MaxUtteranceText = 4000

var (
	ingestCallPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$`)
	ingestVendorPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{0,64}$`)
)

const ctxToken = "callboard.token"

// requireToken admits a bearer API token holding scope. Tokens are not
// ambient credentials (a browser never sends them by itself), so no CSRF.
func (s *Server) requireToken(scope string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" || len(secret) > 128 {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="callboard"`)
				return apiError(http.StatusUnauthorized, codeUnauthorized, "bearer token required")
			}
			ctx := c.Request().Context()
			t, err := s.store.TokenByHash(ctx, auth.HashSecret(secret))
			if errors.Is(err, store.ErrNotFound) {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="callboard", error="invalid_token"`)
				return apiError(http.StatusUnauthorized, codeUnauthorized, "unknown or revoked token")
			}
			if err != nil {
				return err
			}
			if !slices.Contains(t.Scopes, scope) {
				return apiError(http.StatusForbidden, codeForbidden, "token lacks scope "+scope)
			}
			now := s.now()
			if now.Sub(t.LastUsedAt) > time.Minute {
				if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
					s.log.Warn("touch token", "err", err)
				}
			}
			c.Set(ctxToken, t)
			return next(c)
		}
	}
}

type utteranceBody struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
	Final   *bool  `json:"final"`
	StartMs *int64 `json:"startMs"`
	EndMs   *int64 `json:"endMs"`
	Vendor  string `json:"vendor"`
}

// ingestUtterance feeds an external STT line into the live state exactly as
// an adapter's transcript event would be. Only calls the live state knows
// (live, or ended with their transcript still kept) take lines.
func (s *Server) ingestUtterance(c echo.Context) error {
	node, call, err := s.nodeCall(c)
	if err != nil {
		return err
	}
	if !ingestCallPattern.MatchString(call) {
		return apiError(http.StatusBadRequest, codeInvalid, "malformed call id")
	}
	var b utteranceBody
	if err := decodeStrict(c, &b, `{"speaker","text","final","startMs","endMs","vendor"}`); err != nil {
		return err
	}
	u, err := b.utterance(node.ID(), call)
	if err != nil {
		return err
	}
	key := live.CallKey(node.ID(), call)
	var known bool
	if err := s.query(c, func(v *live.View) { known = v.KnowsCall(key) }); err != nil {
		return err
	}
	if !known {
		return apiError(http.StatusNotFound, codeNotFound, "unknown call "+key)
	}
	u.At = s.now().UTC()
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	if err := s.state.Emit(ctx, adapters.UtteranceAdded{Utterance: u}); err != nil {
		s.log.Warn("ingest: line not queued", "call", key, "err", err)
		return apiError(http.StatusServiceUnavailable, codeUnavailable, "live state busy")
	}
	tok, _ := c.Get(ctxToken).(store.Token)
	if more, ok := s.ingestAudit.admit(tok.ID+" "+key, s.now()); ok {
		e := s.entry(c, "ingest")
		e.User, e.Role, e.Node, e.Target = "token:"+tok.Name, "token", node.ID(), "call "+call
		e.Detail = string(u.Speaker)
		if u.Final {
			e.Detail += " final"
		}
		if more > 0 {
			e.Detail += fmt.Sprintf("; %d more lines in the previous minute", more)
		}
		s.audit.RecordBulk(e)
	}
	return c.JSON(http.StatusAccepted, map[string]bool{"ok": true})
}

// ingestThrottle lets ingest be audited at most once per token and call per
// minute: streaming STT posts several lines a second, and an entry for each
// would bury the people's actions (and fill the audit queue).
type ingestThrottle struct {
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

func newIngestThrottle() *ingestThrottle {
	return &ingestThrottle{seen: make(map[string]*ingestWindow)}
}

// admit reports whether the line for key starts a new period (audit it) and
// how many lines of key went unaudited in the period before.
func (t *ingestThrottle) admit(key string, now time.Time) (suppressed int, ok bool) {
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
		return adapters.Utterance{}, apiError(http.StatusBadRequest, codeInvalid, msg)
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
