// Package history owns the history recorder: it turns the live state's
// applied events and changes (it is a live.Observer) into history writes
// (call rows, conference timeline entries, final transcript lines) and writes
// them in batches, one transaction per batch, from its own goroutine. The
// live path only appends to an in-memory queue under a short lock: it never
// waits for the disk. Write failures are logged, counted and reported by
// Health; the live view keeps working.
//
// Resync: when a node's Snapshot is applied, every open call of that node
// the snapshot lacks is closed as ended while disconnected, including rows
// left open by a previous process. A FreeSWITCH call merged into another
// (CallEnded cause "MERGED") is folded into the surviving call's row.
//
// Attribution: an action taken through callboard (mute, kick, lock...) is
// announced with Attribute before it is sent; the matching timeline entry
// seen within a short window is attributed to that user.
package history
