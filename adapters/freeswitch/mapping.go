package freeswitch

import (
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/percipia/eslgo"
)

// mapper turns ordered ESL events into model changes and domain events.
type mapper struct {
	m         *model
	cc        *ccModel                  // queues and agents (ccmodel.go)
	rules     []adapters.TranscriptRule // defaulted (effectiveRules)
	promptVar string                    // header name of the bot prompt channel variable
	log       *slog.Logger
	now       func() time.Time
	audioLegs map[string]bool // callboard's own audio legs (audio.go)
}

func newMapper(node string, rules []adapters.TranscriptRule, botPromptVariable string, log *slog.Logger) *mapper {
	return &mapper{
		m:         newModel(node),
		cc:        newCCModel(node),
		rules:     rules,
		promptVar: "variable_" + botPromptVariable,
		log:       log,
		now:       time.Now,
	}
}

// apply maps one event and returns what to emit.
func (p *mapper) apply(ev *eslgo.Event) []adapters.Event {
	if p.audioLegEvent(ev) {
		return nil // callboard's own audio leg (audio.go), never a call
	}
	if out, ok := p.listenerEvent(ev); ok {
		return out
	}
	switch name := eventName(ev); name {
	case "BACKGROUND_JOB":
		return p.originateFailure(ev)
	case "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_CALLSTATE",
		"CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_HOLD", "CHANNEL_UNHOLD":
		return p.upsertLeg(ev)
	case "CHANNEL_HANGUP_COMPLETE", "CHANNEL_DESTROY":
		uuid := header(ev, "Unique-ID")
		if !uuidPattern.MatchString(uuid) {
			return nil
		}
		return p.m.removeLeg(uuid, header(ev, "Hangup-Cause"), eventTime(ev, p.now()))
	case "CHANNEL_EXECUTE":
		return p.botPrompt(ev)
	case "CUSTOM":
		sub := header(ev, "Event-Subclass")
		if sub == "conference::maintenance" {
			return p.conferenceEvent(ev)
		}
		if sub == ccSubclass {
			return p.cc.applyCC(ev, p.now())
		}
		if r := ruleFor(p.rules, sub); r != nil {
			return p.transcript(ev, r)
		}
	}
	return nil
}

// legRefs lists the other channels a channel event names: the other half of
// a loopback pair, the bridge peer, the originating leg.
func legRefs(ev *eslgo.Event) []string {
	var refs []string
	for _, h := range []string{"variable_other_loopback_leg_uuid", "Other-Leg-Unique-ID", "Channel-Call-UUID",
		"Bridge-A-Unique-ID", "Bridge-B-Unique-ID", "variable_originating_leg_uuid"} {
		if v := header(ev, h); uuidPattern.MatchString(v) && !slices.Contains(refs, v) {
			refs = append(refs, v)
		}
	}
	return refs
}

// legState maps FreeSWITCH's call state and answer state to a Call* state.
func legState(callState, answerState string) string {
	switch {
	case callState == "HANGUP" || answerState == "hangup":
		return adapters.CallHangup
	case callState == "HELD":
		return adapters.CallHeld
	case answerState == "answered" || callState == "ACTIVE":
		return adapters.CallActive
	}
	return adapters.CallRinging
}

// partyOf is a channel's caller id. FreeSWITCH flips the caller id of every
// originated A leg (outbound) to the callee's ("Outbound Call"/"default"), so
// there the original caller id is the real one.
func partyOf(ev *eslgo.Event) (name, number string) {
	if header(ev, "Call-Direction") == "outbound" {
		if n, num := header(ev, "Caller-Orig-Caller-ID-Name"), header(ev, "Caller-Orig-Caller-ID-Number"); n != "" || num != "" {
			return n, num
		}
	}
	return header(ev, "Caller-Caller-ID-Name"), header(ev, "Caller-Caller-ID-Number")
}

// placeholderName is FreeSWITCH's callee name for an originated channel.
const placeholderName = "Outbound Call"

