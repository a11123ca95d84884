// Package ingest serves the bearer-token transcript endpoint for external
// speech-to-text (docs/protocol.md): it checks a line, feeds it into the
// live state exactly as an adapter's transcript event would be, and audits
// ingest at most once per token and call per minute.
package ingest
