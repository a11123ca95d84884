// Package asterisk is callboard's Asterisk driver: it implements adapters.Node
// over ARI with the pinned github.com/CyCoreSystems/ari/v6 native client.
//
// It owns the connection (one native client per node, replaced when it stops
// delivering events), the mapping from ARI objects and events to callboard's
// model, and the actions. The fake server it is tested against lives in
// arifake.
//
// # Mapping
//
// Calls are what a person would name (calls.go): channels joined by a Local
// pair, a Dial or a bridge that is not a conference are one call, named by
// its oldest channel's id; the callee is what was dialled, fixed once.
// Bridges matching Config.ConferenceBridges (default: named Stasis mixing
// bridges and ConfBridge rooms) are conferences, named by the bridge name,
// or the bridge id when the name is duplicated or not a safe identifier;
// every other bridge (Dial's "basic" ones) only joins its parties into one
// call. Channels in a conference bridge are members (member id = channel
// id). ChannelHold/ChannelUnhold hold a call; callboard records its own
// holds (RecordHold). ChannelTalkingStarted/Finished set the talking flag;
// callboard sets TALK_DETECT(set) with the configured thresholds on every
// channel that enters a conference bridge (and on every member after a
// snapshot), because Asterisk sends no talking events otherwise.
// ChannelUserevent events matching a Config.Transcripts rule (default:
// "transcription", speaker from the "speaker" variable) become transcript
// lines; PlaybackStarted on a channel becomes a bot line naming the prompt
// (bridge playbacks are not put in any transcript; Asterisk's duplicate
// bridge playback events are ignored). Ended channels and bridges are
// tombstoned so late events never resurrect them, and a periodic
// reconciliation (reconcile.go) catches silently lost events.
//
// # What ARI cannot express, and what callboard does instead
//
//   - Reconnects are invisible: the native client redials silently and drops
//     the events of the gap. callboard learns of a broken websocket from the
//     client's log records and, independently, sends a heartbeat user event
//     (Config.HeartbeatInterval) to its own application and expects it back
//     through the websocket. A missing heartbeat, a hole in the heartbeat
//     sequence or a lost websocket triggers a resync: wait until a heartbeat
//     comes back (events flow again), then GET /channels and /bridges, then
//     emit a Snapshot. If resyncs keep failing the client is replaced.
//   - Event loss inside the client: its bus drops events when a subscriber's
//     100-event buffer is full. callboard drains the bus with a goroutine that
//     only appends to an in-memory queue; if that queue ever exceeds
//     Config.MaxQueue the queue is discarded and a resync follows.
//   - REST calls have no timeout or context in the client: every call runs in
//     a goroutine bounded by Config.RESTTimeout and the caller's context, with
//     at most 32 abandoned calls outstanding (more answer ErrUnavailable). A
//     call that timed out may still take effect later on Asterisk.
//   - Mute and deaf: ARI has per-channel mute (direction in = mute,
//     direction out = deaf) but no mute event and no mute field in the channel
//     JSON. callboard records the state after its own successful calls. After
//     a resync it keeps those records for channels that still exist; a mute
//     made by anything else (dialplan, another ARI app) is never seen, and a
//     channel callboard never touched is shown unmuted.
//   - Lock: ARI has no way to refuse new members of a bridge. Lock and unlock
//     answer adapters.ErrUnsupported ("bridges cannot be locked through ARI")
//     and are not listed in Actions, so the UI does not offer them.
//   - Floor and the join time of members found by a snapshot are not in ARI:
//     Floor is always false and JoinedAt is the snapshot time.
//   - Call direction is not in ARI: every call is "inbound".
//
// Every identifier that goes into an ARI URL path is checked by validID
// before any request: letters, digits and . _ : @ + - only, no "..", at most
// 128 bytes (so no '/', '?', '%', '#', '|', whitespace, control or non-ASCII
// characters).
package asterisk
