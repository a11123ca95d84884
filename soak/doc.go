// Command soak runs callboard in-process against the simulated FreeSWITCH
// (several demo scenarios sped up) and Asterisk, with many websocket
// browsers signed in through the REST API, for a configurable time, and
// prints RSS, Go heap, goroutines, message rates and errors at intervals.
// Memory and goroutine counts should stay flat; any protocol error (a seq
// gap, an unexpected close, a history write error) makes it exit 1.
//
//	go run ./soak -duration 10m -clients 50 -speed 0.02 -scenarios 4
package main
