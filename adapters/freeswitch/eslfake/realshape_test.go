package eslfake

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// headerNames returns the header names in order, without variable_* (their
// set depends on the dialplan) and without the Other-Leg block.
func headerNames(hs []header) []string {
	var out []string
	for _, h := range hs {
		if strings.HasPrefix(h.name, "variable_") {
			continue
		}
		out = append(out, h.name)
	}
	return out
}

// TestHeadersJudgedAgainstRealServer compares the header names and order of
// generated events with the same kind of event captured from FreeSWITCH 1.10.12.
func TestHeadersJudgedAgainstRealServer(t *testing.T) {
	real := map[string][]string{}
	for _, hs := range realEvents(t, "events-plain.raw") {
		kind := firstValue(hs, "Event-Name")
		if kind == "CUSTOM" {
			kind = firstValue(hs, "Action")
		}
		// Member B legs of room1001: inbound loopback channels without an Other-Leg block.
		if _, seen := real[kind]; seen || firstValue(hs, "Channel-Name") != "loopback/room1001-b" {
			continue
		}
		if kind == "del-member" && firstValue(hs, "Hangup-Cause") == "" {
			continue // want the hung-up variant, generated below
		}
		real[kind] = headerNames(hs)
	}

	s := newServer(t)
	c := login(t, s, "event plain ALL")
	u := s.AddChannel(ChannelSpec{Name: "loopback/room1001-b", Caller: Party{"Alice", "5723"}, Destination: "room1001"})
	s.Answer(u)
	id, err := s.Join("room1001", u)
	if err != nil {
		t.Fatal(err)
	}
	s.SetTalking("room1001", id, true)
	s.SetTalking("room1001", id, false)
	s.Hangup(u, "NORMAL_CLEARING")

	kinds := []string{"CHANNEL_CREATE", "CHANNEL_ANSWER", "add-member", "start-talking", "stop-talking",
		"del-member", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY", "CHANNEL_CALLSTATE"}
	got := map[string][]string{}
	for {
		hs, _ := c.nextEvent(func([]header) bool { return true })
		kind := firstValue(hs, "Event-Name")
		if kind == "CUSTOM" {
			kind = firstValue(hs, "Action")
		}
		if _, seen := got[kind]; !seen {
			got[kind] = headerNames(hs)
		}
		if kind == "CHANNEL_DESTROY" {
			break
		}
	}
	for _, k := range kinds {
		if real[k] == nil {
			t.Errorf("%s: no real event in trace", k)
			continue
		}
		if !reflect.DeepEqual(got[k], real[k]) {
			t.Errorf("%s headers differ from the real server\n got: %v\nwant: %v", k, got[k], real[k])
		}
	}
}

// jsonKeys flattens the key paths of a JSON document (array items merged).
func jsonKeys(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			out[prefix+"."+k] = true
			jsonKeys(val, prefix+"."+k, out)
		}
	case []any:
		for _, val := range x {
			jsonKeys(val, prefix+"[]", out)
		}
	}
}

func keysOf(t *testing.T, body string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("invalid json %q: %v", body, err)
	}
	m := map[string]bool{}
	jsonKeys(v, "", m)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestJSONShapesMatchRealServer(t *testing.T) {
	real := realCommands(t)
	s := newServer(t)
	c := login(t, s, "")
	a := s.AddChannel(ChannelSpec{Caller: Party{"Erin", "5900"}})
	b := s.AddChannel(ChannelSpec{Caller: Party{"Frank", "5901"}, Direction: "outbound", OtherLeg: a})
	s.Answer(a)
	s.Answer(b)
	s.Bridge(a, b)
	m := s.AddChannel(ChannelSpec{Caller: Party{"김민지", "5723"}})
	s.Join("room1001", m)
	s.SetTalking("room1001", 1, true)
	for _, cmd := range []string{"show calls as json", "show channels as json", "conference json_list", "conference room1001 json_list"} {
		var want string // the fullest real reply (with rows/members)
		for _, r := range real["api "+cmd] {
			if body := strings.SplitN(r, "\n\n", 2)[1]; len(body) > len(want) {
				want = body
			}
		}
		got := c.api(cmd)
		if !reflect.DeepEqual(keysOf(t, got), keysOf(t, want)) {
			t.Errorf("%s keys differ\n got %v\nwant %v", cmd, keysOf(t, got), keysOf(t, want))
		}
	}
	var calls struct {
		RowCount int                 `json:"row_count"`
		Rows     []map[string]string `json:"rows"`
	}
	json.Unmarshal([]byte(c.api("show calls as json")), &calls)
	if calls.RowCount != 2 || len(calls.Rows) != 2 || calls.Rows[0]["b_uuid"] != b || calls.Rows[1]["cid_name"] != "김민지" {
		t.Fatalf("show calls rows: %+v", calls)
	}
	var confs []struct {
		Members []struct {
			ID    int             `json:"id"`
			Flags map[string]bool `json:"flags"`
		} `json:"members"`
	}
	json.Unmarshal([]byte(c.api("conference json_list")), &confs)
	if len(confs) != 1 || len(confs[0].Members) != 1 || !confs[0].Members[0].Flags["talking"] || !confs[0].Members[0].Flags["has_floor"] {
		t.Fatalf("json_list: %+v", confs)
	}
}

