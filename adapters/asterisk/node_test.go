package asterisk

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/internal/testutil"
)

func TestSnapshotOnConnect(t *testing.T) {
	var a, b string
	r := startRig(t, func(f *arifake.Server) {
		br := f.CreateBridge("room1")
		a = f.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Alice", Number: "1001"}, Answered: true})
		b = f.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Bob", Number: "1002"}, Answered: true})
		f.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Carol", Number: "1003"}})
		_ = f.Enter(br, a)
		_ = f.Enter(br, b)
	}, nil)
	r.live.wait(t, "snapshot", func(v view) bool {
		return v.Snapshots >= 1 && len(v.Calls) == 3 && v.Conferences["room1"].MemberCount == 2 && len(v.Members) == 2
	})
	v := r.live.view()
	m := v.Members["room1/"+a]
	c := v.Calls[a]
	if m.CallerName != "Alice" || m.CallerNumber != "1001" || m.CallID != a {
		t.Errorf("member %+v", m)
	}
	if c.State != adapters.CallActive || c.Conference != "room1" || c.Node != "ast1" {
		t.Errorf("call %+v", c)
	}
	// Members found by the snapshot get TALK_DETECT too.
	waitTalkDetect(t, r.fake, b)
}

func waitTalkDetect(t *testing.T, f *arifake.Server, ch string) {
	t.Helper()
	testutil.Eventually(t, "TALK_DETECT on "+ch, func() bool {
		st, err := f.State(ch)
		return err == nil && st.TalkDetect
	})
}

func TestJoinTalkMuteKickLeave(t *testing.T) {
	r := startRig(t, nil, func(c *Config) { c.TalkThresholds = TalkThresholds{Silence: 1200, Talk: 300} })
	br := r.fake.CreateBridge("room2")
	a := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Ann", Number: "2001"}, Answered: true})
	if err := r.fake.Enter(br, a); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "member joined", func(v view) bool { _, ok := v.Members["room2/"+a]; return ok })
	waitTalkDetect(t, r.fake, a)
	if st, _ := r.fake.State(a); st.Vars["TALK_DETECT(set)"] != "1200,300" {
		t.Errorf("TALK_DETECT value %q", st.Vars["TALK_DETECT(set)"])
	}
	if err := r.fake.SetTalking(a, true, 0); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "talking", func(v view) bool { return v.Members["room2/"+a].Talking })
	if err := r.fake.SetTalking(a, false, time.Second); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "not talking", func(v view) bool { return !v.Members["room2/"+a].Talking })

	ctx := context.Background()
	if _, err := r.node.Do(ctx, adapters.MuteMember{Conference: "room2", Member: a, Muted: true}); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "muted", func(v view) bool { return v.Members["room2/"+a].Muted })
	if st, _ := r.fake.State(a); !st.Muted["in"] || st.Muted["out"] {
		t.Errorf("fake mute state %v", st.Muted)
	}
	if _, err := r.node.Do(ctx, adapters.DeafMember{Conference: "room2", Member: a, Deaf: true}); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "deaf", func(v view) bool { return v.Members["room2/"+a].Deaf })
	if st, _ := r.fake.State(a); !st.Muted["out"] {
		t.Errorf("fake deaf state %v", st.Muted)
	}
	if _, err := r.node.Do(ctx, adapters.KickMember{Conference: "room2", Member: a}); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "kicked", func(v view) bool { return v.Left[a] == adapters.LeftKicked })

	b := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Ben", Number: "2002"}, Answered: true})
	_ = r.fake.Enter(br, b)
	r.live.wait(t, "second member", func(v view) bool { _, ok := v.Members["room2/"+b]; return ok })
	_ = r.fake.Hangup(b)
	r.live.wait(t, "hangup leave", func(v view) bool { _, call := v.Calls[b]; return v.Left[b] == adapters.LeftHangup && !call })
	_ = r.fake.DestroyBridge(br)
	r.live.wait(t, "conference ended", func(v view) bool { _, ok := v.Conferences["room2"]; return !ok })
}

