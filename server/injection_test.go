package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/ingest"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

func TestInjectionRejectedBeforeAdapter(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	mod := ts.ClientAs(t, store.RoleModerator)
	const m = "/api/v1/nodes/fs1/conferences/room/members/"
	attempts := []struct{ path, body string }{
		{m + "2%0Aapi%20shutdown/mute", ""},
		{m + "2%0D%0Abgapi%20hupall/kick", ""},
		{m + "2%20all/mute", ""},
		{m + "2;hupall/deaf", ""},
		{m + "%24%7Bsystem(id)%7D/mute", ""},
		{"/api/v1/nodes/fs1/conferences/room%0Aapi%20shutdown/lock", ""},
		{"/api/v1/nodes/fs1/conferences/room'%22/unlock", ""},
		{"/api/v1/nodes/fs1/calls/c1%20%7C%20rm/hangup", ""},
		{"/api/v1/nodes/fs1/calls/..%2F..%2Fetc/hangup", ""},
		{m + "2/play", `{"media":"/etc/passwd"}`},
		{m + "2/play", `{"media":"welcome\napi shutdown"}`},
		{"/api/v1/nodes/fs1/conferences/room/play", `{"media":"tone_stream://%(1,0,1)"}`},
		{m + "2/play", `{"media":"welcome","extra":"x"}`},
		{"/api/v1/nodes/fs1%0A/calls/c1/hangup", ""},
	}
	for _, a := range attempts {
		resp, data := mod.Do(t, http.MethodPost, a.path, a.body)
		if resp.StatusCode != 400 && resp.StatusCode != 404 {
			t.Errorf("%s %s: %d %s, want 400/404", a.path, a.body, resp.StatusCode, data)
		}
	}
	if calls := node.Calls(); len(calls) != 0 {
		t.Fatalf("injection attempts reached the adapter: %v", calls)
	}
}

func TestIngestUtterances(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	token := func(scopes string) string {
		_, data := ts.Do(t, http.MethodPost, "/api/v1/tokens", `{"name":"stt","scopes":`+scopes+`}`)
		var tok struct{ ID, Token string }
		if err := json.Unmarshal(data, &tok); err != nil || !strings.HasPrefix(tok.Token, "cbt_") {
			t.Fatalf("token %s", data)
		}
		return tok.Token
	}
	good := token(`["ingest:utterances"]`)
	if resp, data := ts.Do(t, http.MethodPost, "/api/v1/tokens", `{"name":"x","scopes":["admin"]}`); resp.StatusCode != 400 {
		t.Fatalf("unknown scope: %d %s", resp.StatusCode, data)
	}
	// the list never shows the secret
	_, list := ts.Do(t, http.MethodGet, "/api/v1/tokens", "")
	if strings.Contains(string(list), good) || strings.Contains(string(list), `"token"`) {
		t.Fatalf("token list reveals the secret: %s", list)
	}
	const path = "/api/v1/nodes/fs1/calls/c1/utterances"
	long := strings.Repeat("話", ingest.MaxUtteranceText) // 12,000 bytes of UTF-8: within the body limit
	tests := []struct {
		name, auth, path, body string
		want                   int
	}{
		{"ok", good, path, `{"speaker":"caller","text":"안녕하세요","final":false,"startMs":10,"endMs":900,"vendor":"deepgram"}`, 202},
		{"ok 4000 CJK characters", good, path, `{"speaker":"bot","text":"` + long + `","final":true}`, 202},
		{"no token", "", path, `{"speaker":"bot","text":"x","final":true}`, 401},
		{"unknown token", "cbt_" + strings.Repeat("A", 43), path, `{"speaker":"bot","text":"x","final":true}`, 401},
		{"session cookie value is not a token", ts.Client.Cookie, path, `{"speaker":"bot","text":"x","final":true}`, 401},
		{"unknown node", good, "/api/v1/nodes/fs9/calls/c1/utterances", `{"speaker":"bot","text":"x","final":true}`, 404},
		{"bad call id", good, "/api/v1/nodes/fs1/calls/c1%0Ax/utterances", `{"speaker":"bot","text":"x","final":true}`, 400},
		{"bad speaker", good, path, `{"speaker":"god","text":"x","final":true}`, 400},
		{"empty text", good, path, `{"speaker":"bot","text":"  ","final":true}`, 400},
		{"text too long", good, path, `{"speaker":"bot","text":"` + long + `x","final":true}`, 400},
		{"final missing", good, path, `{"speaker":"bot","text":"x"}`, 400},
		{"negative offset", good, path, `{"speaker":"bot","text":"x","final":true,"startMs":-1}`, 400},
		{"end before start", good, path, `{"speaker":"bot","text":"x","final":true,"startMs":5,"endMs":1}`, 400},
		{"bad vendor", good, path, `{"speaker":"bot","text":"x","final":true,"vendor":"a b"}`, 400},
		{"unknown field", good, path, `{"speaker":"bot","text":"x","final":true,"node":"fs2"}`, 400},
		{"body too large", good, path, `{"speaker":"bot","text":"` + strings.Repeat("x", 40000) + `","final":true}`, 413},
	}
	for _, tc := range tests {
		c := ts.Anonymous()
		if tc.auth != "" {
			c.Headers.Set("Authorization", "Bearer "+tc.auth)
		}
		resp, data := c.Do(t, http.MethodPost, tc.path, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, data, tc.want)
		}
	}
	// the accepted lines are in the call's transcript, as PBX lines would be
	testutil.EventuallyNoError(t, "the two ingested lines in the transcript", func() error {
		var tr struct {
			Lines []struct {
				Speaker, Text, Vendor string
				Final                 bool
			}
		}
		ts.GetJSON(t, "/api/v1/nodes/fs1/calls/c1/transcript", &tr)
		if len(tr.Lines) == 2 && tr.Lines[0].Text == "안녕하세요" && tr.Lines[0].Vendor == "deepgram" && tr.Lines[1].Final {
			return nil
		}
		return fmt.Errorf("transcript %+v", tr)
	})
	// a revoked token stops working
	other := token(`["ingest:utterances"]`)
	var toks struct{ Tokens []struct{ ID string } }
	ts.GetJSON(t, "/api/v1/tokens", &toks)
	for _, tk := range toks.Tokens {
		ts.Do(t, http.MethodDelete, "/api/v1/tokens/"+tk.ID, "")
	}
	c := ts.Anonymous()
	c.Headers.Set("Authorization", "Bearer "+other)
	if resp, _ := c.Do(t, http.MethodPost, path, `{"speaker":"bot","text":"x","final":true}`); resp.StatusCode != 401 {
		t.Fatalf("revoked token: %d", resp.StatusCode)
	}
}
