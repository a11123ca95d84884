// Package eslfake is an in-process FreeSWITCH Event Socket (inbound mode)
// server that speaks the wire protocol exactly as FreeSWITCH 1.10.12 does in
// the captured traces (../testdata, copied from shared/traces/freeswitch-esl).
// It holds a small channel and conference state machine so the FreeSWITCH
// adapter's integration tests and callboard's demo mode can run without a
// real PBX. It owns the fake server, its state machine, and the demo call
// scenario (RunDemo).
package eslfake