func TestActionsReachARI(t *testing.T) {
	r := startRig(t, nil, func(c *Config) { c.KickHangup = true })
	br := r.fake.CreateBridge("room3")
	var chans []string
	for i := range 3 {
		ch := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "M", Number: "300" + string(rune('0'+i))}, Answered: true})
		_ = r.fake.Enter(br, ch)
		chans = append(chans, ch)
	}
	r.live.wait(t, "members", func(v view) bool { return v.Conferences["room3"].MemberCount == 3 })
	a, b, c := chans[0], chans[1], chans[2]
	cases := []struct {
		action adapters.Action
		want   []string // method + path prefix, in order
		params map[string]string
	}{
		{adapters.MuteMember{Conference: "room3", Member: a, Muted: true}, []string{"POST /ari/channels/" + a + "/mute"}, map[string]string{"direction": "in"}},
		{adapters.MuteMember{Conference: "room3", Member: a}, []string{"DELETE /ari/channels/" + a + "/mute"}, map[string]string{"direction": "in"}},
		{adapters.DeafMember{Conference: "room3", Member: a, Deaf: true}, []string{"POST /ari/channels/" + a + "/mute"}, map[string]string{"direction": "out"}},
		{adapters.DeafMember{Conference: "room3", Member: a}, []string{"DELETE /ari/channels/" + a + "/mute"}, map[string]string{"direction": "out"}},
		{adapters.PlayToMember{Conference: "room3", Member: b, Media: "hello"}, []string{"POST /ari/channels/" + b + "/play/"}, map[string]string{"media": "sound:dash-hello"}},
		{adapters.PlayToConference{Conference: "room3", Media: "announce"}, []string{"POST /ari/bridges/" + br + "/play/"}, map[string]string{"media": "recording:announce"}},
		{adapters.MusicOnHold{Conference: "room3", On: true}, []string{"POST /ari/bridges/" + br + "/moh"}, map[string]string{"mohClass": "default"}},
		{adapters.MusicOnHold{Conference: "room3"}, []string{"DELETE /ari/bridges/" + br + "/moh"}, nil},
		{adapters.KickMember{Conference: "room3", Member: c}, []string{"POST /ari/bridges/" + br + "/removeChannel", "DELETE /ari/channels/" + c}, map[string]string{"channel": c}},
		{adapters.HangupCall{Call: b}, []string{"DELETE /ari/channels/" + b}, map[string]string{"reason": "normal"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.action.Kind()), func(t *testing.T) {
			before := len(r.fake.RequestLog())
			if _, err := r.node.Do(context.Background(), tc.action); err != nil {
				t.Fatal(err)
			}
			var got []arifake.Request
			for _, req := range r.fake.RequestLog()[before:] {
				if !strings.Contains(req.Path, "/events/user/") && !strings.HasSuffix(req.Path, "/variable") {
					got = append(got, req)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("requests %v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i].String(), w) {
					t.Errorf("request %d = %s, want %s", i, got[i], w)
				}
			}
			for k, v := range tc.params {
				if got[0].Params[k] != v {
					t.Errorf("param %s = %q, want %q", k, got[0].Params[k], v)
				}
			}
		})
	}
	if moh, _ := r.fake.MOH(br); moh != "" {
		t.Errorf("MOH still %q", moh)
	}
}

func TestActionErrors(t *testing.T) {
	// No heartbeats: FailNext must hit the action's request, not a heartbeat.
	r := startRig(t, nil, func(c *Config) { c.HeartbeatInterval = time.Hour })
	br := r.fake.CreateBridge("room4")
	a := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Number: "4001"}, Answered: true})
	_ = r.fake.Enter(br, a)
	r.live.wait(t, "member", func(v view) bool { return v.Conferences["room4"].MemberCount == 1 })
	waitTalkDetect(t, r.fake, a) // its request must not take the injected failure
	ctx := context.Background()
	cases := []struct {
		name   string
		action adapters.Action
		fail   int
		want   error
	}{
		{"unknown conference", adapters.MuteMember{Conference: "nope", Member: a, Muted: true}, 0, adapters.ErrNotFound},
		{"unknown member", adapters.MuteMember{Conference: "room4", Member: "9.9", Muted: true}, 0, adapters.ErrNotFound},
		{"lock", adapters.LockConference{Conference: "room4", Locked: true}, 0, adapters.ErrUnsupported},
		{"unknown media", adapters.PlayToConference{Conference: "room4", Media: "nope"}, 0, adapters.ErrInvalid},
		{"ARI 500", adapters.MuteMember{Conference: "room4", Member: a, Muted: true}, 500, adapters.ErrUnavailable},
		{"ARI 409", adapters.MuteMember{Conference: "room4", Member: a, Muted: true}, 409, adapters.ErrRefused},
		{"ARI 404", adapters.HangupCall{Call: a}, 404, adapters.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.fail != 0 {
				r.fake.FailNext(c.fail)
			}
			_, err := r.node.Do(ctx, c.action)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), "dashpass") {
				t.Errorf("password in error: %v", err)
			}
		})
	}
	if r.live.view().Members["room4/"+a].Muted {
		t.Error("a failed mute was recorded as muted")
	}
}

