package freeswitch

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/dialplan"
)

// Call control and supervision (issue 11) as FreeSWITCH commands, in the
// forms the call-control capture shows working on 1.10.12:
//
//	originate  bgapi originate {origination_uuid=U,...}user/1001 &bridge(user/1002)
//	transfer   api uuid_transfer C [-bleg|-both] 1002 XML default
//	hold       api uuid_hold C / api uuid_hold off C
//	listen     bgapi originate {origination_uuid=S,eavesdrop_enable_dtmf=true,callboard_listen_*}user/1001 &eavesdrop(T)
//	mode       api uuid_recv_dtmf S 0|2|3   (same supervisor leg, no hang-up)
//	stop       api uuid_kill S

// nameUnsafe are the characters a caller id name cannot carry in an
// originate's {...} block: the block's separators and brackets, the
// single quote that quotes the value (a bare space breaks the command:
// -ERR DESTINATION_OUT_OF_ORDER in the capture; 'Agent One' works), and
// what ESL or the application part would read ('&', '|', '^', '\').
const nameUnsafe = `'{}[],&|^\`

// plan is one validated command.
type plan struct {
	bg   bool   // bgapi: the reply comes as BACKGROUND_JOB, the id is known now
	line string // without the api/bgapi prefix
	id   string // the call or supervisor leg id Do returns
	what string
}

// supervisionPlan validates a supervision action and builds its command.
// legsOf and listenerOf are nil in Validate (no I/O, no state).
func (n *Node) supervisionPlan(a adapters.Action, legsOf func(string) []string, listenerOf func(call, phone string) (adapters.Listener, bool)) (plan, bool, error) {
	rules := &n.cfg.Dial
	switch a := a.(type) {
	case adapters.Originate:
		from, err := rules.Endpoint("from", a.From)
		if err != nil {
			return plan{}, true, err
		}
		to, err := rules.Destination("to", a.To)
		if err != nil {
			return plan{}, true, err
		}
		if err := firstError(dialplan.CallerIDName(a.CallerIDName, nameUnsafe), dialplan.CallerIDNumber(a.CallerIDNumber)); err != nil {
			return plan{}, true, err
		}
		if a.Timeout < 0 || a.Timeout.Seconds() > 999 {
			return plan{}, true, invalid("timeout", a.Timeout.String(), "must be 1 to 999 seconds")
		}
		id := newUUID()
		vars := []string{"origination_uuid=" + id}
		if a.Timeout > 0 {
			vars = append(vars, fmt.Sprintf("originate_timeout=%d", int(a.Timeout.Seconds())))
		}
		if a.CallerIDNumber != "" {
			vars = append(vars, "origination_caller_id_number="+a.CallerIDNumber)
		}
		if a.CallerIDName != "" {
			vars = append(vars, "origination_caller_id_name='"+a.CallerIDName+"'")
		}
		dest := "&bridge(" + to.DialString + ")"
		if to.DialString == "" { // a number without number_template: the dialplan routes it
			dest = to.Value + " XML " + rules.Context
		}
		return plan{bg: true, id: id, what: "originate " + a.From + " to " + a.To,
			line: "originate {" + strings.Join(vars, ",") + "}" + from.DialString + " " + dest}, true, nil
	case adapters.TransferCall:
		if err := checkCall(a.Call); err != nil {
			return plan{}, true, err
		}
		to, err := rules.Destination("to", a.To)
		if err != nil {
			return plan{}, true, err
		}
		flag := ""
		switch a.Leg {
		case "", adapters.LegCaller:
		case adapters.LegCallee:
			flag = "-bleg "
		case adapters.LegBoth:
			flag = "-both "
		default:
			return plan{}, true, invalid("leg", a.Leg, "must be caller, callee or both")
		}
		return plan{id: a.Call, what: "transfer call " + a.Call + " to " + a.To,
			line: fmt.Sprintf("uuid_transfer %s %s%s XML %s", a.Call, flag, to.Value, rules.Context)}, true, nil
	case adapters.HoldCall:
		if err := checkCall(a.Call); err != nil {
			return plan{}, true, err
		}
		line := "uuid_hold " + a.Call
		if !a.Held {
			line = "uuid_hold off " + a.Call
		}
		return plan{id: a.Call, what: string(a.Kind()) + " call " + a.Call, line: line}, true, nil
	case adapters.Supervise:
		if err := checkCall(a.Call); err != nil {
			return plan{}, true, err
		}
		phone, err := rules.Endpoint("phone", a.Phone)
		if err != nil {
			return plan{}, true, err
		}
		digit, ok := modeDigits[a.Mode]
		if !ok {
			return plan{}, true, invalid("mode", a.Mode, "must be listen, whisper or barge")
		}
		what := fmt.Sprintf("%s on call %s from %s", a.Mode, a.Call, a.Phone)
		if listenerOf != nil {
			if l, on := listenerOf(a.Call, a.Phone); on && checkCall(l.Leg) == nil {
				return plan{id: l.Leg, what: what, line: fmt.Sprintf("uuid_recv_dtmf %s %s", l.Leg, digit)}, true, nil
			}
		}
		// Eavesdrop on the agent's leg: the call's second leg (the callee a
		// caller was bridged to), or the call's only leg.
		target := a.Call
		if legsOf != nil {
			if legs := legsOf(a.Call); len(legs) >= 2 && checkCall(legs[1]) == nil {
				target = legs[1]
			}
		}
		id := newUUID()
		vars := []string{"origination_uuid=" + id, "eavesdrop_enable_dtmf=true",
			varListenCall + "=" + a.Call, varListenPhone + "=" + a.Phone, varListenMode + "=" + a.Mode}
		switch a.Mode {
		case adapters.ModeWhisper:
			vars = append(vars, "eavesdrop_whisper_aleg=true")
		case adapters.ModeBarge:
			vars = append(vars, "eavesdrop_whisper_aleg=true", "eavesdrop_whisper_bleg=true")
		}
		return plan{bg: true, id: id, what: what,
			line: "originate {" + strings.Join(vars, ",") + "}" + phone.DialString + " &eavesdrop(" + target + ")"}, true, nil
	case adapters.StopListening:
		if err := checkCall(a.Call); err != nil {
			return plan{}, true, err
		}
		if _, err := rules.Endpoint("phone", a.Phone); err != nil {
			return plan{}, true, err
		}
		what := "stop listening to call " + a.Call + " from " + a.Phone
		if listenerOf == nil {
			return plan{what: what}, true, nil
		}
		l, on := listenerOf(a.Call, a.Phone)
		if !on || checkCall(l.Leg) != nil {
			return plan{}, true, fmt.Errorf("%s: %s is not listening: %w", what, a.Phone, adapters.ErrNotFound)
		}
		return plan{id: l.Leg, what: what, line: "uuid_kill " + l.Leg}, true, nil
	}
	return plan{}, false, nil
}

// doSupervision runs a validated plan. A bgapi reply only says the job was
// queued; the PBX's verdict arrives as BACKGROUND_JOB and, for a failure,
// ends the returned id with the PBX's reason (listeners.go).
func (n *Node) doSupervision(ctx context.Context, a adapters.Action, p plan) (string, error) {
	l := n.currentLink()
	if l == nil {
		return "", fmt.Errorf("%s: node %s is not connected: %w", p.what, n.cfg.ID, adapters.ErrUnavailable)
	}
	if h, ok := a.(adapters.HoldCall); ok && len(n.legsOf(h.Call)) == 0 {
		// uuid_hold answers +OK Success for a uuid that does not exist.
		return "", fmt.Errorf("%s: %w", p.what, adapters.ErrNotFound)
	}
	if p.bg {
		reply, err := l.bgapi(ctx, p.line)
		if err != nil {
			return "", fmt.Errorf("%s: %w", p.what, err)
		}
		if err := replyError(p.what, reply); err != nil {
			return "", err
		}
		return p.id, nil
	}
	reply, err := l.api(ctx, p.line)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p.what, err)
	}
	if err := replyError(p.what, reply); err != nil {
		return "", err
	}
	if p.id != "" {
		return p.id, nil
	}
	return strings.TrimSpace(reply), nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// newUUID is a random (v4) uuid for origination_uuid.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
