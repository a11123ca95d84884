package eslfake

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// DemoConference is the conference RunDemo keeps populated.
const DemoConference = "support-room"

var demoPeople = []Party{
	{"홍길동", "01012345678"}, {"김민지", "01023456789"}, {"Alice Moreau", "5723"},
	{"Bob Tanaka", "5724"}, {"박지훈", "01034567890"}, {"Carol Nguyen", "5725"},
	{"최유나", "01045678901"}, {"Dan Smith", "5727"}, {"정하늘", "01056789012"},
	{"Erin Walsh", "5900"}, {"강서준", "01067890123"}, {"Frank Ortiz", "5901"},
	{"Grace Kim", "5902"}, {"윤지아", "01078901234"}, {"Henry Dubois", "5903"},
	{"임도윤", "01089012345"}, {"Irene Costa", "5904"}, {"한예린", "01090123456"},
	{"Jack Brennan", "5905"}, {"오민석", "01011223344"}, {"Kara Lindqvist", "5906"},
	{"서하준", "01022334455"}, {"Leo Marchetti", "5907"}, {"신유진", "01033445566"},
	{"Maya Patel", "5908"}, {"조은우", "01044556677"}, {"Noah Fischer", "5909"},
	{"배수아", "01066778899"},
}

type demoLine struct {
	caller, bot string
	english     bool
}

var demoDialog = []demoLine{
	{"안녕하세요, 배송 조회 좀 하려고요.", "안녕하세요. 주문 번호를 말씀해 주시겠어요?", false},
	{"Hi, can I switch to English please?", "Of course. What is your order number?", true},
	{"It's one two three four five.", "Thank you. Your parcel left the warehouse this morning.", true},
	{"언제 도착하나요?", "내일 오후 두 시에서 네 시 사이에 도착할 예정입니다.", false},
	{"Can I change the delivery address?", "Yes. Please tell me the new address.", true},
	{"서울시 강남구 테헤란로 123이에요.", "변경되었습니다. 확인 문자를 보내 드릴게요.", false},
	{"Great, thanks a lot.", "You're welcome. Is there anything else?", true},
	{"아니요, 괜찮아요.", "감사합니다. 좋은 하루 되세요.", false},
	{"One more thing: is there a fee?", "No, the address change is free of charge.", true},
	{"알겠습니다. 수고하세요.", "네, 이용해 주셔서 감사합니다.", false},
}

// RunDemo drives a live-looking scenario on s until ctx ends: ordinary
// calls, a talking conference and a bilingual callbot dialog with STT and
// TTS. Moderator commands act through the state machine, and the scenario
// notices kicked members and hung-up calls.
func RunDemo(ctx context.Context, s *Server, rng *rand.Rand) error {
	return RunDemoScaled(ctx, s, rng, 1)
}

// RunDemoScaled is RunDemo with every delay multiplied by speed (> 0).
func RunDemoScaled(ctx context.Context, s *Server, rng *rand.Rand, speed float64) error {
	if speed <= 0 {
		speed = 1
	}
	d := &demo{s: s, rng: rng, speed: speed}
	var wg sync.WaitGroup
	for _, loop := range []func(context.Context){d.plainCalls, d.conference, d.callbot, d.queues} {
		wg.Add(1)
		go func() { defer wg.Done(); loop(ctx) }()
	}
	wg.Wait()
	return ctx.Err()
}

type demo struct {
	s     *Server
	speed float64
	mu    sync.Mutex // guards rng (math/rand/v2 Rand is not safe for concurrent use) and busy
	rng   *rand.Rand
	busy  map[string]bool // numbers of the people on a call now
	// agentBusy: queue agents offered or on a queue call now (scenario_queue.go).
	agentBusy map[string]bool
}

func (d *demo) intn(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.IntN(n)
}

// between returns a scaled random duration in [lo, hi) seconds.
func (d *demo) between(lo, hi float64) time.Duration {
	d.mu.Lock()
	f := lo + d.rng.Float64()*(hi-lo)
	d.mu.Unlock()
	return time.Duration(f * d.speed * float64(time.Second))
}

