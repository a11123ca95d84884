package asterisk_test

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/asterisk"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/internal/testutil"
)

// TestConformance runs the shared adapter scenarios against the ARI fake.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) adaptertest.Harness {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		fake, err := arifake.New(arifake.Options{PlaybackDuration: 5 * time.Millisecond, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = fake.Close() })
		media := map[string]string{"hello": "sound:hello-world"}
		newNode := func(t *testing.T) adapters.Node {
			node, err := asterisk.New(asterisk.Config{
				ID: "ast1", URL: fake.URL(), Username: "dash", Password: "dashpass", Application: "callboard",
				SubscribeAll: true, Media: media, Logger: quiet, Dial: conformanceDial,
				RESTTimeout: 2 * time.Second, HeartbeatInterval: 100 * time.Millisecond, HeartbeatTimeout: time.Second,
				// Today's rule plus the callbot's own replies.
				Transcripts: append(asterisk.DefaultTranscripts("transcription"),
					adapters.TranscriptRule{Event: "botreply", Speaker: adapters.SpeakerBot}),
			})
			if err != nil {
				t.Fatal(err)
			}
			return node
		}
		pbx := &ariPBX{fake: fake, media: media, bridges: map[string]string{}, dials: map[string]arifake.DialCall{}}
		// ARI has no answer time: after a restart an Up call's AnsweredAt
		// is its channel's creation time (see docs/asterisk.md).
		return adaptertest.Harness{Node: newNode(t), PBX: pbx, Media: "hello", Restart: newNode, ExactAnswerTimes: false}
	})
}

// ariPBX drives the ARI fake for the conformance suite. Conferences are
// mixing bridges named after the conference; members are channel ids.
type ariPBX struct {
	fake    *arifake.Server
	media   map[string]string
	mu      sync.Mutex
	bridges map[string]string           // conference name -> bridge id
	dials   map[string]arifake.DialCall // call id -> its Dial channels
}

// Dial places an a1-shaped Dial call whose originated ";1" half is in the
// Stasis application (c4/k1), the shape callboard can hold and transfer;
// its id is that ";1", the oldest channel of the four.
func (p *ariPBX) Dial(t testing.TB, caller, callee adaptertest.Party) string {
	d := p.fake.DialStasis(arifake.Party{Name: caller.Name, Number: caller.Number}, arifake.Party{Name: callee.Name, Number: callee.Number})
	p.mu.Lock()
	p.dials[d.Origin] = d
	p.mu.Unlock()
	return d.Origin
}

// PhoneHold sends what a DTMF hold feature produces (b2): ChannelHold with
// the MOH class on the channel that pressed it, ChannelUnhold later.
func (p *ariPBX) PhoneHold(t testing.TB, callID string, held bool) {
	p.mu.Lock()
	d, ok := p.dials[callID]
	p.mu.Unlock()
	ch := callID
	if ok {
		ch = d.Dialer
	}
	if err := p.fake.Hold(ch, held, "default"); err != nil {
		t.Fatal(err)
	}
}

// BotEvent sends the callbot's reply as its own user event ("botreply"),
// which the harness's transcript rule attributes to the bot.
func (p *ariPBX) BotEvent(t testing.TB, callID, text string) {
	if err := p.fake.UserEvent(callID, "botreply", map[string]any{"text": text}); err != nil {
		t.Fatal(err)
	}
}

func (p *ariPBX) Call(t testing.TB, name, number string) string {
	return p.fake.AddChannel(arifake.ChannelSpec{Caller: arifake.Party{Name: name, Number: number}, Exten: "3000", Answered: true})
}

func (p *ariPBX) Hangup(t testing.TB, callID string) {
	if err := p.fake.Hangup(callID); err != nil {
		t.Fatal(err)
	}
}

func (p *ariPBX) bridge(conf string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id, ok := p.bridges[conf]; ok {
		return id
	}
	id := p.fake.CreateBridge(conf)
	p.bridges[conf] = id
	return id
}

func (p *ariPBX) Join(t testing.TB, conf, callID string) string {
	if err := p.fake.Enter(p.bridge(conf), callID); err != nil {
		t.Fatal(err)
	}
	return callID
}

// Talk waits for callboard to have set TALK_DETECT on the channel (it does
// so when the channel enters a conference bridge); before that, real
// Asterisk sends no talking events.
func (p *ariPBX) Talk(t testing.TB, conf, memberID string, talking bool) {
	testutil.EventuallyNoError(t, "talking on "+memberID, func() error {
		return p.fake.SetTalking(memberID, talking, 300*time.Millisecond)
	})
}

func (p *ariPBX) Say(t testing.TB, callID, text string) {
	if err := p.fake.UserEvent(callID, "transcription", map[string]any{"text": text, "speaker": "caller", "final": "true"}); err != nil {
		t.Fatal(err)
	}
}

func (p *ariPBX) BotSay(t testing.TB, callID, text string) {
	if err := p.fake.UserEvent(callID, "transcription", map[string]any{"text": text, "speaker": "bot", "final": "true"}); err != nil {
		t.Fatal(err)
	}
}

// ExpectAction checks the exact ARI method, path and parameter of each action.
func (p *ariPBX) ExpectAction(t testing.TB, a adapters.Action) {
	t.Helper()
	var want, param, value string
	switch a := a.(type) {
	case adapters.MuteMember:
		want, param, value = map[bool]string{true: "POST", false: "DELETE"}[a.Muted]+" /ari/channels/"+a.Member+"/mute", "direction", "in"
	case adapters.DeafMember:
		want, param, value = map[bool]string{true: "POST", false: "DELETE"}[a.Deaf]+" /ari/channels/"+a.Member+"/mute", "direction", "out"
	case adapters.KickMember:
		want, param, value = "POST /ari/bridges/"+p.bridge(a.Conference)+"/removeChannel", "channel", a.Member
	case adapters.PlayToMember:
		want, param, value = "POST /ari/channels/"+a.Member+"/play", "media", p.media[a.Media]
	case adapters.PlayToConference:
		want, param, value = "POST /ari/bridges/"+p.bridge(a.Conference)+"/play", "media", p.media[a.Media]
	case adapters.MusicOnHold:
		want = map[bool]string{true: "POST", false: "DELETE"}[a.On] + " /ari/bridges/" + p.bridge(a.Conference) + "/moh"
	case adapters.HangupCall:
		want = "DELETE /ari/channels/" + a.Call
	default:
		t.Fatalf("no ARI form for %T", a)
	}
	testutil.EventuallyNoError(t, fmt.Sprintf("the fake to receive %s with %s=%q", want, param, value), func() error {
		for _, r := range p.fake.RequestLog() {
			// Play paths end in a playback id the adapter picks.
			if (r.String() == want || strings.HasPrefix(r.String(), want+"/")) && (param == "" || r.Params[param] == value) {
				return nil
			}
		}
		return fmt.Errorf("it received %v", p.fake.Requests())
	})
}

func (p *ariPBX) Offline(t testing.TB, change func()) {
	p.fake.DropWebsockets()
	change()
}
