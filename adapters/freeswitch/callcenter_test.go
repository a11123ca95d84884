package freeswitch

import (
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
)

// Real mod_callcenter traffic (testdata/callcenter.*, scenario f of the
// call-control captures): support@default with agent1..3, nobody@default.
const (
	caller1Member = "7d594eff-d56e-4685-a65c-acbf96ac0fb3"
	caller3Member = "526de1d8-58a4-4bdd-9e16-9fcac55ad9e0"
	caller4Member = "e94d22ec-3a9c-4946-b1e8-bd9d35450656"
	caller3Leg    = "78d35aaf-ead3-48b7-a741-74ded9f9c3f7"
	agent1Leg     = "c6166b7b-80d4-4d36-9e9d-4d9bead27cbb"
)

// ccSnapshotAt parses the n-th (0-based) snapshot of the capture; members
// of support@default only (the capture lists no other queue's members then).
func ccSnapshotAt(t *testing.T, n int) *ccModel {
	t.Helper()
	const file = "callcenter.commands.jsonl"
	tables := map[string]ccTable{}
	for cmd, wide := range map[string]string{"callcenter_config queue list": "", "callcenter_config agent list": "contact",
		"callcenter_config tier list": "", "callcenter_config queue list members support@default": "cid_name"} {
		skip := n
		if cmd == "callcenter_config agent list" && n >= 3 {
			skip++ // L43: one extra agent list between snapshots 2 and 3
		}
		tab, err := parseCCTable(traceReply(t, file, cmd, skip), wide)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		tables[cmd] = tab
	}
	m := newCCModel("fs1")
	m.load(tables["callcenter_config queue list"], tables["callcenter_config agent list"], tables["callcenter_config tier list"],
		map[string]ccTable{"support@default": tables["callcenter_config queue list members support@default"]})
	return m
}

func snapOf(m *ccModel) adapters.Snapshot {
	var s adapters.Snapshot
	m.fill(&s)
	return s
}

func TestCCTableShapes(t *testing.T) {
	if tab, err := parseCCTable("+OK\n", ""); err != nil || len(tab.rows) != 0 {
		t.Errorf("empty list: %+v %v", tab, err)
	}
	if _, err := parseCCTable("-ERR callcenter_config Command not found!\n", ""); err == nil {
		t.Error("-ERR accepted as a table")
	}
	if _, err := parseCCTable("a|b\n1|2\n", ""); err == nil {
		t.Error("a reply without +OK accepted")
	}
	tab, err := parseCCTable("name|contact|status\nagent9|{x=1}sofia/a|sofia/b|Available\n+OK\n", "contact")
	if err != nil || len(tab.rows) != 1 || tab.get(tab.rows[0], "contact") != "{x=1}sofia/a|sofia/b" || tab.get(tab.rows[0], "status") != "Available" {
		t.Errorf("a contact with '|': %+v %v", tab, err)
	}
}

func TestCCSnapshotFromRealListings(t *testing.T) {
	s := snapOf(ccSnapshotAt(t, 2)) // L32-37: two callers answered, two waiting, agent3 On Break
	if len(s.Queues) != 2 || s.Queues[1].Name != "support@default" || s.Queues[1].CallsAnswered != 2 || s.Queues[1].Strategy != "longest-idle-agent" {
		t.Fatalf("queues = %+v", s.Queues)
	}
	if len(s.Agents) != 3 || len(s.Tiers) != 3 || len(s.QueueMembers) != 4 {
		t.Fatalf("agents %d, tiers %d, members %d", len(s.Agents), len(s.Tiers), len(s.QueueMembers))
	}
	a1, a3 := s.Agents[0], s.Agents[2]
	if a1.State != adapters.AgentInQueueCall || a1.CallID != agent1Leg || a1.Member != caller1Member || a1.Queue != "support@default" ||
		!a1.StateSince.Equal(time.Unix(1796055178, 0)) {
		t.Errorf("agent1 = %+v", a1)
	}
	if a3.Status != adapters.AgentOnBreak || a3.NoAnswerCount != 2 || !a3.StatusSince.Equal(time.Unix(1796055196, 0)) {
		t.Errorf("agent3 = %+v", a3)
	}
	if s.Tiers[2].State != "No Answer" || s.Tiers[0].State != "Active Inbound" || s.Tiers[0].Position != 1 {
		t.Errorf("tiers = %+v", s.Tiers)
	}
	c1, c3, c4 := s.QueueMembers[0], s.QueueMembers[2], s.QueueMembers[3]
	if c1.State != adapters.QueueMemberAnswered || c1.Agent != "agent1" || c1.AgentCall != agent1Leg || c1.Position != 0 ||
		!c1.AnsweredAt.Equal(time.Unix(1796055178, 0)) {
		t.Errorf("caller 1 = %+v", c1)
	}
	if c3.ID != caller3Member || c3.CallID != caller3Leg || c3.CallerName != "Caller 3" || c3.CallerNumber != "7103" ||
		c3.State != adapters.QueueMemberWaiting || c3.Position != 1 || !c3.JoinedAt.Equal(time.Unix(1796055181, 0)) {
		t.Errorf("caller 3 = %+v", c3)
	}
	if c4.Position != 2 || !c4.JoinedAt.Equal(time.Unix(1796055183, 0)) {
		t.Errorf("caller 4 = %+v", c4)
	}
	// Snapshot 3 (L46-): Caller 4 abandoned; mod_callcenter keeps the row
	// (session uuid emptied) but the caller is gone from the board.
	for _, mem := range snapOf(ccSnapshotAt(t, 3)).QueueMembers {
		if mem.ID == caller4Member {
			t.Errorf("abandoned caller still on the board: %+v", mem)
		}
	}
}

