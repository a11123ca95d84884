package freeswitch

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
)

// channelsReply is `show channels as json`. With no rows FreeSWITCH sends
// `{"row_count": 0}` and no "rows" key.
type channelsReply struct {
	RowCount int          `json:"row_count"`
	Rows     []channelRow `json:"rows"`
}

type channelRow struct {
	UUID           string `json:"uuid"`
	Direction      string `json:"direction"`
	CreatedEpoch   string `json:"created_epoch"`
	Name           string `json:"name"`
	CIDName        string `json:"cid_name"`
	CIDNum         string `json:"cid_num"`
	Dest           string `json:"dest"`
	CallState      string `json:"callstate"`
	CalleeName     string `json:"callee_name"`
	CallUUID       string `json:"call_uuid"`
	InitialCIDName string `json:"initial_cid_name"`
	InitialCIDNum  string `json:"initial_cid_num"`
	InitialDest    string `json:"initial_dest"`
}

// confRow is one conference of `conference json_list`.
type confRow struct {
	Name        string          `json:"conference_name"`
	MemberCount int             `json:"member_count"`
	RunTime     int64           `json:"run_time"` // seconds since the conference started
	Locked      bool            `json:"locked"`
	Members     []confMemberRow `json:"members"`
}

type confMemberRow struct {
	Type  string `json:"type"`
	ID    int    `json:"id"`
	Flags struct {
		CanHear  bool `json:"can_hear"`
		CanSpeak bool `json:"can_speak"`
		Talking  bool `json:"talking"`
		HasFloor bool `json:"has_floor"`
	} `json:"flags"`
	UUID     string `json:"uuid"`
	Name     string `json:"caller_id_name"`
	Number   string `json:"caller_id_number"`
	JoinTime int64  `json:"join_time"` // seconds since the member joined
}

// parseChannels parses the `show channels as json` reply body.
func parseChannels(body string) ([]channelRow, error) {
	var r channelsReply
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, fmt.Errorf("parse show channels reply: %w", err)
	}
	return r.Rows, nil
}

// parseConferences parses the `conference json_list` reply body. With no
// conference FreeSWITCH sends `[]`; older builds answer with a -ERR/+OK text
// such as "No active conferences." instead of JSON.
func parseConferences(body string) ([]confRow, error) {
	t := strings.TrimSpace(body)
	if t == "" || !strings.HasPrefix(t, "[") {
		if strings.Contains(strings.ToLower(t), "no active conferences") || t == "" {
			return nil, nil
		}
		return nil, fmt.Errorf("parse conference json_list reply: not a JSON list: %.60q", t)
	}
	var rows []confRow
	if err := json.Unmarshal([]byte(t), &rows); err != nil {
		return nil, fmt.Errorf("parse conference json_list reply: %w", err)
	}
	return rows, nil
}

// loadSnapshot fills an empty model from the two listings taken at now,
// without uuid_dump data: `show channels` does not link the halves of a
// loopback pair (their call_uuid is empty), nor give an answer time.
func (m *model) loadSnapshot(chans []channelRow, confs []confRow, now time.Time) {
	for _, r := range chans {
		m.rowLeg(r)
	}
	m.loadConferences(confs, now)
}

// rowLeg adds the leg of one `show channels` row, linked through call_uuid
// (the bridged B leg names its A leg there).
func (m *model) rowLeg(r channelRow) {
	if !uuidPattern.MatchString(r.UUID) || m.legs[r.UUID] != nil {
		return
	}
	l := &leg{joined: len(m.legs)}
	l.UUID, l.Name, l.Direction = r.UUID, r.Name, r.Direction
	l.State = legState(r.CallState, "")
	if secs, err := strconv.ParseInt(r.CreatedEpoch, 10, 64); err == nil && secs > 0 {
		l.CreatedAt = time.Unix(secs, 0).UTC()
	}
	// Same caller-id flip as in events: an originated (outbound) leg
	// shows the callee's id; its initial caller id is the real one.
	l.callerName, l.callerNumber = r.CIDName, r.CIDNum
	l.calleeNumber = r.Dest
	if r.Direction == "outbound" && (r.InitialCIDName != "" || r.InitialCIDNum != "") {
		l.callerName, l.callerNumber = r.InitialCIDName, r.InitialCIDNum
		if r.InitialDest != "" {
			l.calleeNumber = r.InitialDest
		}
	}
	m.legs[l.UUID] = l
	var refs []string
	if uuidPattern.MatchString(r.CallUUID) && r.CallUUID != r.UUID {
		refs = append(refs, r.CallUUID)
	}
	m.attachLeg(l, refs)
	m.link(l, refs)
}

// loadConferences adds the rooms and members of `conference json_list`;
// legs must be loaded first so members find their calls.
func (m *model) loadConferences(confs []confRow, now time.Time) {
	for _, c := range confs {
		if c.Name == "" {
			continue
		}
		m.confs[c.Name] = &conference{Conference: adapters.Conference{
			Node: m.node, Name: c.Name, MemberCount: c.MemberCount, Locked: c.Locked,
			CreatedAt: now.Add(-time.Duration(c.RunTime) * time.Second).UTC(),
		}}
		for _, mr := range c.Members {
			if mr.ID <= 0 || mr.UUID == "" {
				continue // recording nodes and other non-caller members
			}
			mem := &adapters.Member{
				Node: m.node, Conference: c.Name, ID: strconv.Itoa(mr.ID), CallID: m.callOf(mr.UUID),
				CallerName: mr.Name, CallerNumber: mr.Number,
				Muted: !mr.Flags.CanSpeak, Deaf: !mr.Flags.CanHear, Talking: mr.Flags.Talking, Floor: mr.Flags.HasFloor,
				JoinedAt: now.Add(-time.Duration(mr.JoinTime) * time.Second).UTC(),
			}
			if l := m.legs[mr.UUID]; l != nil {
				l.conference = c.Name
				if l.Direction == "outbound" {
					mem.CallerName, mem.CallerNumber = l.callerName, l.callerNumber
				}
			}
			m.members[memberKey{c.Name, mem.ID}] = mem
		}
	}
}
