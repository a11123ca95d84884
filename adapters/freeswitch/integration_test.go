package freeswitch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

const fakePassword = "Sekr1t-pw"

// recorder is the consumer side of Run: it records every event and keeps a
// materialised state, the way the server's live state would.
type recorder struct {
	mu      sync.Mutex
	changed chan struct{}
	events  []adapters.Event
	status  adapters.NodeStatus
	snaps   int
	calls   map[string]adapters.Call
	confs   map[string]adapters.Conference
	members map[string]adapters.Member // conf/id
	utts    []adapters.Utterance
}

func newRecorder() *recorder {
	return &recorder{changed: make(chan struct{}), calls: map[string]adapters.Call{},
		confs: map[string]adapters.Conference{}, members: map[string]adapters.Member{}}
}

func (r *recorder) emit(e adapters.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	switch e := e.(type) {
	case adapters.StatusChanged:
		r.status = e.Status
	case adapters.Snapshot:
		r.snaps++
		clear(r.calls)
		clear(r.confs)
		clear(r.members)
		for _, c := range e.Calls {
			r.calls[c.ID] = c
		}
		for _, c := range e.Conferences {
			r.confs[c.Name] = c
		}
		for _, m := range e.Members {
			r.members[m.Conference+"/"+m.ID] = m
		}
	case adapters.CallUpdated:
		r.calls[e.Call.ID] = e.Call
	case adapters.CallEnded:
		delete(r.calls, e.CallID)
	case adapters.ConferenceUpdated:
		r.confs[e.Conference.Name] = e.Conference
	case adapters.ConferenceEnded:
		delete(r.confs, e.Name)
		for k, m := range r.members {
			if m.Conference == e.Name {
				delete(r.members, k)
			}
		}
	case adapters.MemberUpdated:
		r.members[e.Member.Conference+"/"+e.Member.ID] = e.Member
	case adapters.MemberLeft:
		delete(r.members, e.Conference+"/"+e.MemberID)
	case adapters.UtteranceAdded:
		r.utts = append(r.utts, e.Utterance)
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// wait blocks until cond (called under the lock) holds.
func (r *recorder) wait(t *testing.T, what string, cond func(r *recorder) bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		ok, ch := cond(r), r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("timed out waiting for %s; status %+v, %d snapshots, members %+v", what, r.status, r.snaps, r.members)
		}
	}
}

type harness struct {
	fs   *eslfake.Server
	node *Node
	rec  *recorder
}

func startFake(t *testing.T) *eslfake.Server {
	t.Helper()
	fs := eslfake.New(eslfake.Options{Password: fakePassword, Addr: "127.0.0.1:0", Logger: quietLog})
	if err := fs.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

func startNode(t *testing.T, fs *eslfake.Server, edit func(*Config)) *harness {
	t.Helper()
	cfg := Config{
		ID: "fs1", Address: fs.Addr(), Password: fakePassword, Logger: quietLog,
		Media:          map[string]string{"beep": "tone_stream://%(500,0,660)", "hello": "/srv/sounds/hello.wav"},
		CommandTimeout: time.Second, DialTimeout: time.Second, ProbeInterval: 200 * time.Millisecond,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{fs: fs, node: n, rec: newRecorder()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx, h.rec.emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return h
}

func (h *harness) waitUp(t *testing.T, snaps int) {
	t.Helper()
	h.rec.wait(t, fmt.Sprintf("snapshot #%d and up", snaps), func(r *recorder) bool {
		return r.snaps >= snaps && r.status.State == adapters.StateUp
	})
}

func (h *harness) member(conf string, id int) (adapters.Member, bool) {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	m, ok := h.rec.members[fmt.Sprintf("%s/%d", conf, id)]
	return m, ok
}

func memberIs(conf string, id int, cond func(adapters.Member) bool) func(*recorder) bool {
	return func(r *recorder) bool {
		m, ok := r.members[fmt.Sprintf("%s/%d", conf, id)]
		return ok && cond(m)
	}
}

// addCaller creates an answered inbound call and returns its uuid.
func addCaller(t *testing.T, fs *eslfake.Server, name, number string) string {
	t.Helper()
	u := fs.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: name, Number: number}, Destination: "1001"})
	if err := fs.Answer(u); err != nil {
		t.Fatal(err)
	}
	return u
}

