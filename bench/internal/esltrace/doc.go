// Package esltrace replays the real FreeSWITCH event frames captured in
// adapters/freeswitch/testdata (copied from shared/traces/freeswitch-esl)
// over a loopback ESL server at full speed. Each loop rewrites Event-Sequence
// (strictly increasing across loops) and every UUID (a per-loop prefix), so
// each loop is a fresh set of calls to the adapter rather than replays of
// channels it already saw hang up.
package esltrace
