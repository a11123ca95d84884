package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/callboard/callboard/server/audit"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// cookieName binds a sign-in in progress to the browser that started it.
const cookieName = "callboard_oidc"

// Users is what the flow needs from the store.
type Users interface {
	GetUser(ctx context.Context, name string) (store.User, error)
	CreateUser(ctx context.Context, u store.User) error
	SetSSORole(ctx context.Context, name string, role store.Role) error
	CreateSession(ctx context.Context, s store.Session) error
	SessionIDsOfUser(ctx context.Context, user string) ([]string, error)
}

// Deps is what the handlers need.
type Deps struct {
	Config        Config
	Users         Users
	Sessions      *session.Manager
	Audit         *audit.Writer
	SessionMaxAge time.Duration
	Secure        func(*http.Request) bool // TLS, native or at a trusted proxy
	Now           func() time.Time
	Log           *slog.Logger
}

// Handler serves the OIDC routes.
type Handler struct {
	d       Deps
	pending pendingSet

	mu       sync.Mutex // guards the discovered provider
	provider *gooidc.Provider
}

// New checks the configuration and returns the handlers. Discovery waits
// for the first sign-in.
func New(d Deps) (*Handler, error) {
	d.Config.defaults()
	if err := d.Config.check(); err != nil {
		return nil, err
	}
	return &Handler{d: d}, nil
}

// Info is what the sign-in page shows.
type Info struct {
	Name  string `json:"name"`
	Start string `json:"start"`
}

// Info names the provider for the sign-in button.
func (h *Handler) Info() Info { return Info{Name: h.d.Config.ProviderName, Start: StartPath} }

// LocalLogin reports whether password sign-in stays available.
func (h *Handler) LocalLogin() bool { return h.d.Config.LocalLogin }

// ctx makes go-oidc (discovery, keys) and oauth2 (code exchange) use the
// configured client.
func (h *Handler) ctx(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, h.d.Config.HTTPClient)
	return gooidc.ClientContext(ctx, h.d.Config.HTTPClient)
}

// discover returns the provider, discovering it on first use. A failure
// is not cached: the next sign-in tries again.
func (h *Handler) discover(ctx context.Context) (*gooidc.Provider, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.provider != nil {
		return h.provider, nil
	}
	p, err := gooidc.NewProvider(h.ctx(ctx), h.d.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", h.d.Config.Issuer, err)
	}
	h.provider = p
	return p, nil
}

func (h *Handler) oauth(p *gooidc.Provider, r *http.Request) *oauth2.Config {
	redirect := h.d.Config.RedirectURL
	if redirect == "" {
		scheme := "http"
		if h.d.Secure != nil && h.d.Secure(r) {
			scheme = "https"
		}
		redirect = scheme + "://" + r.Host + CallbackPath
	}
	return &oauth2.Config{
		ClientID:     h.d.Config.ClientID,
		ClientSecret: h.d.Config.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  redirect,
		Scopes:       append([]string{gooidc.ScopeOpenID}, h.d.Config.Scopes...),
	}
}

func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Start redirects the browser to the provider.
func (h *Handler) Start(c echo.Context) error {
	r := c.Request()
	p, err := h.discover(r.Context())
	if err != nil {
		h.d.Log.Warn("oidc provider unavailable", "err", err)
		return page(c, http.StatusServiceUnavailable, pageUnavailable, h.d.Config.ProviderName)
	}
	var vals [3]string
	for i := range vals {
		if vals[i], err = random(); err != nil {
			return err
		}
	}
	state, nonce, cookie := vals[0], vals[1], vals[2]
	verifier := oauth2.GenerateVerifier()
	now := h.d.Now()
	if !h.pending.put(state, attempt{nonce: nonce, verifier: verifier, browser: sha256.Sum256([]byte(cookie)), expires: now.Add(pendingTTL)}, now) {
		return page(c, http.StatusServiceUnavailable, pageBusy, h.d.Config.ProviderName)
	}
	c.SetCookie(&http.Cookie{Name: cookieName, Value: cookie, Path: "/api/v1/auth/oidc/", MaxAge: int(pendingTTL / time.Second),
		HttpOnly: true, Secure: h.d.Secure != nil && h.d.Secure(r), SameSite: http.SameSiteLaxMode})
	url := h.oauth(p, r).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return c.Redirect(http.StatusFound, url)
}