func sleep(ctx context.Context, t time.Duration) bool {
	timer := time.NewTimer(t)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// reserve picks someone who is not on any call (as caller, callee or
// conference member) and marks them busy until release: nobody calls
// themselves, joins a room twice or is on two calls at once.
func (d *demo) reserve() (Party, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var free []Party
	for _, p := range demoPeople {
		if !d.busy[p.Number] {
			free = append(free, p)
		}
	}
	if len(free) == 0 {
		return Party{}, false
	}
	p := free[d.rng.IntN(len(free))]
	if d.busy == nil {
		d.busy = map[string]bool{}
	}
	d.busy[p.Number] = true
	return p, true
}

func (d *demo) release(ps ...Party) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range ps {
		delete(d.busy, p.Number)
	}
}

func (d *demo) alive(uuid string) bool {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	return d.s.channels[uuid] != nil
}

// plainCalls keeps 4-8 ordinary two-party calls up, each lasting 20-90 s
// (demoPeople is large enough for them and the conference at once).
func (d *demo) plainCalls(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	active := 0
	var mu sync.Mutex
	for ctx.Err() == nil {
		mu.Lock()
		n := active
		mu.Unlock()
		if n < 4+d.intn(5) {
			mu.Lock()
			active++
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.plainCall(ctx)
				mu.Lock()
				active--
				mu.Unlock()
			}()
		}
		if !sleep(ctx, d.between(1, 4)) {
			return
		}
	}
}

// plainCall is an ordinary two-party call between two free people: the
// caller's leg bridged to the callee's (eslfake.Dial), as a dialplan bridge.
func (d *demo) plainCall(ctx context.Context) {
	caller, ok := d.reserve()
	if !ok {
		return
	}
	defer d.release(caller)
	callee, ok := d.reserve()
	if !ok {
		return
	}
	defer d.release(callee)
	if !sleep(ctx, d.between(0, 2)) {
		return
	}
	uuid, _ := d.s.Dial(caller, callee)
	defer func() { _ = d.s.Hangup(uuid, "NORMAL_CLEARING") }() // no-op if already gone
	end := time.Now().Add(d.between(20, 90))
	for time.Now().Before(end) && d.alive(uuid) {
		if !sleep(ctx, d.between(0.5, 1)) {
			return
		}
	}
}

// conference keeps 4-6 members in DemoConference talking at human intervals,
// with an occasional leave and join.
func (d *demo) conference(ctx context.Context) {
	var uuids []string
	who := map[string]Party{} // member uuid -> person, released when they leave
	defer func() {
		for _, u := range uuids {
			_ = d.s.Hangup(u, "NORMAL_CLEARING")
			d.release(who[u])
		}
	}()
	join := func() {
		p, ok := d.reserve()
		if !ok {
			return
		}
		u := d.s.AddChannel(ChannelSpec{Caller: p, Callee: Party{"Support Room", "3000"}, Destination: "3000"})
		_ = d.s.Answer(u)
		if _, err := d.s.Join(DemoConference, u); err != nil {
			_ = d.s.Hangup(u, "NORMAL_CLEARING")
			d.release(p)
			return
		}
		uuids = append(uuids, u)
		who[u] = p
	}
	for ctx.Err() == nil {
		// Forget members that were kicked or hung up by a moderator.
		live := uuids[:0]
		for _, u := range uuids {
			if d.alive(u) {
				live = append(live, u)
			} else {
				d.release(who[u])
				delete(who, u)
			}
		}
		uuids = live
		switch {
		case len(d.s.Members(DemoConference)) < 4 && len(uuids) < 6:
			join()
			if !sleep(ctx, d.between(0.3, 1)) {
				return
			}
			continue
		case d.intn(12) == 0 && len(uuids) > 4:
			i := d.intn(len(uuids))
			_ = d.s.Hangup(uuids[i], "NORMAL_CLEARING")
			d.release(who[uuids[i]])
			delete(who, uuids[i])
			uuids = append(uuids[:i], uuids[i+1:]...)
		case d.intn(10) == 0 && len(uuids) < 6:
			join()
		}
		members := d.s.Members(DemoConference)
		if len(members) == 0 {
			if !sleep(ctx, d.between(0.5, 1)) {
				return
			}
			continue
		}
		m := members[d.intn(len(members))]
		_ = d.s.SetTalking(DemoConference, m.ID, true)
		if !sleep(ctx, d.between(1.5, 6)) {
			return
		}
		_ = d.s.SetTalking(DemoConference, m.ID, false)
		if !sleep(ctx, d.between(0.3, 2.5)) {
			return
		}
	}
}

