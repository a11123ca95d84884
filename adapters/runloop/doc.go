// Package runloop is the one connection loop every PBX adapter uses: connect,
// snapshot, events, and on failure a capped, jittered backoff before the next
// attempt, with the node's status (connecting, up, down + reason, in UTC)
// emitted as events and a final "down" when the loop stops.
//
// An adapter implements Connector and Session and keeps its protocol
// knowledge (eslgo ordering, the ARI bus reader, probes and heartbeats)
// inside them; the loop owns only the policy that must be the same for every
// kind: when to retry, how long to wait, and what the dashboard is told.
//
// The backoff cap defaults to 2 s because a PBX that is back must be
// reconnected within 2 s whatever the outage length, and an attempt against a
// PBX that is down costs one refused TCP connect. The jitter never pushes a
// delay past the cap.
package runloop
