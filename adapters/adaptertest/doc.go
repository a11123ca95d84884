// Package adaptertest is the conformance suite every PBX adapter runs against
// its protocol-level fake: the scenarios are written once, in domain terms,
// and each adapter supplies a PBX that drives its fake (the way ari-proxy
// reruns one suite against every backend).
//
// It also exports Recorder, the consumer side of Node.Run that materialises
// the emitted events into calls, conferences, members and utterances.
package adaptertest
