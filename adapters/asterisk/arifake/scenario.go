package arifake

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// DemoConference is the name of the mixing bridge RunDemo keeps populated.
const DemoConference = "ari-conference"

var demoNames = []Party{
	{"Minji Park", "2101"}, {"Oliver Grant", "2102"}, {"Seo-yeon Kim", "2103"},
	{"Priya Nair", "2104"}, {"Lucas Moreau", "2105"}, {"Jae-won Lee", "2106"},
	{"Hannah Weiss", "2107"}, {"Tomás Ruiz", "2108"},
}

// botLines alternate caller speech and bot answers in the callbot call.
var botLines = []struct{ speaker, text string }{
	{"caller", "안녕하세요, 예약을 변경하고 싶어요."},
	{"bot", "네, 예약 번호를 말씀해 주세요."},
	{"caller", "Hi, I'd like to check my order status."},
	{"bot", "Sure. Could you read me the order number?"},
	{"caller", "주문 번호는 칠 삼 오 일입니다."},
	{"bot", "확인했습니다. 내일 도착 예정입니다."},
	{"caller", "Great, thank you!"},
	{"bot", "You're welcome. Anything else?"},
}

// RunDemo plays a live scenario until ctx ends: callers join and leave the
// "ari-conference" mixing bridge (4-5 members talking in turn), two-party
// Dial calls between demo people come and go, calls to the support line
// ring, are answered and hang up, and a callbot call produces transcription
// user events (partial then final, Korean and English) and bot playbacks.
func RunDemo(ctx context.Context, s *Server, rng *rand.Rand) error {
	conf := s.CreateBridge(DemoConference)
	var members []string
	// Each demo person is on at most one call at a time, as in life.
	busy := map[string]string{} // channel id -> number
	pick := func() Party {
		inUse := map[string]bool{}
		for _, n := range busy {
			inUse[n] = true
		}
		var free []Party
		for _, p := range demoNames {
			if !inUse[p.Number] {
				free = append(free, p)
			}
		}
		if len(free) == 0 {
			// Everyone is busy: an outside caller, known by a (local,
			// seven-digit) number only.
			return Party{"", fmt.Sprintf("555%04d", rng.IntN(10000))}
		}
		return free[rng.IntN(len(free))]
	}
	add := func(spec ChannelSpec) string {
		id := s.AddChannel(spec)
		busy[id] = spec.Caller.Number
		return id
	}
	hangup := func(id string) {
		_ = s.Hangup(id)
		delete(busy, id)
	}
	// Ordinary two-party calls, dialled the way a1 shows (Local chain,
	// Dial, basic bridge): two demo people, each busy until it ends.
	var dials []DialCall
	dial := func() {
		from := pick()
		busy["dial-from:"+from.Number] = from.Number
		to := pick()
		d := s.Dial(from, to)
		delete(busy, "dial-from:"+from.Number)
		busy[d.Origin], busy[d.Far] = from.Number, to.Number
		dials = append(dials, d)
	}
	endDial := func() {
		d := dials[0]
		dials = dials[1:]
		_ = s.Hangup(d.Dialer)
		delete(busy, d.Origin)
		delete(busy, d.Far)
	}
	join := func() {
		p := pick()
		id := add(ChannelSpec{Caller: p, Exten: "3000", Args: []string{DemoConference}})
		_ = s.Answer(id)
		_ = s.Enter(conf, id)
		_ = s.SetTalkDetect(id, true) // the adapter sets it too; demo must talk without one
		members = append(members, id)
	}
	for range 4 {
		join()
	}
	bot := s.AddChannel(ChannelSpec{Caller: Party{"Callbot Customer", "2199"}, Connected: Party{"Callbot", "7000"}, Exten: "7000", Args: []string{"callbot"}})
	_ = s.Answer(bot)
	var others []string
	tick := time.NewTicker(700 * time.Millisecond)
	defer tick.Stop()
	talker, line := "", 0
	for step := 0; ; step++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		// Talking: one member at a time, sometimes an overlap.
		if talker != "" {
			_ = s.SetTalking(talker, false, time.Duration(1000+rng.IntN(3000))*time.Millisecond)
			talker = ""
		}
		if len(members) > 0 && rng.IntN(3) > 0 {
			talker = members[rng.IntN(len(members))]
			_ = s.SetTalking(talker, true, 0)
		}
		// Membership churn keeps 3-5 members.
		switch {
		case step%9 == 4 && len(members) > 3:
			i := rng.IntN(len(members))
			if members[i] == talker {
				talker = ""
			}
			hangup(members[i])
			members = append(members[:i], members[i+1:]...)
		case step%9 == 8 && len(members) < 5:
			join()
		}
		// Two-party calls come and go.
		if step%2 == 1 {
			if len(dials) < 2 {
				dial()
			} else {
				endDial()
			}
		}
		// Calls to the support line ring, are answered and go.
		if step%5 == 2 {
			if len(others) < 2 {
				others = append(others, add(ChannelSpec{Caller: pick(), Connected: Party{"Support", "600"}, Exten: "600"}))
			} else {
				hangup(others[0])
				others = others[1:]
			}
		}
		if step%5 == 3 && len(others) > 0 {
			_ = s.Answer(others[len(others)-1])
		}
		// Callbot transcript: a partial, then the final line. (Bot playbacks are
		// mapped too, but their text is only the media name: the demo's bot
		// says its lines through the user events instead.)
		if step%3 == 0 {
			l := botLines[line%len(botLines)]
			line++
			words := []rune(l.text)
			_ = s.UserEvent(bot, "transcription", map[string]any{"text": string(words[:len(words)/2]), "speaker": l.speaker, "final": false})
			_ = s.UserEvent(bot, "transcription", map[string]any{"text": l.text, "speaker": l.speaker, "final": true})
		}
		if line > 0 && line%len(botLines) == 0 && step%3 == 0 {
			// The callbot call ends and a new one starts.
			hangup(bot)
			bot = add(ChannelSpec{Caller: pick(), Connected: Party{"Callbot", "7000"}, Exten: "7000", Args: []string{"callbot"}})
			_ = s.Answer(bot)
		}
	}
}
