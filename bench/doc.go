// Package bench holds callboard's end-to-end benchmarks (`make bench`): the
// orchestrator in cmd/benchall, an ESL trace replayer (internal/esltrace), a
// websocket load client (internal/wsload), the Node.js relay baseline (node/)
// and the Chromium UI probe (ui/). Results go to results/latest.md.
package bench
