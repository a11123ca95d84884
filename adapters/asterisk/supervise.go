package asterisk

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strconv"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/dialplan"
)

// Call control and supervision (issue 11) as ARI requests, in the forms the
// call-control captures of Asterisk 22.10.1 show working:
//
//	originate  POST /channels?endpoint=PJSIP/1001&extension=1002&context=C&priority=1&channelId=cb-call-U&otherChannelId=cb-call-U-2[&timeout=T]
//	           body {"variables":{"CALLERID(name)":..,"CALLERID(num)":..}}            (i1)
//	transfer   POST /channels/{ch}/continue?context=C&extension=1012&priority=1      (c1)
//	hold       POST|DELETE /channels/{ch}/hold                                       (b1)
//	listen     POST /channels/{agent}/snoop?spy=both&whisper=none|out|both&app=A&snoopId=cb-snoop-U
//	           POST /bridges?type=mixing&bridgeId=cb-spy-U
//	           POST /channels/create?endpoint=PJSIP/1009&app=A&channelId=cb-sup-U   (i1)
//	           POST /bridges/{b}/addChannel?channel=cb-snoop-U,cb-sup-U; POST /channels/cb-sup-U/dial  (d1)
//	mode       a new snoop with the mode's whisper into the same bridge, then DELETE the old snoop
//	stop       DELETE /channels/cb-sup-U, the snoop and the bridge
//
// continue, redirect and hold need the channel in callboard's Stasis
// application (409 "Channel not in Stasis application" otherwise, b1/c1);
// snoop does not. redirect is never sent: on a Local channel it answers 204
// and does nothing (c2), and continue reaches any dialplan extension anyway.

// nameUnsafe are the characters refused in a caller id name. The name
// travels as a JSON variable (CALLERID(name), i1: "Body Name" arrived
// intact), so quotes, spaces and Korean are safe; these are refused because
// a dialplan that rebuilds "name" <number> (CALLERID(all)) or a list would
// read them, and so that both kinds refuse the same separators.
const nameUnsafe = `{}[],&|^\<>;`

// Own ids: callboard names the channels and bridges it creates, so the id
// is known before Asterisk answers and events of supervision channels are
// recognised by their id alone (they never show as calls).
const (
	prefixCall   = "cb-call-"  // an originated call
	prefixSup    = "cb-sup-"   // a supervisor's phone
	prefixSnoop  = "cb-snoop-" // a snoop channel on a supervised call
	prefixBridge = "cb-spy-"   // the bridge joining them
)

// validateSupervision checks a call-control action without I/O; ok is
// false for other actions.
func (n *Node) validateSupervision(a adapters.Action) (ok bool, err error) {
	rules := &n.cfg.Dial
	call := func(id string) error {
		if err := validID(id); err != nil {
			return fmt.Errorf("%s call: %w", a.Kind(), err)
		}
		return nil
	}
	switch a := a.(type) {
	case adapters.Originate:
		_, _, err := n.originateTargets(a)
		return true, err
	case adapters.TransferCall:
		if err := call(a.Call); err != nil {
			return true, err
		}
		if _, err := rules.Destination("to", a.To); err != nil {
			return true, err
		}
		switch a.Leg {
		case "", adapters.LegCaller, adapters.LegCallee, adapters.LegBoth:
			return true, nil
		}
		return true, fmt.Errorf("leg %q must be caller, callee or both: %w", a.Leg, adapters.ErrInvalid)
	case adapters.HoldCall:
		return true, call(a.Call)
	case adapters.Supervise:
		if err := call(a.Call); err != nil {
			return true, err
		}
		if _, err := rules.Endpoint("phone", a.Phone); err != nil {
			return true, err
		}
		if _, known := whisperOf[a.Mode]; !known {
			return true, fmt.Errorf("mode %q must be listen, whisper or barge: %w", a.Mode, adapters.ErrInvalid)
		}
		return true, nil
	case adapters.StopListening:
		if err := call(a.Call); err != nil {
			return true, err
		}
		_, err := rules.Endpoint("phone", a.Phone)
		return true, err
	}
	return false, nil
}

// doSupervision runs a validated call-control action; ok is false for
// other actions.
func (n *Node) doSupervision(ctx context.Context, a adapters.Action) (reply string, ok bool, err error) {
	if n.currentClient() == nil {
		return "", true, fmt.Errorf("%s on node %s: not connected: %w", a.Kind(), n.cfg.ID, adapters.ErrUnavailable)
	}
	switch a := a.(type) {
	case adapters.Originate:
		reply, err = n.originate(ctx, a)
	case adapters.TransferCall:
		reply, err = n.transfer(ctx, a)
	case adapters.HoldCall:
		reply, err = n.hold(ctx, a)
	case adapters.Supervise:
		reply, err = n.supervise(ctx, a)
	case adapters.StopListening:
		reply, err = n.stopListening(ctx, a)
	default:
		return "", false, nil
	}
	return reply, true, err
}

