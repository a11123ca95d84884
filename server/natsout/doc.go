// Package natsout publishes callboard's domain events (server/bus) to NATS
// as JSON on callboard.<node>.<kind>.<event> (docs/events.md).
//
// The live path never waits for NATS: the publisher reads its own bounded
// bus subscription (a full buffer drops and counts), and nats.go buffers
// while reconnecting (ReconnectBufSize); a publish that fails there is
// counted as dropped too. Every message carries this publisher's sequence
// (from 1 per process, +1 per message handed to NATS), so a subscriber sees
// a gap as a jump. With Stream set, a JetStream stream capturing
// callboard.> is created or updated at connect; messages are still sent
// with a core publish (the stream captures them), so a slow JetStream never
// holds the publisher.
//
// Credentials (user/password, token, or a .creds file) come from the config
// file's *_env/*_file keys or the environment and are never logged; the URL
// is logged without its user info.
package natsout
