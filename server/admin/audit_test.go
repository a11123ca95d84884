package server

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/admin"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

func (ts *testServer) audit(t *testing.T, query string) []admin.AuditJSON {
	t.Helper()
	var body struct{ Entries []admin.AuditJSON }
	if code := ts.getJSON(t, "/api/v1/audit"+query, &body); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	return body.Entries
}

func TestAuditEveryKind(t *testing.T) {
	node := stubnode.New("fs1", fs1Snapshot())
	ts := startServer(t, Config{}, node)
	mod := ts.clientAs(t, store.RoleModerator)
	viewer := ts.clientAs(t, store.RoleViewer)

	mod.do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/members/2/mute", "")
	node.SetResult("", fmt.Errorf("-ERR busy: %w", adapters.ErrRefused))
	mod.do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/hangup", "")
	viewer.do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/lock", "")
	ts.anonymous().tryLogin(t, "root", "wrong password!")
	ts.do(t, http.MethodPost, "/api/v1/users", `{"name":"temp","role":"viewer","password":"`+testPassword+`"}`)
	temp := ts.login(t, "temp")
	ts.do(t, http.MethodDelete, "/api/v1/sessions/"+ts.sessionID(t, "temp"), "")
	_ = temp
	ts.do(t, http.MethodDelete, "/api/v1/users/temp", "")
	_, data := ts.do(t, http.MethodPost, "/api/v1/tokens", `{"name":"stt","scopes":["ingest:utterances"]}`)
	var tok struct{ ID, Token string }
	_ = json.Unmarshal(data, &tok)
	ing := ts.anonymous()
	ing.headers.Set("Authorization", "Bearer "+tok.Token)
	if resp, data := ing.do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/utterances", `{"speaker":"caller","text":"hello","final":true}`); resp.StatusCode != 202 {
		t.Fatalf("ingest: %d %s", resp.StatusCode, data)
	}
	ts.do(t, http.MethodDelete, "/api/v1/tokens/"+tok.ID, "")
	mod.do(t, http.MethodPost, "/api/v1/auth/logout", "")

	entries := ts.audit(t, "")
	byKind := map[string][]admin.AuditJSON{}
	for _, e := range entries {
		byKind[e.Kind] = append(byKind[e.Kind], e)
		if e.At.IsZero() || e.IP != "127.0.0.1" {
			t.Fatalf("entry without time or IP: %+v", e)
		}
	}
	for _, k := range []string{"action", "login", "login_failed", "logout", "session_revoked", "user_created", "user_deleted", "token_created", "token_revoked", "ingest"} {
		if len(byKind[k]) == 0 {
			t.Errorf("no %s entry in %+v", k, entries)
		}
	}
	want := map[string]admin.AuditJSON{
		"mute":   {User: mod.user, Role: "moderator", Node: "fs1", Target: "member room/2", Result: "ok", Detail: "+OK"},
		"hangup": {User: mod.user, Role: "moderator", Node: "fs1", Target: "call c1", Result: "refused"},
		"lock":   {User: viewer.user, Role: "viewer", Node: "fs1", Target: "conference room", Result: "forbidden"},
	}
	for _, e := range byKind["action"] {
		w, ok := want[e.Action]
		if !ok {
			t.Fatalf("unexpected action entry %+v", e)
		}
		if e.User != w.User || e.Role != w.Role || e.Node != w.Node || e.Target != w.Target || e.Result != w.Result || (w.Detail != "" && e.Detail != w.Detail) {
			t.Errorf("%s entry %+v, want %+v", e.Action, e, w)
		}
		delete(want, e.Action)
	}
	if len(want) != 0 {
		t.Errorf("actions not audited: %v", want)
	}
	if f := byKind["login_failed"][0]; f.User != "root" || f.Result != "bad_credentials" {
		t.Errorf("login_failed %+v", f)
	}
	if i := byKind["ingest"][0]; i.User != "token:stt" || i.Node != "fs1" || i.Target != "call c1" {
		t.Errorf("ingest %+v", i)
	}
	// filters
	if got := ts.audit(t, "?user="+mod.user+"&kind=action"); len(got) != 2 {
		t.Errorf("user+kind filter: %+v", got)
	}
	if got := ts.audit(t, "?action=mute&result=ok&node=fs1"); len(got) != 1 {
		t.Errorf("action filter: %+v", got)
	}
	if got := ts.audit(t, "?from="+ts.now().Add(time.Hour).Format(time.RFC3339)); len(got) != 0 {
		t.Errorf("from filter: %d entries", len(got))
	}
	if resp, _ := ts.do(t, http.MethodGet, "/api/v1/audit?from=yesterday", ""); resp.StatusCode != 400 {
		t.Errorf("bad from: %d", resp.StatusCode)
	}
}

func TestAuditCSVDefusesFormulas(t *testing.T) {
	ts := startServer(t, Config{})
	viewer := ts.clientAs(t, store.RoleViewer)
	// a viewer's refused action is audited with the node from the path
	viewer.do(t, http.MethodPost, "/api/v1/nodes/=HYPERLINK(%22http:%2F%2Fevil%22)/calls/c1/hangup", "")
	viewer.do(t, http.MethodPost, "/api/v1/nodes/@sum(a1)/calls/c1/hangup", "")
	resp, data := ts.do(t, http.MethodGet, "/api/v1/audit.csv?kind=action", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][7] != "node" {
		t.Fatalf("rows %v %v", rows, err)
	}
	for _, r := range rows[1:] {
		if r[7] != `'=HYPERLINK("http://evil")` && r[7] != "'@sum(a1)" {
			t.Fatalf("node cell %q not defused", r[7])
		}
	}
	// a password typed as a user name is not kept
	ts.anonymous().tryLogin(t, "Pass word with spaces!", "x")
	if got := ts.audit(t, "?kind=login_failed"); len(got) != 1 || got[0].User != "" || got[0].Detail != "malformed user name" {
		t.Fatalf("login_failed %+v", got)
	}
}
