package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/internal/web"
	"github.com/callboard/callboard/server/session"
)

func TestActions(t *testing.T) {
	const m = "/api/v1/nodes/fs1/conferences/room/members"
	tests := []struct {
		name       string
		path, body string
		actions    []adapters.ActionKind // nil: all
		stubErr    error
		wantStatus int
		wantCode   string
		wantErr    string          // substring of the error message
		wantDo     adapters.Action // nil: the node must not have been asked
	}{
		{name: "mute", path: m + "/2/mute", wantStatus: 200, wantDo: adapters.MuteMember{Conference: "room", Member: "2", Muted: true}},
		{name: "unmute", path: m + "/2/unmute", wantStatus: 200, wantDo: adapters.MuteMember{Conference: "room", Member: "2"}},
		{name: "deaf", path: m + "/1/deaf", wantStatus: 200, wantDo: adapters.DeafMember{Conference: "room", Member: "1", Deaf: true}},
		{name: "kick", path: m + "/1/kick", wantStatus: 200, wantDo: adapters.KickMember{Conference: "room", Member: "1"}},
		{name: "play to member", path: m + "/1/play", body: `{"media":"welcome"}`, wantStatus: 200,
			wantDo: adapters.PlayToMember{Conference: "room", Member: "1", Media: "welcome"}},
		{name: "play to conference", path: "/api/v1/nodes/fs1/conferences/room/play", body: `{"media":"welcome"}`, wantStatus: 200,
			wantDo: adapters.PlayToConference{Conference: "room", Media: "welcome"}},
		{name: "lock", path: "/api/v1/nodes/fs1/conferences/room/lock", wantStatus: 200, wantDo: adapters.LockConference{Conference: "room", Locked: true}},
		{name: "moh start", path: "/api/v1/nodes/fs1/conferences/room/moh-start", wantStatus: 200, wantDo: adapters.MusicOnHold{Conference: "room", On: true}},
		{name: "moh stop", path: "/api/v1/nodes/fs1/conferences/room/moh-stop", wantStatus: 200, wantDo: adapters.MusicOnHold{Conference: "room"}},
		{name: "hangup", path: "/api/v1/nodes/fs1/calls/c1/hangup", wantStatus: 200, wantDo: adapters.HangupCall{Call: "c1"}},
		{name: "escaped conference name", path: "/api/v1/nodes/fs1/conferences/3000%40default/members/7/mute", wantStatus: 200,
			wantDo: adapters.MuteMember{Conference: "3000@default", Member: "7", Muted: true}},

		{name: "malformed member id", path: m + "/2%3Bdrop/mute", wantStatus: 400, wantCode: "invalid", wantErr: "malformed"},
		{name: "malformed conference id", path: "/api/v1/nodes/fs1/conferences/ro%20om/lock", wantStatus: 400, wantCode: "invalid"},
		{name: "malformed call id", path: "/api/v1/nodes/fs1/calls/c1%27/hangup", wantStatus: 400, wantCode: "invalid"},
		{name: "unknown media", path: m + "/1/play", body: `{"media":"../../etc/passwd"}`, wantStatus: 400, wantCode: "invalid"},
		{name: "play without body", path: m + "/1/play", wantStatus: 400, wantCode: "invalid"},
		{name: "play with bad json", path: m + "/1/play", body: `{"media":`, wantStatus: 400, wantCode: "invalid"},
		{name: "body too large", path: m + "/1/play", body: `{"media":"` + strings.Repeat("x", 5000) + `"}`, wantStatus: 413, wantCode: "invalid"},

		{name: "unknown node", path: "/api/v1/nodes/fs9/conferences/room/members/1/mute", wantStatus: 404, wantCode: "not_found", wantErr: "fs9"},
		{name: "unknown conference", path: "/api/v1/nodes/fs1/conferences/other/lock", wantStatus: 404, wantCode: "not_found"},
		{name: "unknown member", path: m + "/99/mute", wantStatus: 404, wantCode: "not_found", wantErr: "fs1/room/99"},
		{name: "unknown call", path: "/api/v1/nodes/fs1/calls/c9/hangup", wantStatus: 404, wantCode: "not_found"},
		{name: "unknown member verb", path: m + "/1/explode", wantStatus: 404, wantCode: "not_found"},
		{name: "unknown call verb", path: "/api/v1/nodes/fs1/calls/c1/mute", wantStatus: 404, wantCode: "not_found"},

		{name: "pbx refuses", path: m + "/1/kick", stubErr: fmt.Errorf("kick: -ERR member busy: %w", adapters.ErrRefused),
			wantStatus: 409, wantCode: "refused", wantErr: "member busy", wantDo: adapters.KickMember{Conference: "room", Member: "1"}},
		{name: "node down", path: m + "/1/mute", stubErr: fmt.Errorf("not connected: %w", adapters.ErrUnavailable),
			wantStatus: 502, wantCode: "unavailable", wantDo: adapters.MuteMember{Conference: "room", Member: "1", Muted: true}},
		{name: "pbx does not know it", path: "/api/v1/nodes/fs1/calls/c1/hangup", stubErr: fmt.Errorf("no such channel: %w", adapters.ErrNotFound),
			wantStatus: 404, wantCode: "not_found", wantDo: adapters.HangupCall{Call: "c1"}},
		{name: "unsupported on node", path: "/api/v1/nodes/fs1/conferences/room/lock", actions: []adapters.ActionKind{adapters.ActMute},
			wantStatus: 501, wantCode: "unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			node := stubnode.New("fs1", servertest.FS1Snapshot())
			if tc.actions != nil {
				node.WithActions(tc.actions...)
			}
			node.SetResult("+OK done", tc.stubErr)
			ts := servertest.Start(t, server.Config{}, node)
			resp, data := ts.Do(t, http.MethodPost, tc.path, tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, data, tc.wantStatus)
			}
			if tc.wantStatus == 200 {
				var r api.ActionReply
				if err := json.Unmarshal(data, &r); err != nil || !r.OK || r.Reply != "+OK done" {
					t.Fatalf("reply %s", data)
				}
			} else {
				var e web.ErrorBody
				if err := json.Unmarshal(data, &e); err != nil || e.Code != tc.wantCode || !strings.Contains(e.Error, tc.wantErr) {
					t.Fatalf("error body %s, want code %q containing %q", data, tc.wantCode, tc.wantErr)
				}
			}
			calls := node.Calls()
			switch {
			case tc.wantDo == nil && len(calls) != 0:
				t.Fatalf("the node was asked %v; nothing should reach the PBX", calls)
			case tc.wantDo != nil && (len(calls) != 1 || !reflect.DeepEqual(calls[0], tc.wantDo)):
				t.Fatalf("node got %#v, want %#v", calls, tc.wantDo)
			}
		})
	}
}