func join(t *testing.T, fs *eslfake.Server, conf, uuid string) int {
	t.Helper()
	id, err := fs.Join(conf, uuid)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestIntegrationSnapshotOnConnect(t *testing.T) {
	fs := startFake(t)
	alice := addCaller(t, fs, "홍길동", "5723")
	bob := addCaller(t, fs, "Bob", "5724")
	plain := addCaller(t, fs, "Dave", "5800")
	a := join(t, fs, "room1001", alice)
	b := join(t, fs, "room1001", bob)
	if reply := fs.API(fmt.Sprintf("conference room1001 mute %d", b)); !strings.HasPrefix(reply, "+OK") {
		t.Fatal(reply)
	}
	if err := fs.SetTalking("room1001", a, true); err != nil {
		t.Fatal(err)
	}

	h := startNode(t, fs, nil)
	h.waitUp(t, 1)
	r := h.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	// StatusChanged(up) comes right before the snapshot.
	var kinds []string
	for _, e := range r.events[:3] {
		kinds = append(kinds, fmt.Sprintf("%T", e))
	}
	if kinds[1] != "adapters.StatusChanged" || kinds[2] != "adapters.Snapshot" {
		t.Errorf("first events %v", kinds)
	}
	ma, mb := r.members[fmt.Sprintf("room1001/%d", a)], r.members[fmt.Sprintf("room1001/%d", b)]
	if !ma.Talking || ma.Muted || ma.CallerName != "홍길동" || ma.CallID != alice {
		t.Errorf("Alice's member = %+v", ma)
	}
	if !mb.Muted || mb.Talking || mb.CallerName != "Bob" {
		t.Errorf("Bob's member = %+v", mb)
	}
	if c := r.confs["room1001"]; c.MemberCount != 2 {
		t.Errorf("conference = %+v", c)
	}
	for _, u := range []string{alice, bob, plain} {
		if c, ok := r.calls[u]; !ok || c.State != adapters.CallActive {
			t.Errorf("call %s = %+v (present %v)", u, c, ok)
		}
	}
	if r.calls[alice].Conference != "room1001" || r.calls[plain].Conference != "" {
		t.Errorf("call conferences: %q %q", r.calls[alice].Conference, r.calls[plain].Conference)
	}
	// The subscription is a named list, never ALL.
	var sub string
	for _, c := range fs.Commands() {
		if strings.HasPrefix(c, "event ") {
			sub = c
		}
	}
	if !strings.HasPrefix(sub, "event plain CHANNEL_CREATE") || slices.Contains(strings.Fields(sub), "ALL") ||
		!strings.Contains(sub, "CUSTOM conference::maintenance brain_stt::transcription") {
		t.Errorf("subscription %q", sub)
	}
}

func TestIntegrationLiveEventsAndActions(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, nil)
	h.waitUp(t, 1)
	ctx := context.Background()

	alice := addCaller(t, fs, "Alice", "5723")
	id := join(t, fs, "room1001", alice)
	carol := addCaller(t, fs, "Carol", "5725")
	cid := join(t, fs, "room1001", carol)
	h.rec.wait(t, "both members", func(r *recorder) bool { return len(r.members) == 2 })
	if err := fs.SetTalking("room1001", id, true); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "talking", memberIs("room1001", id, func(m adapters.Member) bool { return m.Talking }))
	if err := fs.SetTalking("room1001", id, false); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "not talking", memberIs("room1001", id, func(m adapters.Member) bool { return !m.Talking }))

	steps := []struct {
		action adapters.Action
		line   string
		check  func(*recorder) bool
	}{
		{adapters.MuteMember{Conference: "room1001", Member: fmt.Sprint(id), Muted: true}, fmt.Sprintf("api conference room1001 mute %d", id),
			memberIs("room1001", id, func(m adapters.Member) bool { return m.Muted })},
		{adapters.MuteMember{Conference: "room1001", Member: fmt.Sprint(id)}, fmt.Sprintf("api conference room1001 unmute %d", id),
			memberIs("room1001", id, func(m adapters.Member) bool { return !m.Muted })},
		{adapters.DeafMember{Conference: "room1001", Member: fmt.Sprint(id), Deaf: true}, fmt.Sprintf("api conference room1001 deaf %d", id),
			memberIs("room1001", id, func(m adapters.Member) bool { return m.Deaf })},
		{adapters.DeafMember{Conference: "room1001", Member: fmt.Sprint(id)}, fmt.Sprintf("api conference room1001 undeaf %d", id),
			memberIs("room1001", id, func(m adapters.Member) bool { return !m.Deaf })},
		{adapters.PlayToMember{Conference: "room1001", Member: fmt.Sprint(id), Media: "beep"},
			fmt.Sprintf("api conference room1001 play tone_stream://%%(500,0,660) %d", id), nil},
		{adapters.PlayToConference{Conference: "room1001", Media: "hello"}, "api conference room1001 play /srv/sounds/hello.wav", nil},
		{adapters.LockConference{Conference: "room1001", Locked: true}, "api conference room1001 lock",
			func(r *recorder) bool { return r.confs["room1001"].Locked }},
		{adapters.LockConference{Conference: "room1001"}, "api conference room1001 unlock",
			func(r *recorder) bool { return !r.confs["room1001"].Locked }},
		{adapters.KickMember{Conference: "room1001", Member: fmt.Sprint(cid)}, fmt.Sprintf("api conference room1001 kick %d", cid),
			func(r *recorder) bool { _, ok := r.members[fmt.Sprintf("room1001/%d", cid)]; return !ok }},
		{adapters.HangupCall{Call: alice}, "api uuid_kill " + alice,
			func(r *recorder) bool { _, ok := r.calls[alice]; return !ok }},
	}
	for _, s := range steps {
		reply, err := h.node.Do(ctx, s.action)
		if err != nil || !strings.HasPrefix(reply, "+OK") {
			t.Fatalf("%#v: reply %q, err %v", s.action, reply, err)
		}
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		got, err := fs.WaitForCommand(wctx, s.line)
		cancel()
		if err != nil || got != s.line {
			t.Fatalf("fake received %q (%v), want exactly %q", got, err, s.line)
		}
		if s.check != nil {
			h.rec.wait(t, s.line, s.check)
		}
	}
	// Alice's member left with her call.
	h.rec.wait(t, "Alice gone", func(r *recorder) bool { return len(r.members) == 0 })

	// PBX verdicts map to errors.
	if _, err := h.node.Do(ctx, adapters.MuteMember{Conference: "nosuch", Member: "1", Muted: true}); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("unknown conference: %v", err)
	}
	if _, err := h.node.Do(ctx, adapters.HangupCall{Call: "00000000-0000-0000-0000-000000000000"}); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("unknown call: %v", err)
	}
	// Invalid input sends nothing.
	before := len(fs.Commands())
	if _, err := h.node.Do(ctx, adapters.KickMember{Conference: "room1001", Member: "1\n\napi hupall"}); !errors.Is(err, adapters.ErrInvalid) {
		t.Errorf("injection: %v", err)
	}
	for _, c := range fs.Commands()[before:] {
		if !strings.HasPrefix(c, "api status") {
			t.Errorf("sent %q for an invalid action", c)
		}
	}
}