func (p *mapper) upsertLeg(ev *eslgo.Event) []adapters.Event {
	m := p.m
	uuid := header(ev, "Unique-ID")
	if !uuidPattern.MatchString(uuid) || m.goneLegs[uuid] {
		return nil
	}
	refs := legRefs(ev)
	l := m.legs[uuid]
	var out []adapters.Event
	if l == nil {
		l = &leg{joined: len(m.legs) + len(m.goneOrder)}
		l.UUID = uuid
		l.CreatedAt = microTime(header(ev, "Caller-Channel-Created-Time"))
		if l.CreatedAt.IsZero() {
			l.CreatedAt = eventTime(ev, p.now())
		}
		l.callerName, l.callerNumber = partyOf(ev)
		l.calleeNumber = header(ev, "Caller-Destination-Number")
		if n := header(ev, "Caller-Callee-ID-Name"); n != placeholderName {
			l.calleeName = n
		}
		m.legs[uuid] = l
		m.attachLeg(l, refs)
	}
	if n := header(ev, "Channel-Name"); n != "" {
		l.Name = n
	}
	if d := header(ev, "Call-Direction"); d != "" {
		l.Direction = d
	}
	l.State = legState(header(ev, "Channel-Call-State"), header(ev, "Answer-State"))
	if eventName(ev) == "CHANNEL_ANSWER" && l.State == adapters.CallRinging {
		l.State = adapters.CallActive
	}
	if t := microTime(header(ev, "Caller-Channel-Answered-Time")); !t.IsZero() {
		l.answeredAt = t
	} else if l.State == adapters.CallActive && l.answeredAt.IsZero() {
		l.answeredAt = eventTime(ev, p.now())
	}
	out = append(out, m.link(l, refs)...)
	return append(out, m.touchCall(l.callID)...)
}

// botPrompt turns the bot's speak/playback executions into bot utterances.
func (p *mapper) botPrompt(ev *eslgo.Event) []adapters.Event {
	uuid := header(ev, "Unique-ID")
	if uuid == "" {
		return nil
	}
	var text string
	switch app, data := header(ev, "Application"), header(ev, "Application-Data"); app {
	case "speak":
		// speak's data is engine|voice|text; the text may itself contain no '|'.
		if i := strings.LastIndex(data, "|"); i >= 0 {
			data = data[i+1:]
		}
		text = strings.TrimSpace(data)
	case "playback":
		if data == "" || strings.HasPrefix(data, "tone_stream://") || strings.HasPrefix(data, "silence_stream://") {
			return nil
		}
		text = strings.TrimSpace(header(ev, p.promptVar))
	default:
		return nil
	}
	if text == "" {
		return nil
	}
	return []adapters.Event{adapters.UtteranceAdded{Utterance: adapters.Utterance{
		Node: p.m.node, CallID: p.m.callOf(uuid), Speaker: adapters.SpeakerBot,
		Text: text, Final: true, At: eventTime(ev, p.now()),
	}}}
}

// transcript maps a CUSTOM event matched by a transcript rule to an
// utterance of the rule's speaker. A body that does not parse is logged and
// skipped.
func (p *mapper) transcript(ev *eslgo.Event, r *adapters.TranscriptRule) []adapters.Event {
	subclass := r.Event
	uuid := header(ev, "Unique-ID")
	if uuid == "" {
		p.log.Debug("transcript without Unique-ID skipped", "subclass", subclass)
		return nil
	}
	callID := p.m.callOf(uuid)
	t, err := parseRuleBody(r, ev.Body)
	if err != nil {
		p.log.Warn("transcript body not understood, skipped", "call", callID, "subclass", subclass,
			"bytes", len(ev.Body), "err", err)
		p.log.Debug("transcript body", "call", callID, "body", string(ev.Body))
		return nil
	}
	if t.text == "" {
		return nil // engines send empty interim results; nothing to show
	}
	vendor := header(ev, "transcription-vendor")
	if vendor == "" {
		vendor = t.vendor
	}
	return []adapters.Event{adapters.UtteranceAdded{Utterance: adapters.Utterance{
		Node: p.m.node, CallID: callID, Speaker: speakerOf(r, ev),
		Text: t.text, Final: t.final, StartMs: t.startMs, EndMs: t.endMs, Vendor: vendor,
		At: eventTime(ev, p.now()),
	}}}
}