// TestMuteChangesStateThroughEvents: the REST reply is only the verdict; the
// muted flag reaches the browser through node event -> live state -> hub.
func TestMuteChangesStateThroughEvents(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	// as a browser does: same Origin, and Accept-Encoding (Gzip must skip /ws)
	hdr := http.Header{"Origin": {ts.Base}, "Accept-Encoding": {"gzip, deflate, br"}, "Cookie": {session.CookieName + "=" + ts.Client.Cookie}}
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	type member struct {
		Muted bool `json:"muted"`
	}
	var snap struct {
		Type    string   `json:"type"`
		Seq     uint64   `json:"seq"`
		Members []member `json:"members"`
	}
	if err := conn.ReadJSON(&snap); err != nil || snap.Type != "snapshot" || len(snap.Members) != 3 || snap.Members[0].Muted {
		t.Fatalf("snapshot %+v (%v)", snap, err)
	}
	if resp, data := ts.Do(t, http.MethodPost, "/api/v1/nodes/fs1/conferences/room/members/2/mute", ""); resp.StatusCode != 200 {
		t.Fatalf("mute: %d %s", resp.StatusCode, data)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var d struct {
			Type string `json:"type"`
			From uint64 `json:"from"`
			Seq  uint64 `json:"seq"`
			Ops  []struct {
				Op, Kind, Key string
				Value         member
			} `json:"ops"`
		}
		if err := conn.ReadJSON(&d); err != nil {
			t.Fatal(err)
		}
		if d.Type != "delta" || d.From != snap.Seq {
			t.Fatalf("got %s from %d, want a delta from %d", d.Type, d.From, snap.Seq)
		}
		snap.Seq = d.Seq
		if len(d.Ops) == 1 && d.Ops[0].Key == "fs1/room/2" && d.Ops[0].Value.Muted {
			break
		}
	}
	// graceful shutdown closes the websocket and Run returns nil
	if err := ts.Stop(); err != nil {
		t.Fatalf("Run returned %v", err)
	}
	if _, _, err := conn.ReadMessage(); err == nil {
		t.Fatal("websocket still open after shutdown")
	}
}
