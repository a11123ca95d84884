package freeswitch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

// midcallReplies are the real replies of testdata/snapshot-midcall.commands.jsonl
// by command (without "api " and the blank line), in order.
func midcallReplies(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("testdata/snapshot-midcall.commands.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec struct{ Sent, Reply string }
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		_, body, ok := strings.Cut(rec.Reply, "\n\n")
		if !ok {
			t.Fatalf("reply to %q has no header end", rec.Sent)
		}
		cmd := strings.TrimPrefix(strings.TrimSpace(rec.Sent), "api ")
		out[cmd] = append(out[cmd], body)
	}
	return out
}

// midcallEvents are the real channel and conference events up to the
// snapshot, in Event-Sequence order (what the ordered stream hands the mapper).
func midcallEvents(t *testing.T) []*eslgo.Event {
	t.Helper()
	data, err := os.ReadFile("testdata/snapshot-midcall.channel-events.raw")
	if err != nil {
		t.Fatal(err)
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*eslgo.Event
	for {
		h, err := r.ReadMIMEHeader()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(h.Get("Content-Length"))
		body := make([]byte, n)
		if _, err := io.ReadFull(r.R, body); err != nil {
			t.Fatal(err)
		}
		out = append(out, plainEvent(t, body))
	}
	slices.SortStableFunc(out, func(a, b *eslgo.Event) int {
		x, _ := eventSeq(a)
		y, _ := eventSeq(b)
		return int(x) - int(y)
	})
	return out
}

// TestSnapshotPairsLegsLikeTheEventPath: a callboard that watched the calls
// being made (the live event path over the real events) and one started
// mid-call (the real `show channels as json` and `uuid_dump ... json`
// replies) show the same calls: same ids, legs, parties, states and
// answered times. The captured box had 20 channels in 8 calls.
func TestSnapshotPairsLegsLikeTheEventPath(t *testing.T) {
	rules := effectiveRules(nil, DefaultSTTSubclasses)
	live := newMapper("fs1", rules, DefaultBotPromptVariable, quietLog)
	for _, ev := range midcallEvents(t) {
		live.apply(ev)
	}
	want := live.m.snapshot()

	replies := midcallReplies(t)
	chans, err := parseChannels(replies["show channels as json"][0])
	if err != nil {
		t.Fatal(err)
	}
	confs, err := parseConferences(replies["conference json_list"][0])
	if err != nil {
		t.Fatal(err)
	}
	dumps := map[string]*eslgo.Event{}
	for _, r := range chans {
		body := replies["uuid_dump "+r.UUID+" json"]
		if len(body) == 0 {
			t.Fatalf("no uuid_dump for %s", r.UUID)
		}
		if dumps[r.UUID], err = parseDump(body[0]); err != nil {
			t.Fatal(err)
		}
	}
	restarted := newMapper("fs1", rules, DefaultBotPromptVariable, quietLog)
	restarted.loadSnapshot(chans, dumps, nil, confs, time.Now())
	got := restarted.m.snapshot()

	if len(chans) != 20 || len(want.Calls) != 8 {
		t.Fatalf("capture: %d channels, live path %d calls; want 20 and 8", len(chans), len(want.Calls))
	}
	wantByID := map[string]adapters.Call{}
	for _, c := range want.Calls {
		wantByID[c.ID] = c
	}
	if len(got.Calls) != len(want.Calls) {
		t.Errorf("snapshot shows %d calls, the event path %d", len(got.Calls), len(want.Calls))
	}
	for _, g := range got.Calls {
		w, ok := wantByID[g.ID]
		if !ok {
			t.Errorf("snapshot call %s (%s %s, %d legs) is not a call of the event path", g.ID, g.CallerName, g.CallerNumber, len(g.Legs))
			continue
		}
		if !slices.Equal(legUUIDs(&g), legUUIDs(&w)) {
			t.Errorf("call %s legs: snapshot %v, event path %v", g.ID, legUUIDs(&g), legUUIDs(&w))
		}
		if g.AnsweredAt.IsZero() || !g.AnsweredAt.Equal(w.AnsweredAt) {
			t.Errorf("call %s answered: snapshot %v, event path %v", g.ID, g.AnsweredAt, w.AnsweredAt)
		}
		if g.State != w.State || g.CallerName != w.CallerName || g.CallerNumber != w.CallerNumber ||
			g.CalleeNumber != w.CalleeNumber || g.Conference != w.Conference {
			t.Errorf("call %s differs:\n snapshot   %+v\n event path %+v", g.ID, g, w)
		}
	}
	// The SIP hold shows (callstate HELD) on both paths; the loopback hold
	// (Hank) is ACTIVE on both: the PBX's callstate never changed.
	states := map[string]string{}
	for _, c := range got.Calls {
		states[c.CallerName] = c.State
	}
	if states["Sip Phone"] != adapters.CallHeld || states["Hank"] != adapters.CallActive {
		t.Errorf("hold states = %v, want Sip Phone held and Hank active", states)
	}
}

// TestParseDumpKeepsPercent: uuid_dump json values are raw, unlike plain
// event headers; a '%' must survive header()'s URL-decoding.
func TestParseDumpKeepsPercent(t *testing.T) {
	ev, err := parseDump(`{"Unique-ID":"33db1b01-a1a8-4ad8-99dc-d4ca6a063a46","Application-Data":"tone_stream://%(1200,1800,440);loops=-1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := header(ev, "Application-Data"); got != "tone_stream://%(1200,1800,440);loops=-1" {
		t.Errorf("Application-Data = %q", got)
	}
	for _, bad := range []string{"-ERR No such channel!\n", `{"Unique-ID":"x;rm"}`, "{"} {
		if _, err := parseDump(bad); err == nil {
			t.Errorf("parseDump(%q) accepted", bad)
		}
	}
}
