package admin_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/admin"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

func TestAuditEveryKind(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	mod := ts.ClientAs(t, store.RoleModerator)
	viewer := ts.ClientAs(t, store.RoleViewer)

	mod.Do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/members/2/mute", "")
	node.SetResult("", fmt.Errorf("-ERR busy: %w", adapters.ErrRefused))
	mod.Do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/hangup", "")
	viewer.Do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/lock", "")
	ts.Anonymous().TryLogin(t, "root", "wrong password!")
	ts.Do(t, http.MethodPost, "/api/v1/users", `{"name":"temp","role":"viewer","password":"`+servertest.Password+`"}`)
	temp := ts.Login(t, "temp")
	ts.Do(t, http.MethodDelete, "/api/v1/sessions/"+ts.SessionID(t, "temp"), "")
	_ = temp
	ts.Do(t, http.MethodDelete, "/api/v1/users/temp", "")
	_, data := ts.Do(t, http.MethodPost, "/api/v1/tokens", `{"name":"stt","scopes":["ingest:utterances"]}`)
	var tok struct{ ID, Token string }
	_ = json.Unmarshal(data, &tok)
	ing := ts.Anonymous()
	ing.Headers.Set("Authorization", "Bearer "+tok.Token)
	if resp, data := ing.Do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/c1/utterances", `{"speaker":"caller","text":"hello","final":true}`); resp.StatusCode != 202 {
		t.Fatalf("ingest: %d %s", resp.StatusCode, data)
	}
	ts.Do(t, http.MethodDelete, "/api/v1/tokens/"+tok.ID, "")
	mod.Do(t, http.MethodPost, "/api/v1/auth/logout", "")

	entries := ts.Audit(t, "")
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
		"mute":   {User: mod.User, Role: "moderator", Node: "fs1", Target: "member room/2", Result: "ok", Detail: "+OK"},
		"hangup": {User: mod.User, Role: "moderator", Node: "fs1", Target: "call c1", Result: "refused"},
		"lock":   {User: viewer.User, Role: "viewer", Node: "fs1", Target: "conference room", Result: "forbidden"},
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
	if got := ts.Audit(t, "?user="+mod.User+"&kind=action"); len(got) != 2 {
		t.Errorf("user+kind filter: %+v", got)
	}
	if got := ts.Audit(t, "?action=mute&result=ok&node=fs1"); len(got) != 1 {
		t.Errorf("action filter: %+v", got)
	}
	if got := ts.Audit(t, "?from="+ts.Now().Add(time.Hour).Format(time.RFC3339)); len(got) != 0 {
		t.Errorf("from filter: %d entries", len(got))
	}
	if resp, _ := ts.Do(t, http.MethodGet, "/api/v1/audit?from=yesterday", ""); resp.StatusCode != 400 {
		t.Errorf("bad from: %d", resp.StatusCode)
	}
}

func TestAuditCSVDefusesFormulas(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	viewer := ts.ClientAs(t, store.RoleViewer)
	// a viewer's refused action is audited with the node from the path
	viewer.Do(t, http.MethodPost, "/api/v1/nodes/=HYPERLINK(%22http:%2F%2Fevil%22)/calls/c1/hangup", "")
	viewer.Do(t, http.MethodPost, "/api/v1/nodes/@sum(a1)/calls/c1/hangup", "")
	resp, data := ts.Do(t, http.MethodGet, "/api/v1/audit.csv?kind=action", "")
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
	ts.Anonymous().TryLogin(t, "Pass word with spaces!", "x")
	if got := ts.Audit(t, "?kind=login_failed"); len(got) != 1 || got[0].User != "" || got[0].Detail != "malformed user name" {
		t.Fatalf("login_failed %+v", got)
	}
}
