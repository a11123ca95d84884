package alerts

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

type got struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (g *got) add(r *http.Request, b []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reqs, g.body = append(g.reqs, r), append(g.body, b)
}

func (g *got) n() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.reqs) }

func recorder(status int, answer string) (*httptest.Server, *got) {
	g := &got{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		g.add(r.Clone(context.Background()), b)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	return srv, g
}

func openDB(t *testing.T, dir string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func start(t *testing.T, db *sqlite.DB, tap *bus.Tap, opts Options) (*Service, func()) {
	t.Helper()
	opts.Store, opts.Tap = db, tap
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if opts.PollInterval == 0 {
		opts.PollInterval = 20 * time.Millisecond
	}
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 20 * time.Millisecond
	}
	s := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	return s, func() { cancel(); <-done }
}

func eventually(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func utter(tap *bus.Tap, speaker adapters.Speaker, text string) {
	u := &adapters.Utterance{Node: "fs1", CallID: "c1", ID: "x1", Speaker: speaker, Text: text, Final: true}
	tap.Publish(bus.Event{Node: "fs1", Kind: bus.KindUtterance, Name: bus.UtteranceFinal, Utterance: u})
}

func TestWebhookSlackTelegramBodiesAndSignature(t *testing.T) {
	hook, hookGot := recorder(200, "ok")
	defer hook.Close()
	slack, slackGot := recorder(200, "ok")
	defer slack.Close()
	tg, tgGot := recorder(200, `{"ok":true}`)
	defer tg.Close()
	db := openDB(t, t.TempDir())
	defer db.Close()
	tap := bus.NewTap(nil)
	var notified []Fired
	var mu sync.Mutex
	s, stop := start(t, db, tap, Options{TelegramAPI: tg.URL, Notify: func(f Fired) { mu.Lock(); notified = append(notified, f); mu.Unlock() }})
	defer stop()
	err := s.Seed(context.Background(), []SeedDestination{
		{Name: "hook", Kind: DestWebhook, URL: hook.URL + "/in", Secret: "s3cret"},
		{Name: "slack", Kind: DestSlack, URL: slack.URL + "/services/T/B/X"},
		{Name: "tg", Kind: DestTelegram, Secret: "123:ABC", ChatID: "-100"},
	}, []SeedRule{{Name: "refund", Kind: KindTranscript, Severity: "warning", Pattern: "refund", Speaker: "caller", Destinations: []string{"hook", "slack", "tg"}}})
	if err != nil {
		t.Fatal(err)
	}
	utter(tap, adapters.SpeakerBot, "a refund is possible") // wrong speaker
	utter(tap, adapters.SpeakerCaller, "refunded")          // not the word
	utter(tap, adapters.SpeakerCaller, "I want a REFUND now")
	eventually(t, "three deliveries", 3*time.Second, func() bool { return hookGot.n() == 1 && slackGot.n() == 1 && tgGot.n() == 1 })

	r, body := hookGot.reqs[0], hookGot.body[0]
	ts := r.Header.Get(HeaderTimestamp)
	if r.URL.Path != "/in" || r.Header.Get(HeaderSignature) != Sign("s3cret", ts, body) || !strings.HasPrefix(r.Header.Get(HeaderSignature), "sha256=") {
		t.Fatalf("webhook headers %v", r.Header)
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil || p.Rule != "refund" || p.Severity != "warning" || p.Kind != KindTranscript ||
		p.Node != "fs1" || p.CallID != "c1" || p.Summary != `caller said "I want a REFUND now"` || p.Delivery == 0 {
		t.Fatalf("webhook body %s", body)
	}
	if got := string(slackGot.body[0]); got != `{"text":"[WARNING] refund: caller said \"I want a REFUND now\" (fs1/c1)"}` {
		t.Fatalf("slack body %s", got)
	}
	if tgGot.reqs[0].URL.Path != "/bot123:ABC/sendMessage" || string(tgGot.body[0]) != `{"chat_id":"-100","text":"[WARNING] refund: caller said \"I want a REFUND now\" (fs1/c1)"}` {
		t.Fatalf("telegram %s %s", tgGot.reqs[0].URL.Path, tgGot.body[0])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notified) != 1 || notified[0].Rule != "refund" {
		t.Fatalf("notified %+v", notified)
	}
	eventually(t, "delivered rows", time.Second, func() bool {
		c, _ := db.CountOutbox(context.Background())
		return c[store.OutboxDelivered] == 3
	})
}

// A destination that hangs and one that answers 500 hold nothing else: the
// good one gets every alert at once, the 500 one is retried and then
// dead-lettered, the hanging one times out and is retried.
func TestSlowAndFailingDestinationsHoldNothing(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	fail, failGot := recorder(500, "boom")
	defer fail.Close()
	good, goodGot := recorder(204, "")
	defer good.Close()
	db := openDB(t, t.TempDir())
	defer db.Close()
	tap := bus.NewTap(nil)
	s, stop := start(t, db, tap, Options{RequestTimeout: 5 * time.Second, MaxAttempts: 3})
	defer stop()
	if err := s.Seed(context.Background(), []SeedDestination{
		{Name: "hang", Kind: DestWebhook, URL: hang.URL}, {Name: "fail", Kind: DestWebhook, URL: fail.URL}, {Name: "good", Kind: DestSlack, URL: good.URL},
	}, []SeedRule{{Name: "down", Kind: KindNodeDown, Severity: "critical", Destinations: []string{"hang", "fail", "good"}}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		tap.Publish(bus.Event{Node: "fs1", Kind: bus.KindNode, Name: bus.NodeDown, Status: &adapters.NodeStatus{Node: "fs1", State: "down", Reason: "eof"}})
	}
	// Held by nothing: every good delivery lands while the hanging
	// destination's first request is still waiting for its answer (an order,
	// not a stopwatch: the machine may be slow).
	eventually(t, "the good destination", 10*time.Second, func() bool { return goodGot.n() == 3 })
	items, _ := db.ListOutbox(context.Background(), store.OutboxPending, 10)
	for _, it := range items {
		if it.DestName == "hang" && it.LastError != "" {
			t.Fatalf("the good destination waited for the hanging one to time out: %+v", it)
		}
	}
	eventually(t, "dead letters of the failing one", 10*time.Second, func() bool {
		items, _ := db.ListOutbox(context.Background(), store.OutboxDead, 10)
		return len(items) == 3 && items[0].LastError == "answered 500" && items[0].Attempts == 3
	})
	if failGot.n() != 9 {
		t.Fatalf("failing destination got %d requests, want 9 (3 alerts x 3 attempts)", failGot.n())
	}
	eventually(t, "the hanging one timed out and is pending again", 15*time.Second, func() bool {
		items, _ := db.ListOutbox(context.Background(), store.OutboxPending, 10)
		for _, it := range items {
			if it.DestName == "hang" && it.Attempts >= 1 && strings.Contains(it.LastError, "no answer within") {
				return true
			}
		}
		return false
	})
}

// An alert fired while its destination is down is delivered after a restart.
func TestOutboxSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	tap := bus.NewTap(nil)
	s, stop := start(t, db, tap, Options{})
	if err := s.Seed(context.Background(), []SeedDestination{{Name: "later", Kind: DestWebhook, URL: "http://127.0.0.1:1/none"}},
		[]SeedRule{{Name: "lock", Kind: KindConferenceLocked, Severity: "info", Destinations: []string{"later"}}}); err != nil {
		t.Fatal(err)
	}
	tap.Publish(bus.Event{Node: "fs1", Kind: bus.KindConference, Name: bus.ConferenceLocked, Conference: &adapters.Conference{Node: "fs1", Name: "room"}})
	eventually(t, "a failed attempt", 2*time.Second, func() bool {
		items, _ := db.ListOutbox(context.Background(), store.OutboxPending, 10)
		return len(items) == 1 && items[0].Attempts >= 1
	})
	stop()
	_ = db.Close()

	srv, g := recorder(200, "")
	defer srv.Close()
	db = openDB(t, dir)
	defer db.Close()
	dests, _ := db.ListAlertDestinations(context.Background())
	// Point the stored destination at the now-running receiver (as an admin
	// would after fixing it); the pending row is the one from before.
	if err := db.DeleteAlertDestination(context.Background(), dests[0].ID); err != nil {
		t.Fatal(err)
	}
	dests[0].URL = srv.URL
	if err := db.CreateAlertDestination(context.Background(), dests[0]); err != nil {
		t.Fatal(err)
	}
	items, _ := db.ListOutbox(context.Background(), store.OutboxDead, 10)
	if len(items) != 1 {
		t.Fatalf("dead rows %d", len(items))
	}
	if err := db.RetryOutbox(context.Background(), items[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, stop2 := start(t, db, bus.NewTap(nil), Options{})
	defer stop2()
	eventually(t, "delivery after the restart", 3*time.Second, func() bool { return g.n() == 1 })
	if !strings.Contains(string(g.body[0]), `"summary":"conference room on fs1 was locked"`) {
		t.Fatalf("body %s", g.body[0])
	}
}

func TestInvalidRegexRefusedWithReason(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	s := New(Options{Store: db})
	e := echo.New()
	e.HTTPErrorHandler = web.ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))
	NewAPI(s, nil).Register(e.Group("/api/v1"))
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/alerts/rules", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	rec := post(`{"name":"bad","kind":"transcript","severity":"info","pattern":"(a**","regex":true,"enabled":true}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "pattern: not a valid regular expression: invalid nested repetition operator") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	rec = post(`{"name":"x","kind":"call_duration","severity":"info","threshold":0,"enabled":true}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "threshold") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	rec = post(`{"name":"ok","kind":"transcript","severity":"info","pattern":"help","enabled":true}`)
	if rec.Code != 201 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// A hostile line (1 MiB, crafted for backtracking engines) is cut to
// MaxInput and matched in linear time.
func TestHostileTranscriptCannotRunAway(t *testing.T) {
	c, err := Validate(store.AlertRule{Name: "r", Kind: KindTranscript, Severity: "info", Pattern: `(a+)+b`, Regex: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Store: nil})
	line := strings.Repeat("a", 1<<20) + "b" // the b is past MaxInput
	// RE2 matches in time linear in its input, and the input is cut to
	// MaxInput: no line can make a rule run away (a speed figure would be
	// make bench's; here the cut itself is checked).
	for range 100 {
		ev := bus.Event{Kind: bus.KindUtterance, Utterance: &adapters.Utterance{Text: line, Final: true}}
		if _, ok := s.match(c, ev); ok {
			t.Fatal("matched past MaxInput")
		}
	}
	near := strings.Repeat("a", DefaultMaxInput-1) + "b" // within MaxInput: still found
	if _, ok := s.match(c, bus.Event{Kind: bus.KindUtterance, Utterance: &adapters.Utterance{Text: near, Final: true}}); !ok {
		t.Fatal("a match within MaxInput was missed")
	}
	if got := clip("ab€", 3); got != "ab" {
		t.Fatalf("clip cut a rune: %q", got)
	}
}
