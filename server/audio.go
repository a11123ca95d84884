package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/audio"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/live"
	"github.com/callboard/callboard/server/metrics"
	"github.com/callboard/callboard/server/origin"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// Live call audio (issue 12, docs/audio.md): the relay hub, the ingest
// websocket for relays (token auth) and the browser's listen websocket
// (moderator and up, audited). Levels go to browsers through the /ws hub
// as "levels" messages (hub/levels.go), so meters move with the sound off.

// audioParts is what initAudio builds.
type audioParts struct {
	hub    *audio.Hub
	ingest *audio.Ingest
	listen *audio.Listen
}

// initAudio builds the audio hub and its two websocket handlers. It runs
// in New, after the /ws hub exists (levels are pushed to it).
func (s *Server) initAudio() {
	h := audio.NewHub(audio.Config{
		OnLevel: func(lv audio.Level) {
			s.hub.PushLevel(live.CallKey(lv.Node, lv.Call), string(lv.Side), lv.RMS, lv.Peak)
		},
		Starter: audio.NodeStarter(func(id string) (adapters.Node, bool) { n, ok := s.nodes[id]; return n, ok }),
		Logger:  s.log.With("component", "audio"),
	})
	metrics.RegisterAudioStreams(func() int { return h.Stats().Streams }) // callboard_audio_streams
	s.audio = audioParts{
		hub:    h,
		ingest: audio.NewIngest(audio.IngestOptions{Hub: h, CallLive: s.audioCallLive, Authorize: s.authorizeAudioIngest}),
		listen: audio.NewListen(audio.ListenOptions{Hub: h, CallLive: s.audioCallLive,
			CheckOrigin: func(r *http.Request) bool { return origin.OriginAllowed(r, s.cfg.AllowedOrigins) },
			SessionOf:   sessionOf}),
	}
}

// AudioStats counts audio calls, streams and listeners (for /metrics).
func (s *Server) AudioStats() audio.Stats { return s.audio.hub.Stats() }

// audioCallLive says whether the live state knows the call (and it has not
// hung up).
func (s *Server) audioCallLive(k audio.Key) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok := false
	err := s.state.Query(ctx, func(v *live.View) { ok = v.HasCall(live.CallKey(k.Node, k.Call)) })
	return err == nil && ok
}

// authorizeAudioIngest admits a relay holding an API token with the
// ingest:audio scope, from the Authorization header or ?token= (relays
// mostly cannot set headers). The websocket handler turns the error into a
// close code (4401, 4403) after the upgrade.
func (s *Server) authorizeAudioIngest(r *http.Request) error {
	secret := audio.TokenFromRequest(r)
	if secret == "" || len(secret) > 128 {
		return fmt.Errorf("token required: %w", audio.ErrUnauthorized)
	}
	ctx := r.Context()
	t, err := s.store.TokenByHash(ctx, auth.HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("unknown or revoked token: %w", audio.ErrUnauthorized)
	}
	if err != nil {
		return fmt.Errorf("token lookup: %w", err)
	}
	if !slices.Contains(t.Scopes, auth.ScopeIngestAudio) {
		return fmt.Errorf("token %s: %w", t.Name, audio.ErrForbidden)
	}
	if now := s.now(); now.Sub(t.LastUsedAt) > time.Minute {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			s.log.Warn("touch token", "err", err)
		}
	}
	return nil
}

// listenAudio serves the browser's listen websocket after the session check
// (moderator and up, in routes.go). Listening is a server action, not a PBX
// action, so it is not in the action catalogue: the audit entry is written
// here, kind audio_listen, with the call as target and the sides asked for.
// On-demand PBX sources it may start (snoop) are part of this same entry.
func (s *Server) listenAudio(c echo.Context) error {
	node, call := c.Param("node"), c.Param("call")
	e := session.Entry(c, "audio_listen", s.now())
	e.Node = web.Clip(node, 128)
	e.Target = web.Clip("call "+node+"/"+call, 300)
	sides := c.QueryParam("sides")
	if sides == "" {
		sides = "all"
	}
	e.Detail = web.Clip("sides="+sides, 128)
	if !s.audioCallLive(audio.Key{Node: node, Call: call}) {
		e.Result = "not_found"
	}
	s.audit.Record(e)
	return s.audio.listen.Echo(c)
}

// sessionOf is the sign-in session behind a request (the listen socket
// is closed with the session: audiosessions.go).
func sessionOf(c echo.Context) string {
	if p := session.Of(c); p != nil {
		return p.Session.ID
	}
	return ""
}

// endAudio ends a call's streams and listeners when the call ends (see also
// audioEnder: a call gone from a snapshot).
func (s *Server) endAudio(ev adapters.Event) {
	if e, ok := ev.(adapters.CallEnded); ok {
		s.audio.hub.EndCall(audio.Key{Node: e.Node, Call: e.CallID})
	}
}

// isAudioSocket says whether an Echo route is one of the audio websockets
// (no gzip: the connection is hijacked).
func isAudioSocket(route string) bool {
	return route == "/api/v1/audio/:node/:call/:side" || route == "/api/v1/nodes/:node/calls/:call/audio"
}
