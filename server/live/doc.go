// Package live owns callboard's live state: the nodes, calls, conferences,
// members and transcripts currently known, keyed as docs/protocol.md says.
// Queues, agents, tiers and queue members (mod_callcenter) are kept the same
// way (queue.go); a node's snapshot replaces all four for that node.
//
// One goroutine (State.Run) is the only writer. It applies adapters.Event
// values in arrival order, gives every resulting change a monotonically
// increasing seq and hands the changes, synchronously and in order, to a
// Sink (the websocket hub). Readers never touch the maps: they run a short
// function inside the owner goroutine (State.Query), which makes "read a
// snapshot at seq S and register for changes after S" atomic.
//
// Stored entities are immutable once inserted (an update stores a new
// pointer), so a Query may copy pointers and encode them later, outside the
// owner goroutine.
//
// Transcripts: utterance ids are assigned here. A partial line of one
// (call, speaker) stays open and is replaced in place by the next partial and
// then by the final line; after a final the speaker's next line gets a new id.
// A call keeps at most Options.MaxLines lines (oldest dropped). The transcript
// of an ended call (or of utterances for a call never seen) is retained for
// Options.RetainEnded (default 30 min) and at most Options.RetainCalls
// (default 200) such calls, so an open transcript view keeps working after
// hangup; it lives in memory only (server/history stores final lines).
//
// Utterance ids are Options.UtteranceIDPrefix (random per process in the
// server) followed by the line number, so they never repeat across restarts
// and stored lines merge with live ones by id. An Observer (the history
// recorder) sees every applied event with the changes it caused.
package live
