package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/store"
)

func callOp(node, id string, start time.Time, caller string) store.HistoryOp {
	return store.HistoryOp{Kind: store.OpCallUpsert, Node: node, CallID: id, At: start,
		Call: adapters.Call{Node: node, ID: id, CallerNumber: caller, CalleeNumber: "5000", Direction: "inbound", CreatedAt: start}}
}

func lineOp(node, call, id, text string, at time.Time) store.HistoryOp {
	return store.HistoryOp{Kind: store.OpLine, Node: node, CallID: call, At: at,
		Line: adapters.Utterance{Node: node, CallID: call, ID: id, Speaker: adapters.SpeakerCaller, Text: text, Final: true, At: at}}
}

func write(t *testing.T, d *DB, ops ...store.HistoryOp) {
	t.Helper()
	if err := d.WriteHistory(context.Background(), ops); err != nil {
		t.Fatal(err)
	}
}

func callIDs(cs []store.HistoryCall) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestTranscriptSearchAnyLanguage(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	lines := map[string]string{
		"ko": "안녕하세요 고객님, 주문 번호를 알려주시겠어요?",
		"ja": "今日は金曜日です。ご用件をどうぞ。",
		"zh": "您好，我想查询一下我的银行账户余额。",
		"ru": "Здравствуйте, у меня проблема с интернетом.",
		"en": "I would like to cancel my subscription please.",
	}
	for i, lang := range []string{"ko", "ja", "zh", "ru", "en"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		write(t, d, callOp("fs1", lang, at, "100"+lang), lineOp("fs1", lang, "e.1", lines[lang], at))
	}
	write(t, d, callOp("fs1", "silent", t0.Add(time.Hour), "999"))
	tests := []struct {
		text string
		want []string
	}{
		{"주문 번호", []string{"ko"}},
		{"고객", []string{"ko"}}, // two characters: the LIKE fallback
		{"金曜日", []string{"ja"}},
		{"银行账户", []string{"zh"}},
		{"ПРОБЛЕМА", []string{"ru"}}, // case-insensitive Cyrillic
		{"интернет", []string{"ru"}},
		{"subscription", []string{"en"}},
		{"Cancel My", []string{"en"}},
		{`"quoted" OR x`, []string{}}, // FTS syntax is literal text, not an error
		{"50%", []string{}},           // LIKE wildcards are literal
		{"nowhere to be found", []string{}},
	}
	for _, tc := range tests {
		got, _, err := d.ListCalls(ctx, store.CallFilter{Text: tc.text})
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if ids := callIDs(got); !slices.Equal(ids, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.text, ids, tc.want)
		}
	}
	got, _, err := d.ListCalls(ctx, store.CallFilter{HasTranscript: true})
	if err != nil || len(got) != 5 || slices.Contains(callIDs(got), "silent") {
		t.Fatalf("hasTranscript: %v %v", callIDs(got), err)
	}
	got, _, err = d.ListCalls(ctx, store.CallFilter{Number: "100j"})
	if err != nil || !slices.Equal(callIDs(got), []string{"ja"}) {
		t.Fatalf("number filter: %v %v", callIDs(got), err)
	}
}

