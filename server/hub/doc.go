// Package hub owns the browser websockets (/ws, on melody): it sends each
// browser a snapshot and then per-browser coalesced deltas, following
// docs/protocol.md.
//
// Design:
//   - The live state's owner goroutine calls Publish with every change. Publish
//     only appends to a shared journal under a mutex; it never touches a
//     browser, so a browser can never slow the live state.
//   - The journal is coalesced globally: a key's newer change supersedes its
//     older entry, so the journal holds at most one entry per key, in the order
//     of last change. That is valid for every browser at once: a browser that
//     saw the older value needs the newer; one that did not needs only the newer.
//   - Each browser has a covered seq (every change up to it has been considered
//     for it) and a sent seq (the last seq it was told, the next message's
//     "from"). One flusher goroutine runs at most once per CoalesceInterval
//     (at once when a change follows an idle interval), sends each
//     browser the journal entries after its covered seq, and trims entries
//     every browser has covered. Each op's JSON is encoded once per flush
//     window, and browsers that need the same bytes share one message.
//   - Snapshots, resyncs and transcript opens read the live state through
//     live.State.Query. While one is being prepared the browser is "busy": the
//     flusher skips it and its covered seq stays put, so the journal keeps what
//     it will need after the snapshot (gap-free without blocking anyone).
//   - A browser whose melody buffer is full, or whose backlog in the journal
//     exceeds MaxPending, is closed with 4000 "slow consumer"; it reconnects and
//     gets a fresh snapshot. It is never fed a stream with holes.
//   - A browser whose snapshot cannot be produced (live state unavailable, or
//     a snapshot that does not encode) is closed with 1011; it reconnects.
//   - Authentication happens before the hub (the server's session check);
//     ServeSession tags a browser with its sign-in session so CloseSession can
//     end its websockets (the server uses 4001 "session ended"); signin.go
//     holds that, session.go the browser's own messages.
package hub