// A kick ARI refused leaves no mark: when the member later leaves by
// itself, the leave is not reported as a kick.
func TestFailedKickIsNotReportedAsKick(t *testing.T) {
	r := startRig(t, nil, func(c *Config) { c.HeartbeatInterval = time.Hour }) // FailNext must hit the kick
	br := r.fake.CreateBridge("room7")
	a := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Number: "7101"}, Answered: true})
	_ = r.fake.Enter(br, a)
	r.live.wait(t, "member", func(v view) bool { return v.Conferences["room7"].MemberCount == 1 })
	waitTalkDetect(t, r.fake, a) // its request must not take the injected failure
	r.fake.FailNext(500)
	if _, err := r.node.Do(context.Background(), adapters.KickMember{Conference: "room7", Member: a}); !errors.Is(err, adapters.ErrUnavailable) {
		t.Fatalf("kick with ARI 500: err %v, want ErrUnavailable", err)
	}
	if err := r.fake.Leave(br, a); err != nil {
		t.Fatal(err)
	}
	v := r.live.wait(t, "member left", func(v view) bool { _, ok := v.Left[a]; return ok })
	if v.Left[a] != adapters.LeftLeft {
		t.Fatalf("leave after a failed kick reported as %q, want %q", v.Left[a], adapters.LeftLeft)
	}
}

func TestTranscriptAndPrompts(t *testing.T) {
	r := startRig(t, nil, nil)
	a := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: "Bot caller", Number: "5001"}, Answered: true})
	r.live.wait(t, "call", func(v view) bool { _, ok := v.Calls[a]; return ok })
	_ = r.fake.UserEvent(a, "transcription", map[string]any{"text": "안녕하세요", "speaker": "caller", "final": false})
	_ = r.fake.UserEvent(a, "transcription", map[string]any{"text": "hello there", "speaker": "bot", "final": "true"})
	_ = r.fake.UserEvent(a, "other-event", map[string]any{"text": "ignored"})
	_ = r.fake.UserEvent("", "transcription", map[string]any{"text": "no channel"})
	br := r.fake.CreateBridge("room5")
	_ = r.fake.Enter(br, a)
	r.live.wait(t, "member", func(v view) bool { return v.Conferences["room5"].MemberCount == 1 })
	if _, err := r.node.Do(context.Background(), adapters.PlayToMember{Conference: "room5", Member: a, Media: "hello"}); err != nil {
		t.Fatal(err)
	}
	r.live.wait(t, "three lines", func(v view) bool { return len(v.Utterances) >= 3 })
	// A marker line sent last arrives after any stray line the ignored events
	// could have made (one websocket, read in order): once it is there, the
	// lines before it are all there is.
	_ = r.fake.UserEvent(a, "transcription", map[string]any{"text": "marker", "speaker": "caller", "final": "true"})
	r.live.wait(t, "marker line", func(v view) bool { return len(v.Utterances) >= 4 })
	utter := r.live.view().Utterances
	if last := utter[len(utter)-1]; last.Text != "marker" {
		t.Fatalf("last line %+v, want the marker", last)
	}
	utter = utter[:len(utter)-1]
	want := []adapters.Utterance{
		{Node: "ast1", CallID: a, Speaker: adapters.SpeakerCaller, Text: "안녕하세요", Final: false},
		{Node: "ast1", CallID: a, Speaker: adapters.SpeakerBot, Text: "hello there", Final: true},
		{Node: "ast1", CallID: a, Speaker: adapters.SpeakerBot, Text: "[prompt] dash-hello", Final: true, Vendor: "ari-playback"},
	}
	if len(utter) != len(want) {
		t.Fatalf("utterances %+v", utter)
	}
	for i, u := range utter {
		if u.At.IsZero() {
			t.Errorf("line %d has no time", i)
		}
		u.At = time.Time{}
		if u != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, u, want[i])
		}
	}
}

func TestResyncAfterLostEvents(t *testing.T) {
	r := startRig(t, nil, nil)
	br := r.fake.CreateBridge("room6")
	a := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Number: "6001"}, Answered: true})
	_ = r.fake.Enter(br, a)
	r.live.wait(t, "member", func(v view) bool { return v.Conferences["room6"].MemberCount == 1 })
	snaps := r.live.view().Snapshots
	// Cut the websocket and change state at once: these events are lost.
	r.fake.DropWebsockets()
	b := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Number: "6002"}, Answered: true})
	_ = r.fake.Enter(br, b)
	_ = r.fake.Hangup(a)
	r.live.wait(t, "converged after resync", func(v view) bool {
		_, hasA := v.Calls[a]
		_, memB := v.Members["room6/"+b]
		return v.Snapshots > snaps && v.Status.State == adapters.StateUp && !hasA && memB && v.Conferences["room6"].MemberCount == 1
	})
}

