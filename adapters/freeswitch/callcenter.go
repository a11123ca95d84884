package freeswitch

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
)

// mod_callcenter's snapshot: after every connect, `callcenter_config queue
// list`, `agent list`, `tier list` and `queue list members <queue>` per
// queue (3 + queues round trips) fill the queue model, so a restart
// mid-queue shows the same waiting callers with their real join epochs.
// A node without mod_callcenter answers -ERR ("Command not found"): it has
// no queues, which is not an error.

// ccNamePattern is what a queue or agent name may hold before it reaches a
// command line: mod_callcenter names such as "support@default", "agent1",
// "1000@default.example.com". No space, quote, '|' or separator.
var ccNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$`)

// ccTable is one pipe-separated `callcenter_config ... list` reply: a header
// line, rows, then "+OK". An empty result is just "+OK" with no header.
type ccTable struct {
	cols map[string]int
	rows [][]string
}

// parseCCTable parses a list reply. wide names the column that may itself
// contain '|' (an agent's contact dial string can: FreeSWITCH's failover
// separator); a row with extra fields gives them back to that column.
func parseCCTable(reply, wide string) (ccTable, error) {
	t := ccTable{cols: map[string]int{}}
	text := strings.TrimRight(reply, "\n")
	if strings.HasPrefix(text, "-ERR") || strings.HasPrefix(text, "-USAGE") {
		return t, fmt.Errorf("callcenter_config: %s", firstLine(text))
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || lines[len(lines)-1] != "+OK" {
		return t, fmt.Errorf("callcenter_config list: reply does not end with +OK: %q", firstLine(text))
	}
	lines = lines[:len(lines)-1]
	if len(lines) == 0 {
		return t, nil // no rows (and no header line)
	}
	header := strings.Split(lines[0], "|")
	for i, c := range header {
		t.cols[c] = i
	}
	wi, hasWide := t.cols[wide]
	for _, l := range lines[1:] {
		f := strings.Split(l, "|")
		if extra := len(f) - len(header); extra > 0 && hasWide {
			merged := strings.Join(f[wi:wi+extra+1], "|")
			f = append(append(f[:wi:wi], merged), f[wi+extra+1:]...)
		}
		if len(f) != len(header) {
			return t, fmt.Errorf("callcenter_config list: row has %d fields, header %d", len(f), len(header))
		}
		t.rows = append(t.rows, f)
	}
	return t, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// get returns a row's column by name ("" when the column is absent: older
// mod_callcenter versions have fewer columns).
func (t ccTable) get(row []string, col string) string {
	if i, ok := t.cols[col]; ok {
		return row[i]
	}
	return ""
}

func (t ccTable) int(row []string, col string) int {
	n, _ := strconv.Atoi(t.get(row, col))
	return n
}

// epoch parses a seconds epoch column; "0" is the zero time.
func (t ccTable) epoch(row []string, col string) time.Time {
	return epochTime(t.get(row, col))
}

func epochTime(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// loadCallcenter lists queues, agents, tiers and each queue's members into
// cc. It is called by loadSnapshot on every connect.
func (n *Node) loadCallcenter(ctx context.Context, l *link, cc *ccModel) error {
	queuesReply, err := l.api(ctx, "callcenter_config queue list")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if strings.HasPrefix(queuesReply, "-ERR") {
		n.log.Debug("no mod_callcenter on this node: no queues", "reply", firstLine(queuesReply))
		return nil
	}
	queues, err := parseCCTable(queuesReply, "")
	if err != nil {
		return fmt.Errorf("snapshot: queue list: %w", err)
	}
	agentsReply, err := l.api(ctx, "callcenter_config agent list")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	agents, err := parseCCTable(agentsReply, "contact")
	if err != nil {
		return fmt.Errorf("snapshot: agent list: %w", err)
	}
	tiersReply, err := l.api(ctx, "callcenter_config tier list")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	tiers, err := parseCCTable(tiersReply, "")
	if err != nil {
		return fmt.Errorf("snapshot: tier list: %w", err)
	}
	members := map[string]ccTable{}
	for _, row := range queues.rows {
		q := queues.get(row, "name")
		if !ccNamePattern.MatchString(q) {
			n.log.Warn("queue name not safe on a command line; its callers are not listed", "queue", q)
			continue
		}
		reply, err := l.api(ctx, "callcenter_config queue list members "+q)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		t, err := parseCCTable(reply, "cid_name")
		if err != nil {
			return fmt.Errorf("snapshot: members of %s: %w", q, err)
		}
		members[q] = t
	}
	cc.load(queues, agents, tiers, members)
	return nil
}

// agentStatusCommand is `callcenter_config agent set status <agent>
// <status>`. The API splits its arguments on spaces, so a status with a
// space goes in single quotes: the capture shows `On Break` refused
// ("-ERR Invalid Agent Status!") and `'On Break'` accepted, and `Available`
// accepted bare. The status is one of adapters.AgentStatuses (no quote in
// any) and the agent name matches ccNamePattern, so nothing else can reach
// the command line.
func agentStatusCommand(a adapters.SetAgentStatus) ([]string, error) {
	if !ccNamePattern.MatchString(a.Agent) {
		return nil, invalid("agent", a.Agent, "is not a valid agent name (letters, digits, '_', '.', '@', '+', '-')")
	}
	if !adapters.ValidAgentStatus(a.Status) {
		return nil, invalid("status", a.Status, "is not an agent status (Available, Available (On Demand), On Break, Logged Out)")
	}
	status := a.Status
	if strings.ContainsRune(status, ' ') {
		status = "'" + status + "'"
	}
	return []string{"callcenter_config agent set status " + a.Agent + " " + status}, nil
}
