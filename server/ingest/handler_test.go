package ingest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/admin"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
)

func TestIngestOnlyForKnownCalls(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	ing := ts.IngestClient(t)
	line := `{"speaker":"caller","text":"hello","final":true}`
	post := func(call string) int {
		resp, _ := ing.Do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/"+call+"/utterances", line)
		return resp.StatusCode
	}
	if code := post("c1"); code != http.StatusAccepted {
		t.Fatalf("live call: %d", code)
	}
	if code := post("no-such-call"); code != http.StatusNotFound {
		t.Fatalf("unknown call: %d, want 404", code)
	}
	// An ended call with a kept transcript still takes late lines.
	node.Emit(adapters.CallEnded{Node: "fs1", CallID: "c1"})
	testutil.Eventually(t, "c1 ended", func() bool { return len(ts.State(t).Calls) == 0 })
	if code := post("c1"); code != http.StatusAccepted {
		t.Fatalf("ended call with a kept transcript: %d", code)
	}
	var tr struct{ Lines []json.RawMessage }
	ts.GetJSON(t, "/api/v1/nodes/fs1/calls/no-such-call/transcript", &tr)
	if len(tr.Lines) != 0 {
		t.Fatalf("refused lines reached the live state: %d", len(tr.Lines))
	}
}

// Streaming STT posts many lines a minute per call; the audit gets one entry
// per token, call and minute, which says how many lines it stands for.
func TestIngestAuditedOncePerCallAndMinute(t *testing.T) {
	snap := servertest.FS1Snapshot().(adapters.Snapshot)
	snap.Calls = append(snap.Calls, adapters.Call{Node: "fs1", ID: "c2", State: adapters.CallActive, CreatedAt: servertest.T0})
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", snap))
	ing := ts.IngestClient(t)
	post := func(call string) {
		t.Helper()
		resp, data := ing.Do(t, http.MethodPost, "/api/v1/nodes/fs1/calls/"+call+"/utterances", `{"speaker":"bot","text":"x","final":false}`)
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("ingest %s: %d %s", call, resp.StatusCode, data)
		}
	}
	for range 30 {
		post("c1")
	}
	post("c2")
	count := func() map[string][]admin.AuditJSON {
		by := map[string][]admin.AuditJSON{}
		for _, e := range ts.Audit(t, "?kind=ingest") {
			by[e.Target] = append(by[e.Target], e)
		}
		return by
	}
	if by := count(); len(by["call c1"]) != 1 || len(by["call c2"]) != 1 {
		t.Fatalf("ingest entries per call: c1 %d, c2 %d; want 1 each", len(by["call c1"]), len(by["call c2"]))
	}
	ts.Clock.Advance(61 * time.Second)
	post("c1")
	by := count()
	if len(by["call c1"]) != 2 || !strings.Contains(by["call c1"][0].Detail, "29 more lines") {
		t.Fatalf("after a minute: %+v", by["call c1"])
	}
}

// With the live state stopped, ingest answers 503 rather than 202.
func TestIngestUnavailableWhenStateStopped(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	ing := ts.IngestClient(t)
	if err := ts.Stop(); err != nil { // the handler still works; the state does not
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/nodes/fs1/calls/c1/utterances", strings.NewReader(`{"speaker":"bot","text":"x","final":true}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", ing.Headers.Get("Authorization"))
	w := httptest.NewRecorder()
	ts.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("ingest with the state stopped: %d %s, want 503", w.Code, w.Body)
	}
}
