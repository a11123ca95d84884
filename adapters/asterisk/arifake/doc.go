// Package arifake is a protocol-level fake of Asterisk's ARI: a real HTTP
// server with the REST subset callboard uses and the /ari/events websocket,
// emitting event JSON in the shapes captured from Asterisk 22.10.1
// (testdata, copied from shared/traces/asterisk-ari). It keeps channel and
// bridge state, checks credentials and answers errors with the status codes
// and bodies that real Asterisk gives. Tests and demo mode drive it through
// its Go API (AddChannel, CreateBridge, Enter, SetTalking, UserEvent, ...);
// RunDemo plays a scenario.
//
// It owns nothing outside this folder and is not a complete ARI: originate,
// recordings, endpoints and the like are absent.
package arifake