func (n *Node) originateTargets(a adapters.Originate) (from, to dialplan.Target, err error) {
	rules := &n.cfg.Dial
	if from, err = rules.Endpoint("from", a.From); err != nil {
		return
	}
	if to, err = rules.Destination("to", a.To); err != nil {
		return
	}
	if err = firstErr(dialplan.CallerIDName(a.CallerIDName, nameUnsafe), dialplan.CallerIDNumber(a.CallerIDNumber)); err != nil {
		return
	}
	if a.Timeout < 0 || a.Timeout.Seconds() > 999 {
		err = fmt.Errorf("timeout %s must be 1 to 999 seconds: %w", a.Timeout, adapters.ErrInvalid)
	}
	return
}

// originate rings From and, once answered, runs To in the dial context
// (i1: extension + context; ARI's default context would be "default"). The
// channel id is callboard's, so Do answers with the call id at once. A 200
// does not mean the call exists (i1: a missing extension dies at once with
// cause 0): failures after the 200 end that id with the PBX's cause, or the
// Dial status when the cause says nothing (originate.go).
func (n *Node) originate(ctx context.Context, a adapters.Originate) (string, error) {
	from, to, err := n.originateTargets(a)
	if err != nil {
		return "", err
	}
	id := prefixCall + newUUID()
	q := url.Values{
		"endpoint": {from.DialString}, "extension": {to.Value}, "context": {n.cfg.Dial.Context}, "priority": {"1"},
		// A Local endpoint has a ";2" half; named after ours it sorts after
		// it, so the call keeps the returned id.
		"channelId": {id}, "otherChannelId": {id + "-2"},
	}
	if a.Timeout > 0 {
		q.Set("timeout", strconv.Itoa(int(a.Timeout.Seconds())))
	}
	var body any
	if vars := callerVars(a.CallerIDName, a.CallerIDNumber); len(vars) > 0 {
		body = map[string]any{"variables": vars}
	}
	what := fmt.Sprintf("originate %s to %s", a.From, a.To)
	n.state.markOriginated(id)
	if err := n.ariCall(ctx, what, "POST", "/channels", q, body, nil); err != nil {
		n.state.unmarkOriginated(id)
		if ariStatus(err) == 500 {
			// 500 {"error":"Allocation failed"}: the endpoint cannot be
			// reached (i1: a technology or endpoint Asterisk cannot dial).
			return "", fmt.Errorf("%w (%w)", err, adapters.ErrRefused)
		}
		return "", err
	}
	n.log.Info("asterisk originate", "call", id, "from", a.From, "to", a.To)
	return id, nil
}

func callerVars(name, number string) map[string]string {
	vars := map[string]string{}
	if name != "" {
		vars["CALLERID(name)"] = name
	}
	if number != "" {
		vars["CALLERID(num)"] = number
	}
	return vars
}

// transfer moves one leg of a call to To in the dial context with continue
// (c1: StasisEnd, then the dialplan; a bridged channel leaves its bridge
// first). Only a channel in callboard's application can be moved.
func (n *Node) transfer(ctx context.Context, a adapters.TransferCall) (string, error) {
	what := fmt.Sprintf("transfer call %s to %s", a.Call, a.To)
	if a.Leg == adapters.LegBoth {
		return "", fmt.Errorf("%s: ARI moves one channel at a time (continue); transfer the caller or the callee: %w", what, adapters.ErrUnsupported)
	}
	to, err := n.cfg.Dial.Destination("to", a.To)
	if err != nil {
		return "", err
	}
	ch, err := n.state.controllable(a.Call, a.Leg == adapters.LegCallee, n.cfg.Application)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	q := url.Values{"context": {n.cfg.Dial.Context}, "extension": {to.Value}, "priority": {"1"}}
	if err := n.ariCall(ctx, what, "POST", "/channels/"+ch+"/continue", q, nil, nil); err != nil {
		return "", err
	}
	return ch, nil
}

// hold holds the call's channel in callboard's application. ARI answers
// 204 and sends no event (b1), so the hold is recorded (hold.go).
func (n *Node) hold(ctx context.Context, a adapters.HoldCall) (string, error) {
	what := fmt.Sprintf("%s call %s", a.Kind(), a.Call)
	ch, err := n.state.controllable(a.Call, false, n.cfg.Application)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	method := "POST"
	if !a.Held {
		method = "DELETE"
	}
	if err := n.ariCall(ctx, what, method, "/channels/"+ch+"/hold", nil, nil, nil); err != nil {
		return "", err
	}
	n.RecordHold(ch, a.Held)
	return ch, nil
}

// newUUID is a random (v4) uuid.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
