package eslfake

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuthAndExit(t *testing.T) {
	var logs bytes.Buffer
	s := New(Options{Password: "s3cret-pw", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	bad := dial(t, s)
	bad.send("auth wrongpassword")
	if got := string(bad.read().raw) + string(bad.read().raw); got != "Content-Type: command/reply\nReply-Text: -ERR invalid\n\n"+disconnectNotice {
		t.Fatalf("bad auth: %q", got)
	}
	bad.expectEOF()

	pre := dial(t, s)
	pre.expectRaw("api status", "Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")
	pre.expectRaw("auth s3cret-pw", "Content-Type: command/reply\nReply-Text: +OK accepted\n\n") // still open
	pre.expectRaw("nosuchcommand", "Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")
	pre.send("exit")
	if got := string(pre.read().raw) + string(pre.read().raw); got != "Content-Type: command/reply\nReply-Text: +OK bye\n\n"+disconnectNotice {
		t.Fatalf("exit: %q", got)
	}
	pre.expectEOF()

	if strings.Contains(logs.String(), "s3cret-pw") || strings.Contains(logs.String(), "wrongpassword") {
		t.Fatalf("password logged: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `line="auth ***"`) || !strings.Contains(logs.String(), "esl fake command") {
		t.Fatalf("commands not logged: %s", logs.String())
	}
	if got := s.Commands(); len(got) != 1 || got[0] != "nosuchcommand" {
		t.Fatalf("Commands() = %q (pre-auth and auth must not be recorded)", got)
	}
}

// TestAPIRepliesMatchRealServer replays the control connection's commands
// against an equivalent state and compares reply bytes with commands.jsonl.
func TestAPIRepliesMatchRealServer(t *testing.T) {
	real := realCommands(t)
	s := newServer(t)
	c := login(t, s, "")
	for _, cmd := range []string{"api version", "api show calls as json", "api show channels as json",
		"api show calls", "api show channels", "api conference list", "api conference json_list"} {
		c.expectRaw(cmd, real.next(t, cmd))
	}
	// Alice, Bob, Carol, Dan as members 1..4, like the capture.
	for _, p := range []Party{{"Alice", "5723"}, {"Bob", "5724"}, {"Carol", "5725"}, {"Outbound Call", "default"}} {
		u := s.AddChannel(ChannelSpec{Caller: p, Destination: "room1001", Name: "loopback/room1001-b"})
		if err := s.Answer(u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Join("room1001", u); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range []string{
		"api conference room1001 list count",
		"api conference room1001 mute 2", "api conference room1001 unmute 2",
		"api conference room1001 tmute 2", "api conference room1001 tmute 2",
		"api conference room1001 deaf 2", "api conference room1001 undeaf 2",
		"api conference room1001 mute all", "api conference room1001 unmute all",
		"api conference room1001 play tone_stream://%(1000,0,440)",
		"api conference room1001 play tone_stream://%(500,0,660) 1",
		"api conference room1001 lock", "api conference room1001 unlock",
		"api conference room1001 kick 3", "api conference room1001 hup 4",
		"api conference nosuch list", "api conference room1001 mute 9999",
		"api uuid_kill 00000000-0000-0000-0000-000000000000",
		"api uuid_broadcast 00000000-0000-0000-0000-000000000000 tone_stream://%(100,0,440)",
		"api nosuchcommand", "nosuchcommand",
	} {
		c.expectRaw(cmd, real.next(t, cmd))
	}
	c.expectRaw("api conference room1001 mute None", "Content-Type: api/response\nContent-Length: 52\n\nmute <[member_id|all]|last|non_moderator> [<quiet>]\n")
	c.expectRaw("api hupall NORMAL_CLEARING", real.next(t, "api hupall NORMAL_CLEARING"))
	for _, cmd := range []string{"api show channels as json", "api show calls as json", "api conference list"} {
		rs := real[cmd]
		c.expectRaw(cmd, rs[len(rs)-1]) // the empty replies after hupall
	}
}

func TestConferenceListText(t *testing.T) {
	real := realCommands(t)
	s := newServer(t)
	c := login(t, s, "")
	specs := []ChannelSpec{
		{UUID: "d916f270-c9ed-473d-bb25-5c4691b3ae37", Name: "loopback/room1001-b", Caller: Party{"Alice", "5723"}},
		{UUID: "59d0baec-671e-49dc-a6b2-fd4861595aac", Name: "loopback/room1001-b", Caller: Party{"Bob", "5724"}},
		{UUID: "7024826c-147b-48b8-be68-78c15dca1e48", Name: "loopback/room1001-b", Caller: Party{"Carol", "5725"}},
		{UUID: "63b7aba5-8391-4a0d-b51f-d36b0348ab2c", Name: "loopback/silent-a", Caller: Party{"Outbound Call", "default"}},
	}
	for _, sp := range specs {
		s.AddChannel(sp)
		if _, err := s.Join("room1001", sp.UUID); err != nil {
			t.Fatal(err)
		}
	}
	c.expectRaw("api conference room1001 list", real["api conference room1001 list"][0])
	if got, want := c.api("conference list"), strings.SplitN(real["api conference list"][1], "\n\n", 2)[1]; got != want {
		t.Fatalf("conference list:\n%s\nwant\n%s", got, want)
	}
}

func TestSubscriptionFiltering(t *testing.T) {
	s := newServer(t)
	all := login(t, s, "event plain ALL")
	customOnly := login(t, s, "event plain CUSTOM")
	stt := login(t, s, "event plain CHANNEL_CREATE CUSTOM brain_stt::transcription")
	none := login(t, s, "")

	u := s.AddChannel(ChannelSpec{Caller: Party{"홍길동", "1000"}})
	if err := s.FireSTT(u, "brain_stt::transcription", "mindslab", []byte(`{"text":"안녕하세요","start":1,"end":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.FireSTT(u, "other::thing", "x", []byte("b")); err != nil {
		t.Fatal(err)
	}
	s.InjectRaw([]byte("MARK\n"))

	hs, body := stt.nextEvent(func([]header) bool { return true })
	if firstValue(hs, "Event-Name") != "CHANNEL_CREATE" || firstValue(hs, "Caller-Caller-ID-Name") != "%ED%99%8D%EA%B8%B8%EB%8F%99" {
		t.Fatalf("first stt-subscriber event: %v", hs[:2])
	}
	hs, body = stt.nextEvent(func([]header) bool { return true })
	if firstValue(hs, "Event-Subclass") != "brain_stt%3A%3Atranscription" || firstValue(hs, "Unique-ID") != u ||
		firstValue(hs, "transcription-vendor") != "mindslab" || string(body) != `{"text":"안녕하세요","start":1,"end":2}` {
		t.Fatalf("stt event: %v %q", hs, body)
	}
	// The next bytes must be the injected marker: other::thing and channel state events were filtered.
	if l, _ := stt.r.ReadString('\n'); l != "MARK\n" {
		t.Fatalf("stt subscriber got unexpected %q", l)
	}
	if l, _ := customOnly.r.ReadString('\n'); l != "MARK\n" {
		t.Fatalf("CUSTOM-only subscriber got %q before the marker", l)
	}
	var sawOther bool
	for {
		f := all.read()
		if f.outer["Content-Type"] != "text/event-plain" {
			t.Fatalf("unexpected frame %q", f.raw)
		}
		hs, _ := f.event()
		if firstValue(hs, "Event-Subclass") == "other%3A%3Athing" {
			sawOther = true
			break
		}
	}
	if !sawOther {
		t.Fatal("ALL subscriber missed a custom subclass")
	}
	// The unsubscribed connection gets nothing, not even injected bytes.
	none.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if b, err := none.r.ReadByte(); err == nil {
		t.Fatalf("unsubscribed connection received %q", b)
	}
}

func TestFramingAndSequence(t *testing.T) {
	s := newServer(t)
	c := login(t, s, "event plain ALL")
	u := s.AddChannel(ChannelSpec{Caller: Party{"Alice Moreau", "5723"}, Variables: map[string]string{"callbot_prompt_text": "a: b&c"}})
	s.Answer(u)
	s.FireSTT(u, "brain_stt::transcription", "mindslab", []byte("{}"))
	s.Hangup(u, "")
	last := 0
	for {
		f := c.read()
		if f.outer["Content-Type"] != "text/event-plain" || !strings.HasPrefix(string(f.raw), "Content-Length: ") {
			t.Fatalf("bad frame %q", f.raw)
		}
		if n, _ := strconv.Atoi(f.outer["Content-Length"]); n != len(f.body) {
			t.Fatalf("content-length %d, body %d", n, len(f.body))
		}
		hs, body := f.event()
		if bl := firstValue(hs, "Content-Length"); bl != "" && bl != strconv.Itoa(len(body)) {
			t.Fatalf("inner content-length %s, body %d", bl, len(body))
		} else if bl == "" && len(body) != 0 {
			t.Fatalf("unframed body %q", body)
		}
		seq, _ := strconv.Atoi(firstValue(hs, "Event-Sequence"))
		if seq <= last {
			t.Fatalf("sequence %d after %d", seq, last)
		}
		last = seq
		if v := firstValue(hs, "variable_callbot_prompt_text"); v != "" && v != "a%3A%20b%26c" {
			t.Fatalf("variable not url-encoded: %q", v)
		}
		if firstValue(hs, "Event-Name") == "CHANNEL_DESTROY" {
			return
		}
	}
}

func TestBgapiAndStall(t *testing.T) {
	s := newServer(t)
	sub := login(t, s, "event plain BACKGROUND_JOB")
	c := login(t, s, "")
	c.send("bgapi nosuchcommand")
	f := c.read()
	job := f.outer["Job-UUID"]
	if job == "" || f.outer["Reply-Text"] != "+OK Job-UUID: "+job || !strings.HasPrefix(string(f.raw), "Content-Type: command/reply\nReply-Text: ") {
		t.Fatalf("bgapi reply %q", f.raw)
	}
	hs, body := sub.nextEvent(named("BACKGROUND_JOB"))
	if firstValue(hs, "Job-UUID") != job || firstValue(hs, "Job-Command") != "nosuchcommand" || string(body) != "-ERR nosuchcommand Command not found!\n" {
		t.Fatalf("job event %v %q", hs, body)
	}

	s.StallReplies(300 * time.Millisecond)
	start := time.Now()
	c.send("api version")
	u := s.AddChannel(ChannelSpec{Caller: Party{"A", "1"}}) // the state machine is not blocked by the stall
	c.read()
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("reply after %v, want >= 300ms", d)
	}
	s.StallReplies(0)
	if got := c.api("uuid_kill " + u); got != "+OK\n" {
		t.Fatalf("uuid_kill: %q", got)
	}
}

func TestConcurrentClients(t *testing.T) {
	s := newServer(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := login(t, s, "event plain CHANNEL_CREATE")
			for j := range 5 {
				s.AddChannel(ChannelSpec{Caller: Party{"C", strconv.Itoa(i*10 + j)}})
				if got := c.api("version"); got != versionText {
					t.Errorf("version %q", got)
				}
			}
		}()
	}
	wg.Wait()
	if got := len(s.Commands()); got != 8*6 {
		t.Fatalf("commands recorded: %d", got)
	}
	ctx := waitCtx(t)
	if _, err := s.WaitForCommand(ctx, "version"); err != nil {
		t.Fatal(err)
	}
}
