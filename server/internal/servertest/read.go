package servertest

import (
	"net/http"
	"testing"

	"github.com/callboard/callboard/server/admin"
	"github.com/callboard/callboard/server/api"
	"github.com/callboard/callboard/server/historyapi"
	"github.com/callboard/callboard/server/live"
)

// Reads through the REST API as "root", as the UI does.

// Audit is the audit log filtered by query ("" or "?kind=action&...").
func (ts *Server) Audit(t *testing.T, query string) []admin.AuditJSON {
	t.Helper()
	var body struct{ Entries []admin.AuditJSON }
	if code := ts.GetJSON(t, "/api/v1/audit"+query, &body); code != http.StatusOK {
		t.Fatalf("audit: %d", code)
	}
	return body.Entries
}

// State is the live state's snapshot (GET /api/v1/state).
func (ts *Server) State(t *testing.T) live.Snapshot {
	t.Helper()
	var snap live.Snapshot
	if code := ts.GetJSON(t, "/api/v1/state", &snap); code != http.StatusOK {
		t.Fatalf("state: %d", code)
	}
	return snap
}

// NodeState is node id's state in /healthz ("" when not listed).
func (ts *Server) NodeState(t *testing.T, id string) string {
	t.Helper()
	var h api.HealthBody
	ts.GetJSON(t, "/healthz", &h)
	for _, n := range h.Nodes {
		if n.Node == id {
			return n.State
		}
	}
	return ""
}

// HistoryCall finds call id among the 200 latest calls in history.
func (ts *Server) HistoryCall(t *testing.T, id string) (historyapi.CallJSON, bool) {
	t.Helper()
	var list struct{ Calls []historyapi.CallJSON }
	ts.GetJSON(t, "/api/v1/history/calls?limit=200", &list)
	for _, c := range list.Calls {
		if c.ID == id {
			return c, true
		}
	}
	return historyapi.CallJSON{}, false
}

// SessionID finds a user's session id through the admin API.
func (ts *Server) SessionID(t *testing.T, user string) string {
	t.Helper()
	var body struct {
		Sessions []struct {
			ID, User string
			Current  bool
		}
	}
	if code := ts.GetJSON(t, "/api/v1/sessions", &body); code != http.StatusOK {
		t.Fatalf("sessions: %d", code)
	}
	for _, s := range body.Sessions {
		if s.User == user {
			return s.ID
		}
	}
	t.Fatalf("no session of %s in %+v", user, body.Sessions)
	return ""
}
