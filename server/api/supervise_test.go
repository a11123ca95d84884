package api_test

// Issue 11's server half over real HTTP and a real websocket: originate
// answers 202 with the call id, a calls:originate token may originate and
// nothing else, "my phone" is stored and used by listen, and an originate
// failure (CallEnded with the PBX's cause) reaches the browser.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

const pw = "correct horse battery staple"

type env struct {
	t     *testing.T
	srv   *server.Server
	st    *sqlite.DB
	node  *stubnode.Node
	base  string
	hc    *http.Client
	hash  *auth.Hasher
	token string // bearer token sent instead of the session when set
}

type who struct{ cookie, csrf, user string }

func start(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	node := stubnode.New("fs1", adapters.Snapshot{Node: "fs1", Calls: []adapters.Call{{Node: "fs1", ID: "c1", State: "active"}}}).
		WithActions(stubnode.AllActions()...)
	params := auth.Params{Memory: 64, Time: 1, Threads: 1}
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", Store: st, CoalesceInterval: 5 * time.Millisecond,
		Auth: server.AuthConfig{PasswordParams: params}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		[]adapters.Node{node})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-srv.Ready()
	hash, _ := auth.NewHasher(params)
	e := &env{t: t, srv: srv, st: st, node: node, base: "http://" + srv.Addr(), hc: &http.Client{Timeout: 5 * time.Second}, hash: hash}
	for i := 0; i < 100; i++ { // the node's snapshot is in
		var s struct{ Calls []json.RawMessage }
		if code, _ := e.get(who{}, "/api/v1/state", &s); code == 200 && len(s.Calls) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return e
}