// refusal is a failed callback: what the audit records and the page says.
type refusal struct {
	result string // audit result
	status int
	page   pageKind
	user   string
	err    error // for the log only
}

func (r *refusal) Error() string { return r.result }

// Callback finishes the sign-in.
func (h *Handler) Callback(c echo.Context) error {
	// The cookie has done its job, whatever happens next.
	c.SetCookie(&http.Cookie{Name: cookieName, Value: "", Path: "/api/v1/auth/oidc/", MaxAge: -1, HttpOnly: true,
		Secure: h.d.Secure != nil && h.d.Secure(c.Request()), SameSite: http.SameSiteLaxMode})
	u, err := h.finish(c)
	var rf *refusal
	if errors.As(err, &rf) {
		e := session.Entry(c, "login_failed", h.d.Now())
		e.User, e.Result, e.Detail = rf.user, rf.result, "sso"
		h.d.Audit.Record(e)
		if rf.err != nil {
			h.d.Log.Info("oidc sign-in refused", "result", rf.result, "err", rf.err)
		}
		return page(c, rf.status, rf.page, h.d.Config.ProviderName)
	}
	if err != nil {
		return err
	}
	e := session.Entry(c, "login", h.d.Now())
	e.User, e.Role, e.Result, e.Detail = u.Name, string(u.Role), "ok", "sso"
	h.d.Audit.Record(e)
	return c.Redirect(http.StatusFound, "/")
}

// finish checks the callback and signs the user in; a *refusal is the
// provider's or the browser's fault, any other error ours.
func (h *Handler) finish(c echo.Context) (store.User, error) {
	r := c.Request()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return store.User{}, &refusal{result: "provider_error", status: http.StatusForbidden, page: pageProviderError,
			err: fmt.Errorf("provider said %.64q", e)}
	}
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return store.User{}, &refusal{result: "bad_state", status: http.StatusBadRequest, page: pageExpired}
	}
	at, ok := h.pending.take(q.Get("state"), ck.Value, h.d.Now())
	if !ok {
		return store.User{}, &refusal{result: "bad_state", status: http.StatusBadRequest, page: pageExpired}
	}
	p, err := h.discover(r.Context())
	if err != nil {
		return store.User{}, &refusal{result: "provider_unavailable", status: http.StatusServiceUnavailable, page: pageUnavailable, err: err}
	}
	tok, err := h.oauth(p, r).Exchange(h.ctx(r.Context()), q.Get("code"), oauth2.VerifierOption(at.verifier))
	if err != nil {
		return store.User{}, &refusal{result: "code_exchange_failed", status: http.StatusBadGateway, page: pageProviderError, err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return store.User{}, &refusal{result: "no_id_token", status: http.StatusBadGateway, page: pageProviderError}
	}
	verifier := p.Verifier(&gooidc.Config{ClientID: h.d.Config.ClientID, Now: h.d.Now})
	idt, err := verifier.Verify(h.ctx(r.Context()), raw)
	if err != nil {
		return store.User{}, &refusal{result: "invalid_id_token", status: http.StatusForbidden, page: pageProviderError, err: err}
	}
	if idt.Nonce == "" || idt.Nonce != at.nonce {
		return store.User{}, &refusal{result: "bad_nonce", status: http.StatusForbidden, page: pageProviderError}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return store.User{}, &refusal{result: "invalid_id_token", status: http.StatusForbidden, page: pageProviderError, err: err}
	}
	return h.signIn(c, claims)
}
