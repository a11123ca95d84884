package arifake

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/internal/testutil"
	"github.com/gorilla/websocket"
)

func startFake(t *testing.T) *Server {
	t.Helper()
	s, err := New(Options{PlaybackDuration: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func do(t *testing.T, s *Server, method, path, user, pass, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+s.Addr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(b))
}

func TestAuthLikeAsterisk(t *testing.T) {
	s := startFake(t)
	cases := []struct {
		name, path, user, pass string
		status                 int
	}{
		{"wrong password", "/ari/asterisk/info", "dash", "wrongpass", 401},
		{"unknown user", "/ari/asterisk/info", "nobody", "dashpass", 401},
		{"no auth", "/ari/asterisk/info", "", "", 401},
		{"basic auth", "/ari/asterisk/info", "dash", "dashpass", 200},
		{"api_key", "/ari/channels?api_key=dash:dashpass", "", "", 200},
		{"api_key wrong", "/ari/channels?api_key=dash:nope", "", "", 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, hdr, body := do(t, s, "GET", c.path, c.user, c.pass, "")
			if status != c.status {
				t.Fatalf("status %d, want %d", status, c.status)
			}
			if status == 401 {
				if body != `{"message":"Authentication required"}` {
					t.Errorf("body %q", body)
				}
				if hdr.Get("WWW-Authenticate") != `Basic realm="Asterisk REST Interface"` {
					t.Errorf("WWW-Authenticate %q", hdr.Get("WWW-Authenticate"))
				}
			}
		})
	}
	// The websocket handshake is refused with 401 and the same body.
	_, resp, err := websocket.DefaultDialer.Dial(s.WebsocketURL()+"?app=x&api_key=dash:wrong", nil)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("websocket with bad credentials: err %v resp %v", err, resp)
	}
	b, _ := io.ReadAll(resp.Body)
	if strings.TrimSpace(string(b)) != `{"message":"Authentication required"}` {
		t.Errorf("websocket 401 body %q", b)
	}
}

func TestErrorsLikeAsterisk(t *testing.T) {
	s := startFake(t)
	ws := dialEvents(t, s, "dashboard")
	_ = ws
	ch := s.AddChannel(ChannelSpec{Caller: Party{"A", "1"}})
	leg2 := s.AddChannel(ChannelSpec{Caller: Party{"B", "2"}, NoStasis: true})
	br := s.CreateBridge("room1001")
	cases := []struct {
		method, path, body string
		status             int
		message            string
	}{
		{"POST", "/ari/channels/no-such-channel/mute?direction=in", "", 404, "Channel not found"},
		{"POST", "/ari/channels/" + ch + "/mute?direction=sideways", "", 400, "Invalid direction specified"},
		{"POST", "/ari/channels/" + leg2 + "/mute?direction=in", "", 409, "Channel not in Stasis application"},
		{"POST", "/ari/channels/no-such-channel/play?media=sound:x", "", 404, "Channel not found"},
		{"DELETE", "/ari/channels/no-such-channel", "", 404, "Channel not found"},
		{"POST", "/ari/bridges/" + br + "/addChannel?channel=no-such-channel", "", 400, "Channel not found"},
		{"POST", "/ari/bridges/" + br + "/removeChannel?channel=no-such-channel", "", 400, "Channel not found"},
		{"POST", "/ari/bridges/" + br + "/addChannel?channel=" + leg2, "", 422, "Channel not in Stasis application"},
		{"POST", "/ari/bridges/no-such-bridge/addChannel?channel=" + ch, "", 404, "Bridge not found"},
		{"GET", "/ari/bridges/no-such-bridge", "", 404, "Bridge not found"},
		{"DELETE", "/ari/bridges/no-such-bridge", "", 404, "Bridge not found"},
		{"GET", "/ari/no-such-resource", "", 404, "Resource not found"},
		{"POST", "/ari/events/user/transcription", `{"variables":{"text":"x"}}`, 400, "Missing parameter application"},
		{"POST", "/ari/events/user/transcription?application=no-such-app", `{"variables":{"text":"x"}}`, 404, "Application not found"},
		{"POST", "/ari/events/user/transcription?application=dashboard&source=channel:no-such-channel", `{"variables":{"text":"x"}}`, 422, "Event source was not found"},
		{"POST", "/ari/events/user/transcription?application=dashboard", `not json`, 400, "Error parsing request body"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			status, hdr, body := do(t, s, c.method, c.path, "dash", "dashpass", c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d (%s)", status, c.status, body)
			}
			var m map[string]string
			if err := json.Unmarshal([]byte(body), &m); err != nil || m["message"] != c.message || len(m) != 1 {
				t.Errorf("body %s, want message %q", body, c.message)
			}
			if hdr.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", hdr.Get("Content-Type"))
			}
		})
	}
}

func dialEvents(t *testing.T, s *Server, app string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(s.WebsocketURL()+"?app="+app+"&subscribeAll=true&api_key=dash:dashpass", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws
}

func readEvent(t *testing.T, ws *websocket.Conn) map[string]any {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// keyPaths lists every key path of a JSON object ("channel.caller.name").
// Arrays contribute the keys of their first object element.
func keyPaths(prefix string, v any, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			p := prefix + k
			*out = append(*out, p)
			keyPaths(p+".", c, out)
		}
	case []any:
		if len(t) > 0 {
			keyPaths(prefix, t[0], out)
		}
	}
}