func (e *env) user(name string, role store.Role) who {
	e.t.Helper()
	u, err := server.NewUser(e.hash, name, role, pw, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.CreateUser(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	resp, data := e.do(who{}, http.MethodPost, "/api/v1/auth/login", `{"username":"`+name+`","password":"`+pw+`"}`)
	var me struct {
		CSRFToken string `json:"csrfToken"`
	}
	_ = json.Unmarshal(data, &me)
	w := who{csrf: me.CSRFToken, user: name}
	for _, ck := range resp.Cookies() {
		if ck.Name == session.CookieName {
			w.cookie = ck.Value
		}
	}
	if w.cookie == "" {
		e.t.Fatalf("login %s: %d %s", name, resp.StatusCode, data)
	}
	return w
}

func (e *env) do(w who, method, path, body string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.base)
	if w.cookie != "" {
		req.AddCookie(&http.Cookie{Name: session.CookieName, Value: w.cookie})
		req.Header.Set(session.CSRFHeader, w.csrf)
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func (e *env) get(w who, path string, v any) (int, []byte) {
	resp, data := e.do(w, http.MethodGet, path, "")
	if v != nil {
		_ = json.Unmarshal(data, v)
	}
	return resp.StatusCode, data
}

func TestOriginateAnswers202WithTheCallID(t *testing.T) {
	e := start(t)
	mod := e.user("mia", store.RoleModerator)
	resp, data := e.do(mod, http.MethodPost, "/api/v1/nodes/fs1/calls", `{"from":"1001","to":"15550100"}`)
	var r struct {
		OK     bool   `json:"ok"`
		CallID string `json:"callId"`
	}
	if err := json.Unmarshal(data, &r); err != nil || resp.StatusCode != http.StatusAccepted || !r.OK || r.CallID == "" {
		t.Fatalf("originate: %d %s", resp.StatusCode, data)
	}
	if got := e.node.Calls(); len(got) != 1 || got[0] != (adapters.Originate{From: "1001", To: "15550100"}) {
		t.Fatalf("node got %#v", got)
	}
	var snap struct {
		Originations []struct{ CallID, By, State, From, To string }
	}
	e.get(mod, "/api/v1/state", &snap)
	if len(snap.Originations) != 1 || snap.Originations[0].CallID != r.CallID || snap.Originations[0].By != "mia" ||
		snap.Originations[0].State != "ringing" || snap.Originations[0].To != "15550100" {
		t.Fatalf("originations %+v", snap.Originations)
	}
}

func TestOriginateTokenScopeAdmitsOriginateOnly(t *testing.T) {
	e := start(t)
	admin := e.user("ada", store.RoleAdmin)
	_, data := e.do(admin, http.MethodPost, "/api/v1/tokens", `{"name":"crm","scopes":["calls:originate"]}`)
	var tok struct{ Token string }
	if json.Unmarshal(data, &tok); tok.Token == "" {
		t.Fatalf("create token: %s", data)
	}
	e.token = tok.Token
	resp, data := e.do(who{}, http.MethodPost, "/api/v1/nodes/fs1/calls", `{"from":"1001","to":"1002"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("token originate: %d %s", resp.StatusCode, data)
	}
	for _, path := range []string{"/api/v1/nodes/fs1/calls/c1/hangup", "/api/v1/nodes/fs1/calls/c1/hold"} {
		if resp, data := e.do(who{}, http.MethodPost, path, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %s: %d %s, want 401", path, resp.StatusCode, data)
		}
	}
	if code, _ := e.get(who{}, "/api/v1/state", nil); code != http.StatusUnauthorized {
		t.Errorf("token state: %d", code)
	}
	// an ingest-only token may not originate
	_, data = e.do(admin, http.MethodPost, "/api/v1/tokens", `{"name":"stt","scopes":["ingest:utterances"]}`)
	json.Unmarshal(data, &tok)
	e.token = tok.Token
	if resp, _ := e.do(who{}, http.MethodPost, "/api/v1/nodes/fs1/calls", `{"from":"1001","to":"1002"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("ingest token originate: %d, want 403", resp.StatusCode)
	}
	e.token = ""
	_, data = e.do(admin, http.MethodGet, "/api/v1/audit?action=originate", "")
	if !strings.Contains(string(data), `"token:crm"`) {
		t.Errorf("audit does not name the token: %s", data)
	}
}

func TestMyPhoneIsStoredAndUsedByListen(t *testing.T) {
	e := start(t)
	mod := e.user("mia", store.RoleModerator)
	other := e.user("oz", store.RoleModerator)
	if resp, data := e.do(mod, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/listen", ""); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(string(data), "no phone set") {
		t.Fatalf("listen without phone: %d %s", resp.StatusCode, data)
	}
	if resp, _ := e.do(mod, http.MethodPut, "/api/v1/me/phone", `{"phone":"10 01"}`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed phone: %d", resp.StatusCode)
	}
	e.do(mod, http.MethodPut, "/api/v1/me/phone", `{"phone":"1001"}`)
	e.do(other, http.MethodPut, "/api/v1/me/phone", `{"phone":"1009"}`)
	var p struct{ Phone string }
	if e.get(mod, "/api/v1/me/phone", &p); p.Phone != "1001" {
		t.Fatalf("phone %q", p.Phone)
	}
	if resp, data := e.do(mod, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/whisper", ""); resp.StatusCode != 200 {
		t.Fatalf("whisper: %d %s", resp.StatusCode, data)
	}
	// someone else's phone in the body is refused, not used
	if resp, _ := e.do(mod, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/barge", `{"phone":"1009"}`); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("barge with another phone: %d", resp.StatusCode)
	}
	if resp, data := e.do(other, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/listen", `{"phone":"1009"}`); resp.StatusCode != 200 {
		t.Fatalf("listen with own phone: %d %s", resp.StatusCode, data)
	}
	want := []adapters.Action{
		adapters.Supervise{Call: "c1", Phone: "1001", Mode: adapters.ModeWhisper},
		adapters.Supervise{Call: "c1", Phone: "1009", Mode: adapters.ModeListen},
	}
	if got := e.node.Calls(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("node got %#v", got)
	}
}

func TestOriginateFailureReachesTheWebsocket(t *testing.T) {
	e := start(t)
	mod := e.user("mia", store.RoleModerator)
	hdr := http.Header{"Origin": {e.base}, "Cookie": {session.CookieName + "=" + mod.cookie}}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+e.srv.Addr()+"/ws", hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var snap struct{ Type string }
	if err := conn.ReadJSON(&snap); err != nil || snap.Type != "snapshot" {
		t.Fatalf("snapshot %+v %v", snap, err)
	}
	_, data := e.do(mod, http.MethodPost, "/api/v1/nodes/fs1/calls", `{"from":"1001","to":"1002"}`)
	var r struct{ CallID string }
	_ = json.Unmarshal(data, &r)
	// the PBX's verdict, for an id never seen live
	e.node.Emit(adapters.CallEnded{Node: "fs1", CallID: r.CallID, Cause: "USER_BUSY", At: time.Now()})
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var d struct {
			Ops []struct {
				Kind  string
				Value struct{ CallID, State, Cause, By string }
			}
		}
		if err := conn.ReadJSON(&d); err != nil {
			t.Fatalf("no failure on the websocket: %v", err)
		}
		for _, op := range d.Ops {
			if op.Kind == "origination" && op.Value.State == "failed" {
				if op.Value.CallID != r.CallID || op.Value.Cause != "USER_BUSY" || op.Value.By != "mia" {
					t.Fatalf("origination %+v", op.Value)
				}
				return
			}
		}
	}
}