// callbot runs one callbot dialog after another.
func (d *demo) callbot(ctx context.Context) {
	for ctx.Err() == nil {
		d.callbotCall(ctx)
		if !sleep(ctx, d.between(2, 5)) {
			return
		}
	}
}

func (d *demo) callbotCall(ctx context.Context) {
	caller := Party{"이서연", "01098765432"}
	uuid := d.s.AddChannel(ChannelSpec{Caller: caller, Callee: Party{"Callbot", "callbot"}, Destination: "callbot",
		Variables: map[string]string{"callbot_prompt_text": "안녕하세요, 무엇을 도와드릴까요?"}})
	defer func() { _ = d.s.Hangup(uuid, "NORMAL_CLEARING") }()
	if !sleep(ctx, d.between(0.5, 1.5)) || d.s.Answer(uuid) != nil {
		return
	}
	// The greeting is a recorded prompt: its text travels in the channel
	// variable callbot_prompt_text, the way a bot that plays files tells it.
	if d.s.Execute(uuid, "playback", "/usr/share/freeswitch/sounds/callbot/greeting.wav") != nil {
		return
	}
	turns := 6 + d.intn(5)
	start := d.intn(len(demoDialog))
	var clock int // ms into the call, for the STT start/end offsets
	for i := 0; i < turns; i++ {
		line := demoDialog[(start+i)%len(demoDialog)]
		speak := d.between(1.5, 3.5)
		if line.english {
			// Interim results first, as streaming recognisers send them.
			words := splitWords(line.caller)
			for n := 1; n < len(words); n += 2 {
				if !sleep(ctx, speak/time.Duration(len(words))) {
					return
				}
				body, _ := json.Marshal(map[string]any{"is_final": false, "alternatives": []map[string]any{
					{"transcript": joinWords(words[:n]), "confidence": 0.9}}})
				if d.s.FireSTT(uuid, "google_transcribe::transcription", "google", body) != nil {
					return
				}
			}
		} else if !sleep(ctx, speak) {
			return
		}
		startMS := clock
		clock += int(float64(speak.Milliseconds()) / d.speed)
		body, _ := json.Marshal(struct {
			Text  string `json:"text"`
			Start int    `json:"start"`
			End   int    `json:"end"`
		}{line.caller, startMS, clock})
		if d.s.FireSTT(uuid, "brain_stt::transcription", "mindslab", body) != nil {
			return // hung up from outside
		}
		if !sleep(ctx, d.between(0.6, 1.5)) {
			return
		}
		lang := "ko"
		if line.english {
			lang = "en"
		}
		if d.s.Execute(uuid, "speak", fmt.Sprintf("tts|%s|%s", lang, line.bot)) != nil {
			return
		}
		if !sleep(ctx, d.between(1, 2.5)) {
			return
		}
	}
}

func splitWords(s string) []string {
	var out []string
	word := []rune{}
	for _, r := range s {
		if r == ' ' {
			if len(word) > 0 {
				out = append(out, string(word))
			}
			word = word[:0]
			continue
		}
		word = append(word, r)
	}
	if len(word) > 0 {
		out = append(out, string(word))
	}
	return out
}

func joinWords(w []string) string {
	s := ""
	for i, x := range w {
		if i > 0 {
			s += " "
		}
		s += x
	}
	return s
}
