// Package kit is how a PBX kind plugs into callboard, in the manner of
// database/sql drivers: the kind's package registers a Kind (its name, its
// YAML section's decoding and validation, how to build a node) from an init
// function, and the command imports the package for that side effect.
// Nothing outside the kind's package switches on the kind.
//
// A node's YAML mapping has common keys (id, kind and the password keys,
// owned by internal/config) and the kind's own keys, which are decoded into
// the kind's config struct by Strict: a key the struct does not name is an
// error, as with yaml.Decoder.KnownFields. So a new per-kind key is a new
// field (with its yaml tag) in that kind's Config, and nothing else.
//
// The rules every kind shares (node ids, media allowlist names) are here
// once; the connection loop is in adapters/runloop.
package kit
