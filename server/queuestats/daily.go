// Package queuestats computes per-queue daily figures from queue-call
// history: answered, abandoned, timed out, service level, average wait and
// average talk. Days are calendar days in the asker's time zone, so a
// supervisor in Seoul and one in Berlin each see their own "today".
//
// Service level is the share of queue calls answered within the threshold
// (default 20 s) among every queue call that ended that day: answered,
// abandoned or timed out. Callers who abandon quickly count against it (a
// common, strict definition; it is stated in docs/history.md).
package queuestats

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

// DefaultServiceLevel is the service level threshold when none is asked for.
const DefaultServiceLevel = 20 * time.Second

// Day is one queue's figures for one calendar day (by join time).
type Day struct {
	Day            string `json:"day"` // YYYY-MM-DD in the asked time zone
	Node           string `json:"node"`
	Queue          string `json:"queue"`
	Offered        int    `json:"offered"`
	Answered       int    `json:"answered"`
	Abandoned      int    `json:"abandoned"`
	TimedOut       int    `json:"timedOut"`
	AnsweredWithin int    `json:"answeredWithin"` // answered within the threshold
	// ServiceLevel is AnsweredWithin / Offered in percent, one decimal.
	ServiceLevel float64 `json:"serviceLevel"`
	AvgWaitMs    int64   `json:"avgWaitMs"`    // over every call
	AvgTalkMs    int64   `json:"avgTalkMs"`    // over answered calls
	MaxWaitMs    int64   `json:"maxWaitMs"`    // longest wait
	AvgAbandonMs int64   `json:"avgAbandonMs"` // how long abandoning callers waited

	waitSum, talkSum, abandonWait time.Duration
}

// Daily groups calls by (day in loc, node, queue) and computes the figures,
// sorted by day, node and queue. sl <= 0 means DefaultServiceLevel.
func Daily(calls []store.QueueCall, loc *time.Location, sl time.Duration) []Day {
	if sl <= 0 {
		sl = DefaultServiceLevel
	}
	if loc == nil {
		loc = time.UTC
	}
	byKey := map[[3]string]*Day{}
	for _, c := range calls {
		k := [3]string{c.JoinedAt.In(loc).Format(time.DateOnly), c.Node, c.Queue}
		d := byKey[k]
		if d == nil {
			d = &Day{Day: k[0], Node: k[1], Queue: k[2]}
			byKey[k] = d
		}
		d.Offered++
		d.waitSum += c.Wait
		d.MaxWaitMs = max(d.MaxWaitMs, c.Wait.Milliseconds())
		switch c.Outcome {
		case "answered":
			d.Answered++
			d.talkSum += c.Talk()
			if c.Wait <= sl {
				d.AnsweredWithin++
			}
		case "timeout":
			d.TimedOut++
		default:
			d.Abandoned++
			d.abandonWait += c.Wait
		}
	}
	out := make([]Day, 0, len(byKey))
	for _, d := range byKey {
		d.ServiceLevel = ServiceLevel(d.AnsweredWithin, d.Offered)
		d.AvgWaitMs = avg(d.waitSum, d.Offered)
		d.AvgTalkMs = avg(d.talkSum, d.Answered)
		d.AvgAbandonMs = avg(d.abandonWait, d.Abandoned)
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b Day) int {
		return strings.Compare(a.Day+"\x00"+a.Node+"\x00"+a.Queue, b.Day+"\x00"+b.Node+"\x00"+b.Queue)
	})
	return out
}

// ServiceLevel is within/offered in percent rounded to one decimal; 100
// when nothing was offered (no caller was kept waiting).
func ServiceLevel(within, offered int) float64 {
	if offered == 0 {
		return 100
	}
	return math.Round(float64(within)*1000/float64(offered)) / 10
}

func avg(sum time.Duration, n int) int64 {
	if n == 0 {
		return 0
	}
	return (sum / time.Duration(n)).Milliseconds()
}
