// Command benchall is `make bench`: it measures callboard end to end
// (ingest, fan-out, audio relay, wallboard, the Node.js relay baseline,
// polling, action round trip, memory, UI) and prints one table of medians (min, max) over several runs,
// also written to bench/results/latest.md. Run it from the repository root.
//
// It re-executes itself for the processes it measures: `benchall ingest`
// (the adapter or a no-op eslgo listener under GOMAXPROCS=1) and
// `benchall server` (a callboard server on a fake PBX address).
package main