func TestFloodIsNotLostSilently(t *testing.T) {
	r := startRig(t, nil, nil)
	br := r.fake.CreateBridge("flood")
	a := r.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Number: "7001"}, Answered: true})
	_ = r.fake.Enter(br, a)
	waitTalkDetect(t, r.fake, a)
	r.live.wait(t, "member", func(v view) bool { _, ok := v.Members["flood/"+a]; return ok })
	before := r.live.view()
	snaps, flips := before.Snapshots, before.TalkFlips
	r.live.setDelay(func() { time.Sleep(20 * time.Microsecond) }) // a slow consumer
	const n = 3000                                                // far more than the client's 100-event bus buffer
	for i := range n {
		if err := r.fake.SetTalking(a, i%2 == 0, time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	// Final state: not talking (n is even). Either every flip arrived or a
	// resync replaced what was lost.
	r.live.wait(t, "flood consumed", func(v view) bool {
		done := v.TalkFlips-flips == n || v.Snapshots > snaps
		return done && !v.Members["flood/"+a].Talking
	})
	after := r.live.view()
	t.Logf("flips %d of %d, snapshots %d -> %d", after.TalkFlips-flips, n, snaps, after.Snapshots)
}

func TestValidateIdentifiers(t *testing.T) {
	node, err := New(Config{ID: "ast1", URL: "http://127.0.0.1:1/ari", Username: "u", Password: "p", Application: "app", Media: map[string]string{"hello": "sound:hello"}})
	if err != nil {
		t.Fatal(err)
	}
	bad := []string{"", "a/b", "..", "a..b", "a?b", "a%2fb", "a b", "a\tb", "a\nb", "a\x00b", "é", "a#b", "a\\b", strings.Repeat("x", 129)}
	fields := map[string]func(v string) adapters.Action{
		"mute.conference": func(v string) adapters.Action { return adapters.MuteMember{Conference: v, Member: "1.1"} },
		"mute.member":     func(v string) adapters.Action { return adapters.MuteMember{Conference: "c", Member: v} },
		"deaf.conference": func(v string) adapters.Action { return adapters.DeafMember{Conference: v, Member: "1.1"} },
		"deaf.member":     func(v string) adapters.Action { return adapters.DeafMember{Conference: "c", Member: v} },
		"kick.conference": func(v string) adapters.Action { return adapters.KickMember{Conference: v, Member: "1.1"} },
		"kick.member":     func(v string) adapters.Action { return adapters.KickMember{Conference: "c", Member: v} },
		"play.conference": func(v string) adapters.Action {
			return adapters.PlayToMember{Conference: v, Member: "1.1", Media: "hello"}
		},
		"play.member": func(v string) adapters.Action {
			return adapters.PlayToMember{Conference: "c", Member: v, Media: "hello"}
		},
		"play.media":       func(v string) adapters.Action { return adapters.PlayToMember{Conference: "c", Member: "1.1", Media: v} },
		"playconf.conf":    func(v string) adapters.Action { return adapters.PlayToConference{Conference: v, Media: "hello"} },
		"playconf.media":   func(v string) adapters.Action { return adapters.PlayToConference{Conference: "c", Media: v} },
		"moh.conference":   func(v string) adapters.Action { return adapters.MusicOnHold{Conference: v, On: true} },
		"hangup.call":      func(v string) adapters.Action { return adapters.HangupCall{Call: v} },
		"moh-off.conferen": func(v string) adapters.Action { return adapters.MusicOnHold{Conference: v} },
	}
	for name, mk := range fields {
		t.Run(name, func(t *testing.T) {
			if err := node.Validate(mk("1795348304.0")); err != nil && !strings.Contains(name, "media") {
				t.Errorf("valid id rejected: %v", err)
			}
			for _, v := range bad {
				err := node.Validate(mk(v))
				if !errors.Is(err, adapters.ErrInvalid) {
					t.Errorf("%q: err %v, want ErrInvalid", v, err)
				}
				// Do must refuse before any request (the node is not even running).
				if _, err := node.Do(context.Background(), mk(v)); !errors.Is(err, adapters.ErrInvalid) {
					t.Errorf("Do %q: err %v, want ErrInvalid", v, err)
				}
			}
		})
	}
	if !slices.Contains(node.Actions(), adapters.ActMOHStart) || slices.Contains(node.Actions(), adapters.ActLock) {
		t.Errorf("actions %v", node.Actions())
	}
}