func TestListCallsPagingAndRange(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	var ops []store.HistoryOp
	for i := range 7 {
		ops = append(ops, callOp("fs1", string(rune('a'+i)), t0.Add(time.Duration(i)*time.Minute), "1"))
	}
	ops = append(ops, callOp("fs2", "z", t0, "1")) // same start as "a": the rowid breaks the tie
	write(t, d, ops...)
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		got, next, err := d.ListCalls(ctx, store.CallFilter{Limit: 3, Before: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, callIDs(got)...)
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"g", "f", "e", "d", "c", "b", "z", "a"}; !slices.Equal(all, want) {
		t.Fatalf("pages %v, want %v", all, want)
	}
	got, _, err := d.ListCalls(ctx, store.CallFilter{From: t0.Add(2 * time.Minute), To: t0.Add(4 * time.Minute), Node: "fs1"})
	if err != nil || !slices.Equal(callIDs(got), []string{"d", "c"}) {
		t.Fatalf("range: %v %v", callIDs(got), err)
	}
	if _, _, err := d.ListCalls(ctx, store.CallFilter{Before: "garbage"}); !errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestCallLifecycleResyncMerge(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	end := t0.Add(time.Minute)
	write(t, d,
		callOp("fs1", "normal", t0, "1"),
		callOp("fs1", "lost", t0, "2"),
		callOp("fs1", "kept", t0, "3"),
		callOp("fs2", "other", t0, "4"),
		store.HistoryOp{Kind: store.OpCallEnd, Node: "fs1", CallID: "normal", At: end, Cause: "NORMAL_CLEARING"},
		store.HistoryOp{Kind: store.OpCallsResync, Node: "fs1", Keep: []string{"kept"}, At: end.Add(time.Second)},
	)
	normal, err := d.GetCall(ctx, "fs1", "normal")
	if err != nil || !normal.EndedAt.Equal(end) || normal.HangupCause != "NORMAL_CLEARING" || normal.EndedWhileDisconnected {
		t.Fatalf("normal %+v %v", normal, err)
	}
	lost, _ := d.GetCall(ctx, "fs1", "lost")
	if !lost.EndedWhileDisconnected || lost.EndedAt.IsZero() || lost.HangupCause != "" {
		t.Fatalf("lost %+v", lost)
	}
	for _, k := range [][2]string{{"fs1", "kept"}, {"fs2", "other"}} {
		c, _ := d.GetCall(ctx, k[0], k[1])
		if !c.EndedAt.IsZero() {
			t.Fatalf("%v closed by a resync that kept it or of another node: %+v", k, c)
		}
	}

	// A merge folds the younger call into the survivor: lines and timeline
	// move, the earliest start wins, the merged row disappears.
	write(t, d,
		callOp("fs1", "young", t0.Add(-time.Second), "5"),
		lineOp("fs1", "young", "e.1", "from the young leg", t0),
		lineOp("fs1", "kept", "e.1", "from the survivor", t0.Add(time.Second)),
		store.HistoryOp{Kind: store.OpTimeline, Timeline: store.TimelineEntry{At: t0, Node: "fs1", Conference: "room", Kind: store.TimelineJoin, Member: "7", CallID: "young"}},
		store.HistoryOp{Kind: store.OpCallMerge, Node: "fs1", CallID: "young", Into: "kept", At: t0},
	)
	if _, err := d.GetCall(ctx, "fs1", "young"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("merged row still there: %v", err)
	}
	kept, _ := d.GetCall(ctx, "fs1", "kept")
	if !kept.StartedAt.Equal(t0.Add(-time.Second)) || !kept.HasTranscript {
		t.Fatalf("survivor %+v", kept)
	}
	lines, err := d.CallTranscript(ctx, "fs1", "kept")
	if err != nil || len(lines) != 2 || lines[0].Text != "from the young leg" || lines[0].ID == lines[1].ID {
		t.Fatalf("survivor lines %+v %v", lines, err)
	}
	tl, err := d.CallTimeline(ctx, "fs1", "kept")
	if err != nil || len(tl) != 1 || tl[0].CallID != "kept" {
		t.Fatalf("survivor timeline %+v %v", tl, err)
	}
}

func TestTimelineJoinIdempotentAndScoped(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	ev := func(at time.Time, kind, member, call, by string) store.HistoryOp {
		return store.HistoryOp{Kind: store.OpTimeline, Timeline: store.TimelineEntry{At: at, Node: "fs1", Conference: "room", Kind: kind, Member: member, CallID: call, By: by}}
	}
	join := ev(t0, store.TimelineJoin, "1", "a", "")
	write(t, d, callOp("fs1", "a", t0, "1"), join, join, // a resync after a restart repeats the join
		ev(t0.Add(time.Second), store.TimelineMute, "1", "a", "alice"),
		ev(t0.Add(2*time.Second), store.TimelineLock, "", "", "bob"),
		ev(t0.Add(time.Hour), store.TimelineKick, "2", "b", ""), // after a's end
		store.HistoryOp{Kind: store.OpCallEnd, Node: "fs1", CallID: "a", At: t0.Add(time.Minute)},
	)
	tl, err := d.CallTimeline(ctx, "fs1", "a")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, e.Kind+":"+e.By)
	}
	if want := []string{"join:", "mute:alice", "lock:bob"}; !slices.Equal(kinds, want) {
		t.Fatalf("timeline %v, want %v", kinds, want)
	}
}

func TestPurgeHistory(t *testing.T) {
	ctx := context.Background()
	d := open(t, t.TempDir())
	old, recent := t0.Add(-40*24*time.Hour), t0.Add(-time.Hour)
	write(t, d,
		callOp("fs1", "old", old, "1"), lineOp("fs1", "old", "e.1", "old line", old),
		store.HistoryOp{Kind: store.OpCallEnd, Node: "fs1", CallID: "old", At: old.Add(time.Minute)},
		callOp("fs1", "open", old, "2"), lineOp("fs1", "open", "e.1", "still open", old),
		callOp("fs1", "recent", recent, "3"),
		store.HistoryOp{Kind: store.OpCallEnd, Node: "fs1", CallID: "recent", At: recent},
	)
	n, err := d.PurgeHistory(ctx, t0.Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purged %d %v", n, err)
	}
	got, _, _ := d.ListCalls(ctx, store.CallFilter{})
	if ids := callIDs(got); !slices.Equal(ids, []string{"recent", "open"}) {
		t.Fatalf("left %v", ids)
	}
	if lines, _ := d.CallTranscript(ctx, "fs1", "open"); len(lines) != 1 {
		t.Fatalf("an open call lost its lines: %v", lines)
	}
	if got, _, _ := d.ListCalls(ctx, store.CallFilter{Text: "old line"}); len(got) != 0 {
		t.Fatalf("purged line still searchable: %v", callIDs(got))
	}
}
