package freeswitch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/adaptertest"
	"github.com/callboard/callboard/adapters/dialplan"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// TestConformance runs the shared adapter scenarios against the ESL fake.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) adaptertest.Harness {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		fake := eslfake.New(eslfake.Options{Password: "conformance-pw", Logger: quiet})
		if err := fake.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fake.Close() })
		media := map[string]string{"beep": "tone_stream://%(500,0,800)"}
		cfg := freeswitch.Config{
			ID: "fs1", Address: fake.Addr(), Password: "conformance-pw", Media: media, Logger: quiet,
			CommandTimeout: 2 * time.Second, ProbeInterval: 200 * time.Millisecond,
			// Long enough that Offline's changes happen while the node is away.
			BackoffMin: 300 * time.Millisecond, BackoffMax: 600 * time.Millisecond,
			Transcripts: []adapters.TranscriptRule{botRule},
			Dial:        conformanceDial,
		}
		node, err := freeswitch.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return adaptertest.Harness{
			Node: node, PBX: &eslPBX{fake: fake, media: media}, Media: "beep",
			// A callboard restarted mid-call: a second node, same config, same PBX.
			Restart: func(t *testing.T) adapters.Node {
				n, err := freeswitch.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				return n
			},
			// uuid_dump carries Caller-Channel-Answered-Time (µs).
			ExactAnswerTimes: true,
		}
	})
}

// botRule reads a callbot's own replies: its CUSTOM subclass, a JSON body
// with "text", and a header naming the speaker in the bot's own words.
var botRule = adapters.TranscriptRule{
	Event: "callbot::reply", Format: "json", Speaker: adapters.SpeakerBot,
	SpeakerField: "callbot-speaker", SpeakerValues: map[string]adapters.Speaker{"assistant": adapters.SpeakerBot, "user": adapters.SpeakerCaller},
}

// eslPBX drives the ESL fake for the conformance suite.
type eslPBX struct {
	fake  *eslfake.Server
	media map[string]string
	bLegs sync.Map // call id -> its callee leg, for the eavesdrop target
}

