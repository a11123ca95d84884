package hub

import (
	"strconv"
	"testing"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/live"
)

// BenchmarkEncodeDelta measures one flush window of 100 changes: encoding
// each op once and assembling the shared delta message.
func BenchmarkEncodeDelta(b *testing.B) {
	entries := make([]*entry, 100)
	for i := range entries {
		m := &adapters.Member{Node: "fs1", Conference: "room", ID: strconv.Itoa(i), CallID: "0b2c4f1e-aaaa-bbbb-cccc-" + strconv.Itoa(i),
			CallerName: "Alice", CallerNumber: "1000", Talking: true, JoinedAt: time.Now()}
		entries[i] = &entry{seq: uint64(i + 1), op: live.OpUpsert, kind: live.KindMember, key: "fs1/room/" + m.ID, value: m}
	}
	keep := func(e *entry) bool { return true }
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range entries {
			e.json = encodeOp(e)
		}
		_ = buildDelta(1, 101, entries, keep)
	}
}

// BenchmarkPublish measures what the live state's goroutine pays per change.
func BenchmarkPublish(b *testing.B) {
	h := New(nil, Options{})
	m := &adapters.Member{Node: "fs1", Conference: "room", ID: "1"}
	batch := make([]live.Change, 1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		batch[0] = live.Change{Seq: uint64(i + 1), Op: live.OpUpsert, Kind: live.KindMember, Key: "fs1/room/" + strconv.Itoa(i%1000), Value: m}
		h.Publish(batch)
		if i%1000 == 999 {
			h.trim() // no browsers: everything is covered
		}
	}
}