func shape(v map[string]any) []string {
	var out []string
	keyPaths("", v, &out)
	sort.Strings(out)
	return out
}

func traceKey(ev map[string]any) string {
	k := ev["type"].(string)
	if _, ok := ev["channel"]; ok && k == "ChannelUserevent" {
		k += "+channel"
	}
	return k
}

func loadTrace(t *testing.T) map[string]map[string]any {
	t.Helper()
	f, err := os.Open("testdata/trace-events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]any{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		out[traceKey(ev)] = ev
	}
	return out
}

// userevent variables depend on the sender, so only the envelope is compared.
func dropUserVars(paths []string) []string {
	return slices.DeleteFunc(paths, func(p string) bool {
		return strings.HasPrefix(p, "userevent.") && p != "userevent.eventname"
	})
}

func TestEventShapesMatchRealAsterisk(t *testing.T) {
	s := startFake(t)
	trace := loadTrace(t)
	ws := dialEvents(t, s, "dashboard")
	testutil.Eventually(t, "the events websocket to subscribe", func() bool { return s.Subscribers() > 0 })
	a := s.AddChannel(ChannelSpec{Caller: Party{"Alice", "1001"}, Args: []string{"room1001"}})
	if err := s.Answer(a); err != nil {
		t.Fatal(err)
	}
	br := s.CreateBridge("room1001")
	rest := func(method, path, body string, want int) {
		if st, _, b := do(t, s, method, path, "dash", "dashpass", body); st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
	}
	rest("POST", "/ari/bridges/"+br+"/addChannel?channel="+a, "", 204)
	rest("POST", "/ari/channels/"+a+"/variable", `{"variable":"TALK_DETECT(set)","value":""}`, 204)
	if err := s.SetTalking(a, true, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTalking(a, false, 3119*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	rest("POST", "/ari/events/user/transcription?application=dashboard", `{"variables":{"text":"hello","speaker":"caller"}}`, 204)
	rest("POST", "/ari/events/user/transcription?application=dashboard&source=channel:"+a, `{"variables":{"text":"hello","speaker":"caller","final":"true"}}`, 204)
	rest("POST", "/ari/channels/"+a+"/play", `{"media":["sound:dash-hello"]}`, 201)
	rest("POST", "/ari/bridges/"+br+"/removeChannel", `{"channel":"`+a+`"}`, 204)
	rest("DELETE", "/ari/channels/"+a, "", 204)
	rest("DELETE", "/ari/bridges/"+br, "", 204)

	got := map[string]map[string]any{}
	deadline := time.Now().Add(3 * time.Second)
	for len(got) < len(trace) && time.Now().Before(deadline) {
		ev := readEvent(t, ws)
		if _, seen := got[traceKey(ev)]; !seen {
			got[traceKey(ev)] = ev
		}
	}
	for k, want := range trace {
		ev, ok := got[k]
		if !ok {
			t.Errorf("no %s event from the fake", k)
			continue
		}
		if g, w := dropUserVars(shape(ev)), dropUserVars(shape(want)); !slices.Equal(g, w) {
			t.Errorf("%s keys differ\n got %v\nwant %v", k, g, w)
		}
		if _, err := time.Parse(timeLayout, ev["timestamp"].(string)); err != nil {
			t.Errorf("%s timestamp: %v", k, err)
		}
	}
	st, _, body := do(t, s, "GET", "/ari/bridges", "dash", "dashpass", "")
	if st != 200 || body != "[]" {
		t.Errorf("bridges after delete: %d %s", st, body)
	}
}

func TestRequestsLogAndFailNext(t *testing.T) {
	s := startFake(t)
	s.FailNext(500)
	if st, _, _ := do(t, s, "GET", "/ari/channels", "dash", "dashpass", ""); st != 500 {
		t.Fatalf("FailNext: status %d", st)
	}
	if st, _, _ := do(t, s, "GET", "/ari/channels", "dash", "dashpass", ""); st != 200 {
		t.Fatalf("after FailNext: status %d", st)
	}
	do(t, s, "POST", "/ari/channels/1.0/mute", "dash", "dashpass", `{"direction":"in"}`)
	want := []string{"GET /ari/channels", "GET /ari/channels", "POST /ari/channels/1.0/mute"}
	if got := s.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %v, want %v", got, want)
	}
	if p := s.RequestLog()[2].Params["direction"]; p != "in" {
		t.Errorf("JSON body parameter direction = %q", p)
	}
}

func TestMuteAndDropWebsockets(t *testing.T) {
	s := startFake(t)
	ws := dialEvents(t, s, "dashboard")
	testutil.Eventually(t, "the events websocket to subscribe", func() bool { return s.Subscribers() > 0 })
	a := s.AddChannel(ChannelSpec{Caller: Party{"A", "1"}})
	do(t, s, "POST", "/ari/channels/"+a+"/mute?direction=in", "dash", "dashpass", "")
	st, _ := s.State(a)
	if !st.Muted["in"] || st.Muted["out"] {
		t.Errorf("after mute in: %v", st.Muted)
	}
	do(t, s, "DELETE", "/ari/channels/"+a+"/mute?direction=both", "dash", "dashpass", "")
	st, _ = s.State(a)
	if st.Muted["in"] || st.Muted["out"] {
		t.Errorf("after unmute both: %v", st.Muted)
	}
	s.DropWebsockets()
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseAbnormalClosure) && strings.Contains(err.Error(), "timeout") {
				t.Fatalf("drop did not close the socket: %v", err)
			}
			break
		}
	}
}
