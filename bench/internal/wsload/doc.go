// Package wsload is the benchmarks' browser stand-in: many real websocket
// connections on loopback that read everything the server sends, and on a
// sample of them find each member's talking flag in the messages to time it
// against when the fake PBX sent the change (Tracker).
package wsload
