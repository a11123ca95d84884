package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/bench/internal/wsload"
	"github.com/callboard/callboard/server/live"
)

const memoryCalls = 10000

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// benchCall is a two-leg call shaped like the FreeSWITCH adapter's output.
func benchCall(i int) adapters.Call {
	id := fmt.Sprintf("%08x-6fc3-4c8d-bdc7-9de40e2b%04x", i, i%0x10000)
	peer := fmt.Sprintf("%08x-1d2e-4b1a-9c0f-5a6b7c8d%04x", i, i%0x10000)
	now := time.Now().UTC()
	num := strconv.Itoa(100000 + i)
	return adapters.Call{
		Node: "fs1", ID: id,
		Legs: []adapters.Leg{
			{UUID: id, Name: "sofia/internal/" + num + "@192.0.2.10", Direction: "inbound", State: adapters.CallActive, CreatedAt: now},
			{UUID: peer, Name: "sofia/external/+4930" + num + "@198.51.100.7", Direction: "outbound", State: adapters.CallActive, CreatedAt: now},
		},
		CallerNumber: num, CallerName: "Caller " + num, CalleeNumber: "+4930" + num, CalleeName: "",
		Direction: "inbound", State: adapters.CallActive, CreatedAt: now, AnsweredAt: now,
	}
}

// liveBytesPerCall is the live state's heap growth per call at 10,000 calls.
func liveBytesPerCall() float64 {
	before := heapInUse()
	st := live.New(live.Options{Nodes: []live.NodeInfo{{ID: "fs1", Kind: adapters.KindFreeSWITCH}}})
	for i := range memoryCalls {
		st.Apply(adapters.CallUpdated{Call: benchCall(i)})
	}
	after := heapInUse()
	runtime.KeepAlive(st)
	return float64(after-before) / memoryCalls
}

// rssRun is the bench server's RSS with 10,000 calls on the fake and
// clients websockets connected (each got the 10,000-call snapshot).
func rssRun(clients int) (idle, loaded float64, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	pbx := eslfake.New(eslfake.Options{Password: fakePassword, Hostname: "bench"})
	if err := pbx.Start(); err != nil {
		return 0, 0, err
	}
	defer pbx.Close()
	for i := range memoryCalls {
		num := strconv.Itoa(100000 + i)
		uuid := pbx.AddChannel(eslfake.ChannelSpec{Caller: eslfake.Party{Name: "Caller " + num, Number: num}, Destination: "+4930" + num})
		if err := pbx.Answer(uuid); err != nil {
			return 0, 0, err
		}
	}
	p, err := startCallboard(ctx, pbx.Addr(), fakePassword, false, "", memoryCalls, 0)
	if err != nil {
		return 0, 0, err
	}
	defer p.stop()
	time.Sleep(time.Second)
	idle = p.rssMB()
	cs, err := dialMany(ctx, p, clients, clients+1, wsload.Callboard, wsload.NewTracker())
	if err != nil {
		return 0, 0, err
	}
	time.Sleep(time.Second)
	loaded = p.rssMB()
	for _, c := range cs {
		c.Close()
	}
	return idle, loaded, nil
}

func runMemory(cfg config) ([]row, []string, error) {
	var perCall, idle, loaded series
	for i := 0; i < cfg.runs; i++ {
		perCall = append(perCall, liveBytesPerCall())
	}
	progress("live state: %.0f bytes/call (median)", perCall.median())
	for i := 0; i < cfg.runs; i++ {
		a, b, err := rssRun(1000)
		if err != nil {
			return nil, nil, err
		}
		idle, loaded = append(idle, a), append(loaded, b)
		progress("memory run %d: RSS %.0f MB with 10,000 calls, %.0f MB with 1,000 websockets too", i+1, a, b)
	}
	return []row{
		{section: "6", metric: "live state per call (heap delta at 10,000 two-leg calls)", s: perCall, unit: "bytes", target: "<= 4096", ok: func(v float64) bool { return v <= 4096 }},
		{section: "6", metric: "server RSS, 10,000 calls, no websocket", s: idle, unit: "MB"},
		{section: "6", metric: "server RSS, 10,000 calls + 1,000 websockets (each sent the snapshot)", s: loaded, unit: "MB", target: "<= 200", ok: func(v float64) bool { return v <= 200 }},
	}, nil, nil
}