func TestSendeventDelivery(t *testing.T) {
	s := newServer(t)
	sub := login(t, s, "event plain CUSTOM brain_stt::transcription")
	ctl := login(t, s, "")
	member := s.AddChannel(ChannelSpec{Caller: Party{"Alice", "5723"}})
	s.Join("room1001", member)
	parked := s.AddChannel(ChannelSpec{Caller: Party{"Dave", "5800"}})
	s.Answer(parked)
	s.Execute(parked, "park", "")
	playing := s.AddChannel(ChannelSpec{Caller: Party{"Dave B", "5800"}})
	s.Answer(playing)
	s.mu.Lock()
	s.channels[playing].app = "playback" // a looping playback still running
	s.mu.Unlock()

	body := `{"text":"안녕하세요","start":41120,"end":52480}`
	send := func(uuid string) string {
		cmd := "sendevent CUSTOM\nEvent-Subclass: brain_stt::transcription\n"
		if uuid != "" {
			cmd += "Unique-ID: " + uuid + "\n"
		}
		cmd += "transcription-vendor: mindslab\nContent-Length: 52\n\n" + body
		ctl.nc.Write([]byte(cmd))
		f := ctl.read()
		id := strings.TrimPrefix(f.outer["Reply-Text"], "+OK ")
		if len(id) != 36 {
			t.Fatalf("sendevent reply %q", f.raw)
		}
		return id
	}
	send(member)
	send(playing)
	parkedID := send(parked)
	coreID := send("")

	hs, got := sub.nextEvent(func([]header) bool { return true })
	if firstValue(hs, "Event-UUID") != parkedID || firstValue(hs, "Event-Name") != "" || firstValue(hs, "Event-Sequence") != "" ||
		firstValue(hs, "Command") != "sendevent%20CUSTOM" || firstValue(hs, "Channel-Name") == "" || string(got) != body {
		t.Fatalf("parked delivery: %v %q", hs, got)
	}
	hs, _ = sub.nextEvent(func([]header) bool { return true })
	if firstValue(hs, "Event-UUID") != coreID || firstValue(hs, "Event-Name") != "CUSTOM" || firstValue(hs, "Event-Calling-Function") != "parse_command" {
		t.Fatalf("core delivery (member and playback events must be dropped): %v", hs)
	}
	if names := headerNames(hs); names[0] != "Event-Subclass" || names[1] != "Command" || names[4] != "Event-UUID" || names[5] != "Event-Name" {
		t.Fatalf("core sendevent order: %v", names)
	}
}

func TestLockedJoinAndKick(t *testing.T) {
	s := newServer(t)
	c := login(t, s, "event plain ALL")
	a := s.AddChannel(ChannelSpec{Caller: Party{"A", "1"}})
	s.Join("r", a)
	if got := s.API("conference r lock"); got != "+OK r locked\n" {
		t.Fatal(got)
	}
	g := s.AddChannel(ChannelSpec{Caller: Party{"Greg", "5726"}})
	if _, err := s.Join("r", g); err == nil || !strings.Contains(err.Error(), ErrLocked.Error()) {
		t.Fatalf("join locked: %v", err)
	}
	hs, _ := c.nextEvent(named("PLAYBACK_START"))
	if firstValue(hs, "Unique-ID") != g {
		t.Fatal("conf-locked prompt not on Greg")
	}
	hs, _ = c.nextEvent(func(hs []header) bool {
		return firstValue(hs, "Event-Subclass") != "" || firstValue(hs, "Event-Name") == "CHANNEL_HANGUP_COMPLETE"
	})
	if firstValue(hs, "Event-Name") != "CHANNEL_HANGUP_COMPLETE" || firstValue(hs, "Unique-ID") != g {
		t.Fatalf("locked join produced a conference event or no hangup: %v", hs[:3])
	}
	s.API("conference r unlock")
	s.API("conference r kick 1")
	for _, want := range []string{"unlock", "kick-member", "del-member", "conference-destroy"} {
		hs, _ := c.nextEvent(func(hs []header) bool { return firstValue(hs, "Action") != "" })
		if firstValue(hs, "Action") != want {
			t.Fatalf("got %s, want %s", firstValue(hs, "Action"), want)
		}
		if want == "del-member" && firstValue(hs, "Hangup-Cause") != "" {
			t.Fatal("kick del-member must not carry Hangup-Cause")
		}
	}
	if s.Members("r") != nil {
		t.Fatal("conference should be gone")
	}
}

func TestRunDemoFast(t *testing.T) {
	s := newServer(t)
	c := login(t, s, "event plain ALL")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- RunDemoScaled(ctx, s, rand.New(rand.NewPCG(1, 2)), 0.02) }()
	seen := map[string]bool{}
	want := []string{"CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP_COMPLETE", "add-member", "start-talking",
		"stop-talking", "brain_stt%3A%3Atranscription", "google_transcribe%3A%3Atranscription", "PLAYBACK_START"}
	for ctx.Err() == nil && len(seen) < len(want) {
		hs, _ := c.nextEvent(func([]header) bool { return true })
		for _, k := range []string{firstValue(hs, "Event-Name"), firstValue(hs, "Action"), firstValue(hs, "Event-Subclass")} {
			for _, w := range want {
				if k == w {
					seen[w] = true
				}
			}
		}
	}
	if n := len(s.Members(DemoConference)); n < 4 || n > 6 {
		t.Errorf("demo conference has %d members", n)
	}
	cancel()
	if err := <-done; err != context.Canceled && err != context.DeadlineExceeded {
		t.Fatalf("RunDemo returned %v", err)
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("demo produced no %s", w)
		}
	}
}