// TestCCTraceEvents replays every captured callcenter::info event over the
// snapshot taken before the callers came, and checks that the live path
// reaches the very state of the later snapshot, then the outcomes.
func TestCCTraceEvents(t *testing.T) {
	m := ccSnapshotAt(t, 1) // L16: agents Available, no callers
	evs := traceEvents(t, "callcenter.events-cc-only.raw")
	if len(evs) != 78 {
		t.Fatalf("%d events, want 78", len(evs))
	}
	now := time.Unix(1796055177, 0)
	var out []adapters.Event
	i := 0
	for ; i < len(evs); i++ {
		if seq, _ := eventSeq(evs[i]); seq > 7064 { // the last event before snapshot 2 (L32)
			break
		}
		out = append(out, m.applyCC(evs[i], now)...)
	}
	live, listed := snapOf(m), snapOf(ccSnapshotAt(t, 2))
	for i, want := range listed.QueueMembers {
		if i >= len(live.QueueMembers) {
			t.Fatalf("live path has %d members, the listing %d", len(live.QueueMembers), len(listed.QueueMembers))
		}
		got := live.QueueMembers[i]
		if got.ID != want.ID || got.State != want.State || got.Agent != want.Agent || got.Position != want.Position ||
			!got.JoinedAt.Equal(want.JoinedAt) || got.CallID != want.CallID || got.AgentCall != want.AgentCall || !got.AnsweredAt.Equal(want.AnsweredAt) {
			t.Errorf("member %d: live %+v\n listed %+v", i, got, want)
		}
	}
	for i, want := range listed.Agents {
		got := live.Agents[i]
		if got.Status != want.Status || got.State != want.State || got.CallID != want.CallID || got.Member != want.Member || got.NoAnswerCount != want.NoAnswerCount {
			t.Errorf("agent %s: live %+v\n listed %+v", want.Name, got, want)
		}
	}
	for i, want := range listed.Tiers {
		if live.Tiers[i].State != want.State {
			t.Errorf("tier %s: live %q, listed %q", want.Agent, live.Tiers[i].State, want.State)
		}
	}
	for ; i < len(evs); i++ {
		out = append(out, m.applyCC(evs[i], now)...)
	}
	var left []adapters.QueueMemberLeft
	for _, e := range out {
		if l, ok := e.(adapters.QueueMemberLeft); ok {
			left = append(left, l)
		}
	}
	want := []string{
		"Caller 4 abandoned BREAK_OUT  14s",
		"Caller 1 answered Terminated agent1 1s",
		"Caller 2 answered Terminated agent2 1s",
		"Caller 5 timeout NO_AGENT_TIMEOUT  10s",
		"Caller 6 answered Terminated agent2 9s",
		"Caller 3 answered Terminated agent1 30s",
	}
	if len(left) != len(want) {
		t.Fatalf("left = %+v", left)
	}
	for i, l := range left {
		if got := strings.Join([]string{l.CallerName, l.Outcome, l.Cause, l.AnsweredBy, l.Wait.String()}, " "); got != want[i] {
			t.Errorf("left %d = %q, want %q", i, got, want[i])
		}
	}
	end := snapOf(m)
	if len(end.QueueMembers) != 0 {
		t.Errorf("members left after hupall: %+v", end.QueueMembers)
	}
	// The last listing (L113) says support@default: 4 answered, 1 abandoned;
	// nobody@default: 1 abandoned.
	if q := end.Queues[1]; q.CallsAnswered != 4 || q.CallsAbandoned != 1 {
		t.Errorf("support@default = %+v", q)
	}
	if q := end.Queues[0]; q.CallsAbandoned != 1 {
		t.Errorf("nobody@default = %+v", q)
	}
	for _, a := range end.Agents {
		if a.Status != adapters.AgentLoggedOut || a.State != adapters.AgentWaiting || a.CallID != "" || a.Member != "" {
			t.Errorf("agent at the end = %+v", a)
		}
	}
}

func TestAgentStatusCommand(t *testing.T) {
	n, err := New(Config{ID: "fs1", Address: "127.0.0.1:1", Password: "pw", Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string]string{
		adapters.AgentAvailable:         "callcenter_config agent set status agent1 Available",
		adapters.AgentOnBreak:           "callcenter_config agent set status agent1 'On Break'",
		adapters.AgentLoggedOut:         "callcenter_config agent set status agent1 'Logged Out'",
		adapters.AgentAvailableOnDemand: "callcenter_config agent set status agent1 'Available (On Demand)'",
	} {
		lines, err := n.commandLines(adapters.SetAgentStatus{Agent: "agent1", Status: status}, nil)
		if err != nil || len(lines) != 1 || lines[0] != want {
			t.Errorf("%s: %q %v, want %q", status, lines, err, want)
		}
	}
	for _, a := range []adapters.SetAgentStatus{
		{Agent: "agent1", Status: "Bogus"}, {Agent: "agent1", Status: "on break"}, {Agent: "agent1", Status: "On Break' x"},
		{Agent: "agent 1", Status: "Available"}, {Agent: "agent1'", Status: "Available"}, {Agent: "", Status: "Available"},
		{Agent: "a|b", Status: "Available"}, {Agent: "a\nhupall", Status: "Available"}, {Agent: "agеnt1", Status: "Available"},
	} {
		if err := n.Validate(a); err == nil || !strings.Contains(err.Error(), "invalid") {
			t.Errorf("Validate(%+v) = %v, want ErrInvalid", a, err)
		}
	}
	if err := replyError("x", "-ERR Agent not found!\n"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("agent not found: %v", err)
	}
}
