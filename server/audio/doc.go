// Package audio relays live call audio from sources to listeners, in memory
// only: nothing here is ever written to disk.
//
// A Hub keys streams by (node, call, side), side being left (the caller),
// right (the agent or bot) or mix. Sources push signed 16-bit little-endian
// mono PCM at 8 or 16 kHz: the ingest websocket (relays such as
// mod_audio_fork, mod_audio_stream, ast-streamer; ingest.go) or a PBX driver
// on demand through adapters.AudioSink (demand.go). Listeners subscribe to
// one or several sides of a call (the browser's listen websocket, listen.go).
//
// # Why a ring per stream and cursors per listener
//
// Each stream owns a fixed ring of RingFrames slots of at most 20 ms each
// (frames are cut to 20 ms on the way in), allocated once, so a stream's
// memory is bounded and a steady stream allocates nothing. A source writes
// into the ring under the stream's lock and only pokes each listener's
// one-slot notify channel without blocking; listeners copy frames out at
// their own pace with their own cursor. A listener whose cursor falls a whole
// ring behind (about one second at the defaults) has lost audio: it is
// dropped at once, from the source's write, so a stalled browser never slows
// the source or the other listeners and never makes the hub buffer more.
//
// # Levels
//
// Every frame's RMS and peak (dBFS) are accumulated per stream; every
// LevelInterval of audio (by sample count, so a test is deterministic, and
// never more often than half the interval by the wall clock, so a relay that
// bursts cannot flood) one Level is handed to Config.OnLevel, for the live
// layer's meters, and attached to that frame for listeners.
//
// # On demand
//
// With Config.Starter set, the first listener of a call that no source
// streams starts a PBX source (adapters.AudioSource through NodeStarter);
// the last listener leaving, or EndCall, stops it.
//
// # Websockets
//
// The handlers use gorilla/websocket directly rather than melody (which the
// /ws hub uses): each connection needs its own read limit, close codes with
// reasons, and a writer that reads from the hub rather than a broadcast
// queue. Close codes are the Close* constants (4xxx private range plus 1009
// and 1001).
package audio
