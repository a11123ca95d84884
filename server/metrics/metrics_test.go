package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/bus"
)

func TestScrapeOverHTTP(t *testing.T) {
	tap := bus.NewTap(nil)
	m := New(tap, []string{"fs1", "ast1"}, Sources{
		WSClients: func() int { return 3 }, WSMessages: func() uint64 { return 10 }, WSBytes: func() uint64 { return 2048 },
		HistoryQueue: func() int { return 5 }, HistoryErrors: func() uint64 { return 1 },
		AlertsDelivered: func() uint64 { return 4 }, AlertsFailed: func() uint64 { return 2 },
		AlertsOutbox: func() map[string]int { return map[string]int{"pending": 1, "dead": 2} },
		NATSDropped:  func() uint64 { return 7 },
	})
	RegisterAudioStreams(func() int { return 6 })
	defer RegisterAudioStreams(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.Run(ctx)
	tap.Publish(bus.Event{Node: "fs1", Kind: bus.KindNode, Name: bus.NodeUp, Status: &adapters.NodeStatus{Node: "fs1", State: "up"}})
	tap.Publish(bus.Event{Node: "fs1", Kind: bus.KindCall, Name: bus.CallCreated, Call: &adapters.Call{Node: "fs1", ID: "c"}})
	tap.PublishAction("fs1", bus.Action{Name: "mute", Result: "refused", DurationMs: 12})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	want := []string{
		`callboard_node_up{node="fs1"} 1`, `callboard_node_up{node="ast1"} 0`,
		`callboard_events_total{kind="call",node="fs1"} 1`,
		`callboard_actions_total{action="mute",result="refused"} 1`,
		`callboard_action_duration_seconds_count{action="mute"} 1`,
		`callboard_ws_clients 3`, `callboard_ws_messages_total 10`, `callboard_ws_bytes_total 2048`,
		`callboard_history_queue 5`, `callboard_history_write_errors_total 1`,
		`callboard_alert_deliveries_total 4`, `callboard_alert_delivery_failures_total 2`,
		`callboard_alert_outbox{state="dead"} 2`, `callboard_nats_dropped_total 7`, `callboard_audio_streams 6`,
		`callboard_bus_dropped_total{subscriber="metrics"} 0`,
	}
	var body string
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w+"\n") {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
	}
	t.Fatalf("scrape lacks lines; got:\n%s", body)
}
