package queuestats

import (
	"testing"
	"time"

	"github.com/callboard/callboard/server/store"
)

func qc(queue, outcome string, joined time.Time, wait, talk time.Duration) store.QueueCall {
	return store.QueueCall{Node: "fs1", Queue: queue, Outcome: outcome, JoinedAt: joined, Wait: wait, LeftAt: joined.Add(wait + talk)}
}

// TestDailyFigures: service level counts answers within the threshold
// (inclusive) over every offered call; averages are per call (wait) and per
// answered call (talk); days follow the asked time zone.
func TestDailyFigures(t *testing.T) {
	day := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	calls := []store.QueueCall{
		qc("support", "answered", day, 5*time.Second, 60*time.Second),
		qc("support", "answered", day.Add(time.Minute), 20*time.Second, 120*time.Second), // exactly at the threshold: within
		qc("support", "answered", day.Add(2*time.Minute), 21*time.Second, 30*time.Second),
		qc("support", "abandoned", day.Add(3*time.Minute), 40*time.Second, 0),
		qc("support", "timeout", day.Add(4*time.Minute), 54*time.Second, 0),
		qc("sales", "answered", day.Add(6*time.Hour), 3*time.Second, 10*time.Second), // 16:00 UTC: 01:00 next day in Seoul
	}
	got := Daily(calls, time.UTC, 0)
	if len(got) != 2 || got[0].Queue != "sales" || got[1].Queue != "support" {
		t.Fatalf("days %+v", got)
	}
	s := got[1]
	if s.Day != "2026-11-22" || s.Offered != 5 || s.Answered != 3 || s.Abandoned != 1 || s.TimedOut != 1 || s.AnsweredWithin != 2 {
		t.Fatalf("support %+v", s)
	}
	if s.ServiceLevel != 40 { // 2 of 5
		t.Errorf("service level %v, want 40", s.ServiceLevel)
	}
	if s.AvgWaitMs != 28000 || s.AvgTalkMs != 70000 || s.MaxWaitMs != 54000 || s.AvgAbandonMs != 40000 {
		t.Errorf("averages %+v", s)
	}
	if sl := Daily(calls, time.UTC, 21*time.Second)[1].ServiceLevel; sl != 60 {
		t.Errorf("sl=21s: %v, want 60", sl)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Skip(err)
	}
	byZone := Daily(calls, seoul, 0)
	if len(byZone) != 2 || byZone[0].Day != "2026-11-22" || byZone[1].Day != "2026-11-23" || byZone[1].Queue != "sales" {
		t.Errorf("Seoul days %+v", byZone)
	}
	if ServiceLevel(2, 3) != 66.7 || ServiceLevel(0, 0) != 100 {
		t.Errorf("ServiceLevel rounding: %v %v", ServiceLevel(2, 3), ServiceLevel(0, 0))
	}
}
