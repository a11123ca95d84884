package freeswitch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

const fakePassword = "Sekr1t-pw"

type harness struct {
	fs   *eslfake.Server
	node *Node
	rec  *adaptertest.Recorder
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
	h := &harness{fs: fs, node: n, rec: adaptertest.NewRecorder()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx, h.rec.Emit) }()
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
	h.rec.Wait(t, fmt.Sprintf("snapshot #%d and up", snaps), func(r adaptertest.View) bool {
		return r.Snapshots >= snaps && r.Status.State == adapters.StateUp
	})
}

func (h *harness) member(conf string, id int) (adapters.Member, bool) {
	return h.rec.View().Member(conf, strconv.Itoa(id))
}

func memberIs(conf string, id int, cond func(adapters.Member) bool) func(adaptertest.View) bool {
	return func(r adaptertest.View) bool {
		m, ok := r.Members[fmt.Sprintf("%s/%d", conf, id)]
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
	r := h.rec.View()
	// StatusChanged(up) comes right before the snapshot.
	var kinds []string
	for _, e := range r.Events[:3] {
		kinds = append(kinds, fmt.Sprintf("%T", e))
	}
	if kinds[1] != "adapters.StatusChanged" || kinds[2] != "adapters.Snapshot" {
		t.Errorf("first events %v", kinds)
	}
	ma, mb := r.Members[fmt.Sprintf("room1001/%d", a)], r.Members[fmt.Sprintf("room1001/%d", b)]
	if !ma.Talking || ma.Muted || ma.CallerName != "홍길동" || ma.CallID != alice {
		t.Errorf("Alice's member = %+v", ma)
	}
	if !mb.Muted || mb.Talking || mb.CallerName != "Bob" {
		t.Errorf("Bob's member = %+v", mb)
	}
	if c := r.Conferences["room1001"]; c.MemberCount != 2 {
		t.Errorf("conference = %+v", c)
	}
	for _, u := range []string{alice, bob, plain} {
		if c, ok := r.Calls[u]; !ok || c.State != adapters.CallActive {
			t.Errorf("call %s = %+v (present %v)", u, c, ok)
		}
	}
	if r.Calls[alice].Conference != "room1001" || r.Calls[plain].Conference != "" {
		t.Errorf("call conferences: %q %q", r.Calls[alice].Conference, r.Calls[plain].Conference)
	}
	// The subscription is a named list, never ALL.
	var sub string
	for _, c := range fs.Commands() {
		if strings.HasPrefix(c, "event ") {
			sub = c
		}
	}
	if !strings.HasPrefix(sub, "event plain CHANNEL_CREATE") || slices.Contains(strings.Fields(sub), "ALL") ||
		!strings.Contains(sub, "CUSTOM conference::maintenance callcenter::info brain_stt::transcription") {
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
	h.rec.Wait(t, "both members", func(r adaptertest.View) bool { return len(r.Members) == 2 })
	if err := fs.SetTalking("room1001", id, true); err != nil {
		t.Fatal(err)
	}
	h.rec.Wait(t, "talking", memberIs("room1001", id, func(m adapters.Member) bool { return m.Talking }))
	if err := fs.SetTalking("room1001", id, false); err != nil {
		t.Fatal(err)
	}
	h.rec.Wait(t, "not talking", memberIs("room1001", id, func(m adapters.Member) bool { return !m.Talking }))

	steps := []struct {
		action adapters.Action
		line   string
		check  func(adaptertest.View) bool
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
			func(r adaptertest.View) bool { return r.Conferences["room1001"].Locked }},
		{adapters.LockConference{Conference: "room1001"}, "api conference room1001 unlock",
			func(r adaptertest.View) bool { return !r.Conferences["room1001"].Locked }},
		{adapters.KickMember{Conference: "room1001", Member: fmt.Sprint(cid)}, fmt.Sprintf("api conference room1001 kick %d", cid),
			func(r adaptertest.View) bool { _, ok := r.Members[fmt.Sprintf("room1001/%d", cid)]; return !ok }},
		{adapters.HangupCall{Call: alice}, "api uuid_kill " + alice,
			func(r adaptertest.View) bool { _, ok := r.Calls[alice]; return !ok }},
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
			h.rec.Wait(t, s.line, s.check)
		}
	}
	// Alice's member left with her call.
	h.rec.Wait(t, "Alice gone", func(r adaptertest.View) bool { return len(r.Members) == 0 })

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
	h.rec.Wait(t, "call", func(r adaptertest.View) bool { _, ok := r.Calls[caller]; return ok })

	if err := fs.FireSTT(caller, "brain_stt::transcription", "mindslab", []byte(`{"text":"안녕하세요","start":41120,"end":52480}`)); err != nil {
		t.Fatal(err)
	}
	if err := fs.FireSTT(caller, "google_transcribe::transcription", "", []byte(`{"is_final":false,"alternatives":[{"transcript":"book a"}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := fs.Execute(caller, "speak", "flite|kal|Your table is booked."); err != nil {
		t.Fatal(err)
	}
	h.rec.Wait(t, "three utterances", func(r adaptertest.View) bool { return len(r.Utterances) == 3 })
	u := h.rec.View().Utterances
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
	h.rec.Wait(t, "good utterances", func(r adaptertest.View) bool { return len(r.Utterances) == 2 })
	// The injected frame has no Event-Sequence, so nothing can place it
	// relative to its neighbours (eslgo hands each event to its own
	// goroutine): both lines must arrive, in either order.
	texts := map[string]bool{}
	for _, u := range h.rec.View().Utterances {
		texts[u.Text] = true
	}
	if !texts["injected"] || !texts["after"] {
		t.Errorf("utterances %+v", h.rec.View().Utterances)
	}
	if v := h.rec.View(); v.Snapshots != 1 || v.Status.State != adapters.StateUp {
		t.Errorf("connection did not live on: %d snapshots, status %+v", v.Snapshots, v.Status)
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
	h.rec.Wait(t, "muted and deaf", memberIs("room1001", id, func(m adapters.Member) bool { return m.Muted && m.Deaf }))
}

func TestIntegrationReconnectAfterDisconnect(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, nil)
	h.waitUp(t, 1)
	fs.DisconnectAll()
	h.rec.Wait(t, "down", func(r adaptertest.View) bool { return r.Status.State == adapters.StateDown })
	// Something happens while the node is away; the fresh snapshot has it.
	caller := addCaller(t, fs, "Erin", "5900")
	id := join(t, fs, "room2", caller)
	h.waitUp(t, 2)
	if _, ok := h.member("room2", id); !ok {
		t.Fatal("fresh snapshot lacks the member that joined while disconnected")
	}
	if strings.Contains(fmt.Sprint(h.rec.View().Events), fakePassword) {
		t.Fatal("an event carries the password")
	}
}

func TestIntegrationWrongPassword(t *testing.T) {
	fs := startFake(t)
	h := startNode(t, fs, func(c *Config) { c.Password = "not-the-" + fakePassword })
	h.rec.Wait(t, "down", func(r adaptertest.View) bool { return r.Status.State == adapters.StateDown })
	reason := h.rec.View().Status.Reason
	if !strings.Contains(reason, "authentication") || strings.Contains(reason, fakePassword) {
		t.Fatalf("reason %q", reason)
	}
	if _, err := h.node.Do(context.Background(), adapters.LockConference{Conference: "room1001", Locked: true}); !errors.Is(err, adapters.ErrUnavailable) {
		t.Fatalf("Do while down: %v", err)
	}
}