func (p *eslPBX) Call(t testing.TB, name, number string) string {
	u := p.fake.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: name, Number: number}, Destination: "3000"})
	if err := p.fake.Answer(u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (p *eslPBX) Hangup(t testing.TB, callID string) {
	if err := p.fake.Hangup(callID, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
}

func (p *eslPBX) Join(t testing.TB, conf, callID string) string {
	id, err := p.fake.Join(conf, callID)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(id)
}

func (p *eslPBX) Talk(t testing.TB, conf, memberID string, talking bool) {
	id, _ := strconv.Atoi(memberID)
	if err := p.fake.SetTalking(conf, id, talking); err != nil {
		t.Fatal(err)
	}
}

func (p *eslPBX) Say(t testing.TB, callID, text string) {
	body := fmt.Sprintf(`{"text":%q,"start":1200,"end":2400}`, text)
	if err := p.fake.FireSTT(callID, "brain_stt::transcription", "mindslab", []byte(body)); err != nil {
		t.Fatal(err)
	}
}

func (p *eslPBX) BotSay(t testing.TB, callID, text string) {
	if err := p.fake.Execute(callID, "speak", "tts|en|"+text); err != nil {
		t.Fatal(err)
	}
}

// ExpectAction checks the exact ESL command line each action must become.
func (p *eslPBX) ExpectAction(t testing.TB, a adapters.Action) {
	t.Helper()
	var want string
	switch a := a.(type) {
	case adapters.MuteMember:
		want = fmt.Sprintf("api conference %s %s %s", a.Conference, map[bool]string{true: "mute", false: "unmute"}[a.Muted], a.Member)
	case adapters.DeafMember:
		want = fmt.Sprintf("api conference %s %s %s", a.Conference, map[bool]string{true: "deaf", false: "undeaf"}[a.Deaf], a.Member)
	case adapters.KickMember:
		want = fmt.Sprintf("api conference %s kick %s", a.Conference, a.Member)
	case adapters.PlayToMember:
		want = fmt.Sprintf("api conference %s play %s %s", a.Conference, p.media[a.Media], a.Member)
	case adapters.PlayToConference:
		want = fmt.Sprintf("api conference %s play %s", a.Conference, p.media[a.Media])
	case adapters.LockConference:
		want = fmt.Sprintf("api conference %s %s", a.Conference, map[bool]string{true: "lock", false: "unlock"}[a.Locked])
	case adapters.HangupCall:
		want = "api uuid_kill " + a.Call
	case adapters.SetAgentStatus: // a status with a space in quotes, as the capture shows working
		want = "api callcenter_config agent set status " + a.Agent + " 'On Break'"
		if a.Status != adapters.AgentOnBreak {
			t.Fatalf("no captured form for status %q in this test", a.Status)
		}
	default:
		t.Fatalf("no ESL form for %T", a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), adaptertest.WaitTimeout)
	defer cancel()
	if _, err := p.fake.WaitForCommand(ctx, want); err != nil || !slices.Contains(p.fake.Commands(), want) {
		t.Fatalf("the fake never received %q; it received %q", want, p.fake.Commands())
	}
}

func (p *eslPBX) Offline(t testing.TB, change func()) {
	p.fake.DisconnectAll()
	change()
}

// Dial places a bridged two-party call (A leg running bridge, originated B
// leg); its call id is the A leg.
func (p *eslPBX) Dial(t testing.TB, caller, callee adaptertest.Party) string {
	a, b := p.fake.Dial(eslfake.Party(caller), eslfake.Party(callee))
	p.bLegs.Store(a, b)
	return a
}

// PhoneHold is the caller's phone holding (a re-INVITE on its SIP leg).
func (p *eslPBX) PhoneHold(t testing.TB, callID string, held bool) {
	reply, err := p.fake.Hold(callID, held)
	if err != nil || reply != "+OK Success\n" {
		t.Fatalf("hold %v on %s: %q %v", held, callID, reply, err)
	}
}

// BotEvent is the callbot reporting its reply as its own CUSTOM event.
func (p *eslPBX) BotEvent(t testing.TB, callID, text string) {
	body, _ := json.Marshal(map[string]string{"text": text})
	if err := p.fake.FireCustom(callID, botRule.Event, [][2]string{{"callbot-speaker", "assistant"}}, body); err != nil {
		t.Fatal(err)
	}
}

// conformanceDial is the dial plan adaptertest.SupervisePBX assumes.
var conformanceDial = dialplan.Rules{Endpoints: `^1[0-9]{3}$`, Numbers: `^\+?[0-9]{3,15}$`,
	EndpointTemplate: "user/{endpoint}", NumberTemplate: "sofia/gateway/gw/{number}"}

// RefuseEndpoint makes user/<endpoint> unregistered: originate answers
// -ERR USER_NOT_REGISTERED and creates no channel (originate capture L7).
func (p *eslPBX) RefuseEndpoint(t testing.TB, endpoint string) string {
	p.fake.SetEndpoint("user/"+endpoint, "USER_NOT_REGISTERED")
	return "USER_NOT_REGISTERED"
}

// ExpectSupervision checks the exact ESL command of each supervision action.
func (p *eslPBX) ExpectSupervision(t testing.TB, a adapters.Action, reply string) {
	t.Helper()
	var want string
	switch a := a.(type) {
	case adapters.Originate:
		vars := "origination_uuid=" + reply
		if a.Timeout > 0 {
			vars += fmt.Sprintf(",originate_timeout=%d", int(a.Timeout.Seconds()))
		}
		if a.CallerIDNumber != "" {
			vars += ",origination_caller_id_number=" + a.CallerIDNumber
		}
		if a.CallerIDName != "" {
			vars += ",origination_caller_id_name='" + a.CallerIDName + "'"
		}
		want = "bgapi originate {" + vars + "}user/" + a.From + " &bridge(user/" + a.To + ")"
	case adapters.TransferCall:
		flag := map[string]string{"": "", "caller": "", "callee": "-bleg ", "both": "-both "}[a.Leg]
		want = "api uuid_transfer " + a.Call + " " + flag + a.To + " XML default"
	case adapters.HoldCall:
		want = "api uuid_hold " + a.Call
		if !a.Held {
			want = "api uuid_hold off " + a.Call
		}
	case adapters.Supervise:
		// The first mode originates the phone into eavesdrop; later ones
		// switch the same leg with the mode digit.
		digit := map[string]string{"listen": "0", "whisper": "2", "barge": "3"}[a.Mode]
		switchLine := "api uuid_recv_dtmf " + reply + " " + digit
		originate := "bgapi originate {origination_uuid=" + reply + ",eavesdrop_enable_dtmf=true,callboard_listen_call=" + a.Call
		for _, c := range p.fake.Commands() {
			if c == switchLine || strings.HasPrefix(c, originate) {
				want = c
			}
		}
		if want == "" {
			t.Fatalf("the fake never received %q nor an originate starting %q; it received %q", switchLine, originate, p.fake.Commands())
		}
		if strings.HasPrefix(want, "bgapi") && !strings.HasSuffix(want, "}user/"+a.Phone+" &eavesdrop("+p.agentLeg(a.Call)+")") {
			t.Errorf("eavesdrop originate %q does not ring user/%s into the agent leg's eavesdrop", want, a.Phone)
		}
	case adapters.StopListening:
		want = "api uuid_kill " + reply
	default:
		t.Fatalf("no ESL form for %T", a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), adaptertest.WaitTimeout)
	defer cancel()
	if _, err := p.fake.WaitForCommand(ctx, want); err != nil || !slices.Contains(p.fake.Commands(), want) {
		t.Fatalf("the fake never received %q; it received %q", want, p.fake.Commands())
	}
}

// agentLeg is the callee leg of a call the harness dialled.
func (p *eslPBX) agentLeg(call string) string {
	if b, ok := p.bLegs.Load(call); ok {
		return b.(string)
	}
	return call
}

// Sent counts the commands the node sent, without its liveness probes.
func (p *eslPBX) Sent(t testing.TB) int {
	n := 0
	for _, c := range p.fake.Commands() {
		if c != "api status" {
			n++
		}
	}
	return n
}
