package main

import (
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// Dial rules of the demo nodes: what click-to-call, transfer and listen may
// reach. Desk phones and supervisors' phones are extensions 1000-1999 (set
// "My phone" to one of them: listen rings it); numbers are what the demo
// people use (5723, 01012345678, ...). The fakes answer every endpoint but
// two, so that a failure shows the PBX's own reason:
//
//	1009  busy            (FreeSWITCH -ERR USER_BUSY; Asterisk Dial BUSY, cause 17)
//	1008  not registered  (FreeSWITCH -ERR USER_NOT_REGISTERED; Asterisk CHANUNAVAIL, cause 20)
const (
	demoEndpoints = `^1[0-9]{3}$`
	demoNumbers   = `^\+?[0-9]{3,15}$`
	demoBusy      = "1009"
	demoAbsent    = "1008"
)

func demoFreeSWITCHDial(pbx *eslfake.Server) map[string]any {
	pbx.SetEndpoint("user/"+demoBusy, "USER_BUSY")
	pbx.SetEndpoint("user/"+demoAbsent, "USER_NOT_REGISTERED")
	return map[string]any{
		"endpoints": demoEndpoints, "numbers": demoNumbers,
		"endpoint_template": "user/{endpoint}", "number_template": "sofia/gateway/demo-trunk/{number}",
		"context": "default",
	}
}

func demoAsteriskDial(pbx *arifake.Server) map[string]any {
	pbx.RefuseEndpoint("PJSIP/"+demoBusy, arifake.Refusal{Dialstatus: "BUSY", Cause: 17, CauseTxt: "User busy"})
	pbx.RefuseEndpoint("PJSIP/"+demoAbsent, arifake.Refusal{Dialstatus: "CHANUNAVAIL", Cause: 20, CauseTxt: "Subscriber absent"})
	return map[string]any{
		"endpoints": demoEndpoints, "numbers": demoNumbers,
		"endpoint_template": "PJSIP/{endpoint}", "context": "default",
	}
}