func TestIntegrationTranscripts(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, nil)
	h.waitUp(t, 1)
	caller := addCaller(t, fs, "Kim", "5730")
	h.rec.wait(t, "call", func(r *recorder) bool { _, ok := r.calls[caller]; return ok })

	if err := fs.FireSTT(caller, "brain_stt::transcription", "mindslab", []byte(`{"text":"안녕하세요","start":41120,"end":52480}`)); err != nil {
		t.Fatal(err)
	}
	if err := fs.FireSTT(caller, "google_transcribe::transcription", "", []byte(`{"is_final":false,"alternatives":[{"transcript":"book a"}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := fs.Execute(caller, "speak", "flite|kal|Your table is booked."); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "three utterances", func(r *recorder) bool { return len(r.utts) == 3 })
	h.rec.mu.Lock()
	u := h.rec.utts
	h.rec.mu.Unlock()
	if u[0].Text != "안녕하세요" || u[0].Vendor != "mindslab" || !u[0].Final || u[0].StartMs != 41120 || u[0].CallID != caller || u[0].Speaker != adapters.SpeakerCaller {
		t.Errorf("brain utterance %+v", u[0])
	}
	if u[1].Text != "book a" || u[1].Final || u[1].Vendor != "google" {
		t.Errorf("google utterance %+v", u[1])
	}
	if u[2].Text != "Your table is booked." || u[2].Speaker != adapters.SpeakerBot || u[2].CallID != caller {
		t.Errorf("bot utterance %+v", u[2])
	}
}

// A malformed transcript body is skipped and the connection lives on.
func TestIntegrationMalformedEventIsSkipped(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, nil)
	h.waitUp(t, 1)
	caller := addCaller(t, fs, "Kim", "5730")
	if err := fs.FireSTT(caller, "brain_stt::transcription", "mindslab", []byte(`{"text":"broken`)); err != nil {
		t.Fatal(err)
	}
	body := `{"text":"injected"}`
	frameBody := "Event-Name: CUSTOM\nEvent-Subclass: brain_stt%3A%3Atranscription\nUnique-ID: " + caller +
		"\nContent-Length: " + fmt.Sprint(len(body)) + "\n\n" + body
	fs.InjectRaw([]byte("Content-Length: " + fmt.Sprint(len(frameBody)) + "\nContent-Type: text/event-plain\n\n" + frameBody))
	if err := fs.FireSTT(caller, "brain_stt::transcription", "mindslab", []byte(`{"text":"after"}`)); err != nil {
		t.Fatal(err)
	}
	h.rec.wait(t, "good utterances", func(r *recorder) bool { return len(r.utts) == 2 })
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if h.rec.utts[0].Text != "injected" || h.rec.utts[1].Text != "after" {
		t.Errorf("utterances %+v", h.rec.utts)
	}
	if h.rec.snaps != 1 || h.rec.status.State != adapters.StateUp {
		t.Errorf("connection did not live on: %d snapshots, status %+v", h.rec.snaps, h.rec.status)
	}
}

// A command whose reply comes too late must not hand its reply to the next
// command: the node drops the connection, resyncs, and the next command
// gets its own reply.
func TestIntegrationCommandTimeoutDoesNotDesync(t *testing.T) {
	fs := startFake(t)
	caller := addCaller(t, fs, "Alice", "5723")
	id := join(t, fs, "room1001", caller)
	h := startNode(t, fs, func(c *Config) { c.CommandTimeout = 200 * time.Millisecond; c.ProbeInterval = time.Hour })
	h.waitUp(t, 1)
	ctx := context.Background()

	fs.StallReplies(500 * time.Millisecond)
	_, err := h.node.Do(ctx, adapters.MuteMember{Conference: "room1001", Member: fmt.Sprint(id), Muted: true})
	if !errors.Is(err, adapters.ErrUnavailable) {
		t.Fatalf("stalled command: %v, want ErrUnavailable", err)
	}
	fs.StallReplies(0)
	h.waitUp(t, 2)
	reply, err := h.node.Do(ctx, adapters.DeafMember{Conference: "room1001", Member: fmt.Sprint(id), Deaf: true})
	if err != nil || reply != fmt.Sprintf("+OK deaf %d", id) {
		t.Fatalf("next command got %q, %v; want its own reply", reply, err)
	}
	// The resync saw the mute that completed on the PBX meanwhile.
	h.rec.wait(t, "muted and deaf", memberIs("room1001", id, func(m adapters.Member) bool { return m.Muted && m.Deaf }))
}

func TestIntegrationReconnectAfterDisconnect(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, nil)
	h.waitUp(t, 1)
	fs.DisconnectAll()
	h.rec.wait(t, "down", func(r *recorder) bool { return r.status.State == adapters.StateDown })
	// Something happens while the node is away; the fresh snapshot has it.
	caller := addCaller(t, fs, "Erin", "5900")
	id := join(t, fs, "room2", caller)
	h.waitUp(t, 2)
	if _, ok := h.member("room2", id); !ok {
		t.Fatal("fresh snapshot lacks the member that joined while disconnected")
	}
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if strings.Contains(fmt.Sprint(h.rec.events), fakePassword) {
		t.Fatal("an event carries the password")
	}
}

func TestIntegrationWrongPassword(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, func(c *Config) { c.Password = "not-the-" + fakePassword })
	h.rec.wait(t, "down", func(r *recorder) bool { return r.status.State == adapters.StateDown })
	h.rec.mu.Lock()
	reason := h.rec.status.Reason
	h.rec.mu.Unlock()
	if !strings.Contains(reason, "authentication") || strings.Contains(reason, fakePassword) {
		t.Fatalf("reason %q", reason)
	}
	if _, err := h.node.Do(context.Background(), adapters.LockConference{Conference: "room1001", Locked: true}); !errors.Is(err, adapters.ErrUnavailable) {
		t.Fatalf("Do while down: %v", err)
	}
}
