package historyapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"encoding/json"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/internal/testutil"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

func queueLeft(id, outcome, agent string, joined time.Time, wait, talk time.Duration) adapters.Event {
	return adapters.QueueMemberLeft{Node: "fs1", Queue: "support@default", MemberID: id, CallID: "call-" + id,
		CallerName: "Caller " + id, CallerNumber: "1000", Outcome: outcome, AnsweredBy: agent, Cause: "x",
		JoinedAt: joined, LeftAt: joined.Add(wait + talk), Wait: wait}
}

// TestQueueHistoryRowsAndDailyFigures: every caller leaving a queue is one
// stored row (a repeat of the same member is not a second), listed by
// outcome, and the daily figures count the service level over every
// offered call.
func TestQueueHistoryRowsAndDailyFigures(t *testing.T) {
	node := stubnode.New("fs1", servertest.FS1Snapshot())
	ts := servertest.Start(t, server.Config{}, node)
	day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	node.Emit(queueLeft("m1", adapters.QueueAnswered, "mina", day, 10*time.Second, 90*time.Second))
	node.Emit(queueLeft("m2", adapters.QueueAnswered, "jun", day.Add(time.Minute), 30*time.Second, 30*time.Second))
	node.Emit(queueLeft("m3", adapters.QueueAbandoned, "", day.Add(2*time.Minute), 45*time.Second, 0))
	node.Emit(queueLeft("m3", adapters.QueueAbandoned, "", day.Add(2*time.Minute), 45*time.Second, 0))
	node.Emit(queueLeft("m4", adapters.QueueTimedOut, "", day.Add(3*time.Minute), 120*time.Second, 0))
	viewer := ts.ClientAs(t, store.RoleViewer)
	var list struct {
		Calls []struct {
			MemberID, Outcome, AnsweredBy string
			WaitMs, TalkMs                int64
		}
		Next string
	}
	testutil.Eventually(t, "4 queue calls", func() bool {
		return getAs(t, viewer, "/api/v1/history/queue-calls", &list) == 200 && len(list.Calls) == 4
	})
	if c := list.Calls[3]; c.MemberID != "m1" || c.Outcome != "answered" || c.AnsweredBy != "mina" || c.WaitMs != 10000 || c.TalkMs != 90000 {
		t.Errorf("oldest %+v", c)
	}
	if getAs(t, viewer, "/api/v1/history/queue-calls?outcome=abandoned&queue=support@default", &list); len(list.Calls) != 1 || list.Calls[0].MemberID != "m3" {
		t.Errorf("abandoned %+v", list)
	}
	if getAs(t, viewer, "/api/v1/history/queue-calls?from=2026-11-21T00:00:00Z", &list); len(list.Calls) != 0 {
		t.Errorf("from filter %+v", list)
	}
	var daily struct {
		Days []struct {
			Day, Queue                             string
			Offered, Answered, Abandoned, TimedOut int
			ServiceLevel                           float64
			AvgWaitMs, AvgTalkMs                   int64
		}
		ServiceLevelSeconds int
	}
	if code := getAs(t, viewer, "/api/v1/history/queue-daily?tz=UTC", &daily); code != 200 || len(daily.Days) != 1 || daily.ServiceLevelSeconds != 20 {
		t.Fatalf("daily %d %+v", code, daily)
	}
	d := daily.Days[0]
	if d.Day != "2026-11-20" || d.Offered != 4 || d.Answered != 2 || d.Abandoned != 1 || d.TimedOut != 1 ||
		d.ServiceLevel != 25 || d.AvgWaitMs != 51250 || d.AvgTalkMs != 60000 {
		t.Errorf("day %+v", d)
	}
	getAs(t, viewer, "/api/v1/history/queue-daily?sl=30", &daily)
	if daily.Days[0].ServiceLevel != 50 || daily.ServiceLevelSeconds != 30 {
		t.Errorf("sl=30: %+v", daily)
	}
	resp, data := viewer.Do(t, http.MethodGet, "/api/v1/history/queue-calls/export?format=csv&outcome=answered", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		strings.Count(string(data), "\n") != 3 || !strings.Contains(string(data), "support@default,m1,call-m1,Caller m1,1000,answered") {
		t.Errorf("export %d %s", resp.StatusCode, data)
	}
	resp, data = viewer.Do(t, http.MethodGet, "/api/v1/history/queue-daily/export?format=json", "")
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"serviceLevel": 25`) {
		t.Errorf("daily export %d %s", resp.StatusCode, data)
	}
	for _, q := range []string{"queue-calls?outcome=lost", "queue-daily?tz=Mars/Olympus", "queue-daily?sl=0", "queue-calls/export?format=xml"} {
		if resp, _ := viewer.Do(t, http.MethodGet, "/api/v1/history/"+q, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
	}
}

func getAs(t *testing.T, c *servertest.Client, path string, v any) int {
	t.Helper()
	resp, data := c.Do(t, http.MethodGet, path, "")
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, data)
		}
	}
	return resp.StatusCode
}
