package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// exchangeLog keeps every byte the server sent, with who received it.
type exchangeLog struct {
	mu   sync.Mutex
	recs []exchange
}

type exchange struct {
	what  string
	owner *servertest.Client // nil: not one client's (logs)
	data  []byte
}

func (l *exchangeLog) add(what string, owner *servertest.Client, data []byte) {
	l.mu.Lock()
	l.recs = append(l.recs, exchange{what, owner, bytes.Clone(data)})
	l.mu.Unlock()
}

func (l *exchangeLog) tap(c *servertest.Client) {
	c.Tap = func(resp *http.Response, body []byte) {
		head, _ := httputil.DumpResponse(resp, false)
		l.add(resp.Request.Method+" "+resp.Request.URL.Path, c, append(head, body...))
	}
}

// TestSecretsNeverLeave drives a demo-like stack (real FreeSWITCH and
// Asterisk adapters against the protocol fakes, debug logs) through every
// endpoint, role, websocket message and error path, and scans every byte the
// server produced for the PBX passwords, user passwords, other users'
// session secrets, API token secrets and the SSO client secret (after a
// single sign-on through a provider on loopback).
func TestSecretsNeverLeave(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const eslPassword, ariPassword = "esl-Secret-7f3a9c", "ari-Secret-41b2d8"
	logs := &testutil.LockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	esl := eslfake.New(eslfake.Options{Password: eslPassword, Logger: log.With("component", "eslfake"), Hostname: "demo-fs"})
	if err := esl.Start(); err != nil {
		t.Fatal(err)
	}
	defer esl.Close()
	go func() { _ = eslfake.RunDemoScaled(ctx, esl, mrand.New(mrand.NewPCG(1, 2)), 0.05) }()
	ari, err := arifake.New(arifake.Options{Username: "callboard", Password: ariPassword, Logger: log.With("component", "arifake")})
	if err != nil {
		t.Fatal(err)
	}
	defer ari.Close()
	go func() { _ = arifake.RunDemo(ctx, ari, mrand.New(mrand.NewPCG(3, 4))) }()
	fsNode, err := freeswitch.New(freeswitch.Config{ID: "demo-fs", Address: esl.Addr(), Password: eslPassword,
		Media: map[string]string{"welcome": "/sounds/welcome.wav"}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	astNode, err := asterisk.New(asterisk.Config{ID: "demo-ast", URL: ari.URL(), Username: "callboard", Password: ariPassword,
		Application: "callboard", SubscribeAll: true, Media: map[string]string{"welcome": "sound:welcome"}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := servertest.StartNodes(t, server.Config{OIDC: startIdP(t)}, []adapters.Node{fsNode, astNode}, logs)

	// users: the bootstrap admin with a known password, one user per role
	passwords := map[string]string{"boss": "boss-Password-93kd1", "vera": "vera-Password-1x8z2", "mo": "mo-Password-77qpl0"}
	for name, role := range map[string]store.Role{"boss": store.RoleAdmin, "vera": store.RoleViewer, "mo": store.RoleModerator} {
		u, err := server.NewUser(ts.Hasher, name, role, passwords[name], ts.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.Store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	rec := &exchangeLog{}
	client := func(name string) *servertest.Client {
		c := ts.Anonymous()
		rec.tap(c)
		if name == "" {
			return c
		}
		return ts.SignIn(t, c, name, passwords[name])
	}
	admin, viewer, mod, anon := client("boss"), client("vera"), client("mo"), client("")
	ssoSignIn(t, ts.Base, rec)
	clients := []*servertest.Client{anon, viewer, mod, admin}

	// an API token; its secret is allowed in its creation answer only
	_, data := admin.Do(t, http.MethodPost, "/api/v1/tokens", `{"name":"stt","scopes":["ingest:utterances"]}`)
	var tok struct{ ID, Token string }
	if err := json.Unmarshal(data, &tok); err != nil || tok.Token == "" {
		t.Fatalf("token: %s", data)
	}
	tokenAnswer := len(rec.recs) - 1
	ingest := client("")
	ingest.Headers.Set("Authorization", "Bearer "+tok.Token)

	// wait for live calls and members on both nodes
	var snap struct {
		Calls       []struct{ Node, ID string }
		Conferences []struct{ Node, Name string }
		Members     []struct{ Node, Conference, ID string }
	}
	testutil.EventuallyNoError(t, "the demo to produce members on both nodes", func() error {
		admin.Do(t, http.MethodGet, "/api/v1/state", "")
		ts.GetJSON(t, "/api/v1/state", &snap)
		nodes := map[string]bool{}
		for _, m := range snap.Members {
			nodes[m.Node] = true
		}
		if nodes["demo-fs"] && nodes["demo-ast"] && len(snap.Calls) > 0 {
			return nil
		}
		return fmt.Errorf("state %+v", snap)
	})

	// websockets for every signed-in role, with every client message type
	var wg sync.WaitGroup
	for _, c := range []*servertest.Client{viewer, mod, admin} {
		conn, _, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", http.Header{"Origin": {ts.Base}, "Cookie": {session.CookieName + "=" + c.Cookie}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		wg.Go(func() {
			_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return
				}
				rec.add("ws message", c, msg)
			}
		})
		call := snap.Calls[0].Node + "/" + snap.Calls[0].ID
		for _, m := range []string{`{"type":"open","call":"` + call + `"}`, `{"type":"resync"}`, `{"type":"close","call":"` + call + `"}`,
			`{"type":"open","call":"x"}`, `{"type":"bogus"}`, `not json`, `{"type":"open","call":"demo-fs/nope"}`} {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// a foreign origin and a missing session on /ws
	for _, hdr := range []http.Header{{"Origin": {"https://evil.example"}, "Cookie": {session.CookieName + "=" + viewer.Cookie}}, {"Origin": {ts.Base}}} {
		if _, resp, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", hdr); err == nil {
			t.Fatal("websocket accepted")
		} else if resp != nil {
			head, _ := httputil.DumpResponse(resp, true)
			rec.add("ws refused", nil, head)
		}
	}

	// every endpoint as every role, good and bad
	var paths []string
	for _, cf := range snap.Conferences {
		base := "/api/v1/nodes/" + cf.Node + "/conferences/" + cf.Name
		for _, v := range []string{"lock", "unlock", "moh-start", "moh-stop", "explode"} {
			paths = append(paths, base+"/"+v)
		}
	}
	for _, m := range snap.Members {
		base := "/api/v1/nodes/" + m.Node + "/conferences/" + m.Conference + "/members/" + m.ID
		for _, v := range []string{"mute", "unmute", "deaf", "undeaf"} {
			paths = append(paths, base+"/"+v)
		}
	}
	type call struct{ method, path, body string }
	var calls []call
	for _, p := range paths {
		calls = append(calls, call{"POST", p, ""})
	}
	for _, c := range snap.Calls {
		calls = append(calls, call{"GET", "/api/v1/nodes/" + c.Node + "/calls/" + c.ID + "/transcript", ""})
	}
	mem := snap.Members[0]
	mbase := "/api/v1/nodes/" + mem.Node + "/conferences/" + mem.Conference + "/members/" + mem.ID
	calls = append(calls,
		call{"POST", mbase + "/play", `{"media":"welcome"}`},
		call{"POST", mbase + "/play", `{"media":"nope"}`},
		call{"POST", mbase + "/play", `{"media":`},
		call{"POST", "/api/v1/nodes/demo-fs/conferences/x%0Ay/lock", ""},
		call{"POST", "/api/v1/nodes/demo-ast/calls/nope/hangup", ""},
		call{"POST", "/api/v1/nodes/nope/calls/c/hangup", ""},
		call{"GET", "/healthz", ""}, call{"GET", "/", ""}, call{"GET", "/assets/missing.js", ""},
		call{"GET", "/api/v1/auth/me", ""}, call{"GET", "/api/v1/state", ""}, call{"GET", "/api/v1/nope", ""},
		call{"GET", "/api/v1/users", ""}, call{"POST", "/api/v1/users", `{"name":"x","role":"viewer","password":"short"}`},
		call{"POST", "/api/v1/users", `{"name":"boss","role":"viewer","password":"long enough password"}`},
		call{"DELETE", "/api/v1/users/nobody", ""},
		call{"GET", "/api/v1/sessions", ""}, call{"DELETE", "/api/v1/sessions/nope", ""},
		call{"GET", "/api/v1/tokens", ""}, call{"DELETE", "/api/v1/tokens/nope", ""},
		call{"GET", "/api/v1/audit", ""}, call{"GET", "/api/v1/audit.csv", ""}, call{"GET", "/api/v1/audit?from=bad", ""},
		call{"POST", "/api/v1/auth/login", `{"username":"boss","password":"wrong password"}`},
		call{"POST", "/api/v1/auth/login", `{"username":"boss","password":"` + eslPassword + `"}`},
		call{"POST", "/api/v1/auth/login", `{"bogus":1}`},
	)
	for _, c := range clients {
		for _, cl := range calls {
			c.Do(t, cl.method, cl.path, cl.body)
		}
	}
	for _, body := range []string{`{"speaker":"caller","text":"card number please","final":true}`, `{"speaker":"x"}`, `{`} {
		ingest.Do(t, http.MethodPost, "/api/v1/nodes/"+snap.Calls[0].Node+"/calls/"+snap.Calls[0].ID+"/utterances", body)
	}
	hangup := snap.Calls[len(snap.Calls)-1]
	mod.Do(t, http.MethodPost, "/api/v1/nodes/"+hangup.Node+"/calls/"+hangup.ID+"/hangup", "")
	admin.Do(t, http.MethodDelete, "/api/v1/tokens/"+tok.ID, "")
	ingest.Do(t, http.MethodPost, "/api/v1/nodes/demo-fs/calls/x/utterances", `{"speaker":"bot","text":"x","final":true}`)
	admin.Do(t, http.MethodGet, "/api/v1/audit", "")
	admin.Do(t, http.MethodGet, "/api/v1/audit.csv", "")
	viewer.Do(t, http.MethodPost, "/api/v1/auth/logout", "")
	admin.Do(t, http.MethodDelete, "/api/v1/users/mo", "")
	wg.Wait()
	if err := ts.Stop(); err != nil {
		t.Fatal(err)
	}
	rec.add("logs", nil, []byte(logs.String()))

	secrets := map[string]string{"ESL password": eslPassword, "ARI password": ariPassword, "token secret": tok.Token,
		"OIDC client secret": oidcClientSecret}
	for name, pw := range passwords {
		secrets["password of "+name] = pw
	}
	for _, c := range []*servertest.Client{viewer, mod, admin} {
		secrets["session of "+c.User] = c.Cookie
	}
	if len(rec.recs) < 300 || !strings.Contains(logs.String(), "level=DEBUG") {
		t.Fatalf("too little traffic scanned (%d exchanges) or no debug logs", len(rec.recs))
	}
	for i, r := range rec.recs {
		for name, secret := range secrets {
			if !bytes.Contains(r.data, []byte(secret)) {
				continue
			}
			own := r.owner != nil && strings.HasPrefix(name, "session of ") && r.owner.Cookie == secret && r.what == "POST /api/v1/auth/login"
			if own || (name == "token secret" && i == tokenAnswer) {
				continue
			}
			t.Errorf("%s found in %s: %s", name, r.what, web.Clip(string(r.data), 2000))
		}
	}
	t.Logf("scanned %d exchanges and %d bytes of logs", len(rec.recs), len(logs.String()))
}
