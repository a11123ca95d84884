// Package api serves the live side of the REST protocol (docs/protocol.md):
// the state snapshot, a call's transcript (live lines merged with stored
// ones), /healthz, and one route per entry of the action catalogue
// (adapters/catalogue.go). An action checks the entry's role, reads its
// body parameters, builds the typed adapters.Action, runs the node's
// Validate (nothing reaches the PBX when it fails), checks the target is
// live, then calls node.Do with a timeout; every attempt is audited under
// the catalogue's name.
package api
