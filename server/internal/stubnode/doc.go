// Package stubnode is an in-memory adapters.Node for the server's tests: it
// records Do calls, answers with a configurable verdict and can emit events
// (a successful MuteMember emits the member with its new muted flag, as a PBX
// would).
package stubnode
