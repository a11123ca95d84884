package freeswitch

import (
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

func TestSnapshotFromRealListings(t *testing.T) {
	chans, err := parseChannels(traceReply(t, "commands.jsonl", "show channels as json", 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) != 14 {
		t.Fatalf("channel rows = %d, want 14", len(chans))
	}
	confs, err := parseConferences(traceReply(t, "commands.jsonl", "conference json_list", 1))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 52, 0, time.UTC)
	m := newModel("fs1")
	m.loadSnapshot(chans, confs, now)
	s := m.snapshot()

	if len(s.Conferences) != 1 {
		t.Fatalf("conferences = %+v", s.Conferences)
	}
	c := s.Conferences[0]
	if c.Name != "room1001" || c.MemberCount != 4 || c.Locked || !c.CreatedAt.Equal(now.Add(-11*time.Second)) {
		t.Errorf("conference = %+v", c)
	}
	byID := map[string]adapters.Member{}
	for _, mem := range s.Members {
		byID[mem.ID] = mem
	}
	want := map[string]string{"1": "Alice/5723", "2": "Bob/5724", "3": "Carol/5725", "4": "Dan/5727"}
	for id, w := range want {
		if got := byID[id].CallerName + "/" + byID[id].CallerNumber; got != w {
			t.Errorf("member %s = %s, want %s", id, got, w)
		}
		if byID[id].Muted || byID[id].Deaf {
			t.Errorf("member %s muted/deaf: %+v", id, byID[id])
		}
	}
	if !byID["1"].Floor || byID["2"].Floor {
		t.Errorf("floor: Alice %v Bob %v", byID["1"].Floor, byID["2"].Floor)
	}
	// Dan's member is his A leg: in a call of its own, with the real caller.
	if byID["4"].CallID != danA {
		t.Errorf("Dan's member call = %s", byID["4"].CallID)
	}
	// Frank's bridged leg names Erin's A leg as its call: one call.
	erin := findCall(s.Calls, erinA)
	if erin == nil || !slices.Contains(legUUIDs(erin), "afe090a4-8aab-41e9-b6bf-3ebe4c6baf4e") {
		t.Fatalf("Erin's call = %+v", erin)
	}
	if erin.CallerName != "Erin" || erin.CallerNumber != "5900" || erin.State != adapters.CallActive {
		t.Errorf("Erin's call = %+v", *erin)
	}
	if n := len(s.Calls); n != 13 {
		t.Errorf("calls = %d, want 13 (14 channels, one bridged pair)", n)
	}
	dan := findCall(s.Calls, danA)
	if dan == nil || dan.Conference != "room1001" || dan.CallerName != "Dan" || dan.CalleeNumber != "silent" {
		t.Errorf("Dan's call = %+v", dan)
	}
}

func TestSnapshotMutedAndTalkingMembers(t *testing.T) {
	// After the hold-music phase (L49) Alice is talking with energy changes.
	confs, err := parseConferences(traceReply(t, "commands.jsonl", "conference room1001 json_list", 2))
	if err != nil {
		t.Fatal(err)
	}
	m := newModel("fs1")
	m.loadSnapshot(nil, confs, time.Now())
	s := m.snapshot()
	if len(s.Members) != 2 {
		t.Fatalf("members = %+v", s.Members)
	}
	if !s.Members[0].Talking || s.Members[0].ID != "1" || s.Members[1].Talking {
		t.Errorf("talking: %+v", s.Members)
	}
	// A member whose can_speak/can_hear are false is muted/deaf.
	rows := []confRow{{Name: "r1", MemberCount: 1, Members: []confMemberRow{{ID: 7, UUID: aliceB}}}}
	m = newModel("fs1")
	m.loadSnapshot(nil, rows, time.Now())
	if got := m.snapshot().Members[0]; !got.Muted || !got.Deaf {
		t.Errorf("member with no flags = %+v, want muted and deaf", got)
	}
}

func TestSnapshotEmptyReplies(t *testing.T) {
	chans, err := parseChannels(traceReply(t, "commands.jsonl", "show channels as json", 0))
	if err != nil || len(chans) != 0 {
		t.Fatalf("empty channels: %v %v", chans, err)
	}
	confs, err := parseConferences(traceReply(t, "commands.jsonl", "conference json_list", 0))
	if err != nil || len(confs) != 0 {
		t.Fatalf("empty conferences: %v %v", confs, err)
	}
	for _, body := range []string{"[]", "", "+OK No active conferences.\n"} {
		if rows, err := parseConferences(body); err != nil || len(rows) != 0 {
			t.Errorf("parseConferences(%q) = %v, %v", body, rows, err)
		}
	}
	for _, body := range []string{"-ERR Conference x not found\n", "[{broken"} {
		if _, err := parseConferences(body); err == nil {
			t.Errorf("parseConferences(%q) accepted", body)
		}
	}
	if _, err := parseChannels("-ERR no\n"); err == nil {
		t.Error("parseChannels accepted an error reply")
	}
}
