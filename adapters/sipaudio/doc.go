// Package sipaudio is callboard's own SIP endpoint for on-demand call audio
// from FreeSWITCH: a receive-only SIP UAS plus an RTP receiver, pure Go.
//
// FreeSWITCH has no "stream this call's audio to a socket" API without
// extra modules, but it can eavesdrop on a call from any leg it originates.
// So callboard asks it (over ESL) to originate a SIP call to this endpoint
// running &eavesdrop(<leg>), answers that call, and decodes the RTP it gets
// (the eavesdrop mix of both directions) into PCM.
//
// Why github.com/emiago/sipgo and not github.com/emiago/diago: the endpoint
// answers one kind of call and only receives audio. sipgo gives the SIP
// parser, transactions and dialogs (the parts that must be right: ACK, BYE,
// retransmissions); the SDP offer/answer for one audio stream and the RTP
// reader are a hundred lines here, easy to fuzz and to refuse strictly.
// diago would add its own media stack (pion/rtp, codecs, a UA with its own
// transports and lifecycle) for features never used here.
//
// Security: the endpoint is never a relay (sipgo here only answers), and it
// refuses everything it did not ask for:
//
//   - an INVITE's Request-URI user must be a one-time token issued by Expect
//     (128 random bits), used once, expiring after a short TTL: 404 otherwise;
//   - requests from a source IP outside Config.Peers are refused with 403;
//   - methods other than INVITE, ACK, BYE, CANCEL get 405; an offer with no
//     acceptable codec gets 488;
//   - RTP is read only from the SIP peer's address and with the negotiated
//     payload type; RTP (silence, to keep FreeSWITCH's media timeout quiet)
//     and a BYE are only ever sent back to the address the INVITE came from.
package sipaudio
