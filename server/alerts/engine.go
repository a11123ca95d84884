package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server/bus"
	"github.com/callboard/callboard/server/store"
)

// Options configure a Service. Zero values take the documented defaults.
type Options struct {
	Store store.AlertStore
	Tap   *bus.Tap
	// Notify shows a fired alert to signed-in supervisors (the websocket
	// hub's toast); called from the engine goroutine, must not block.
	Notify func(Fired)
	// TelegramAPI is the Bot API base URL; default https://api.telegram.org.
	TelegramAPI    string
	MaxAttempts    int           // attempts before dead-letter; default 8
	BackoffBase    time.Duration // first retry delay; default 5s (doubling)
	BackoffMax     time.Duration // cap on one delay; default 10 min
	RequestTimeout time.Duration // bound on one delivery; default 10s
	PollInterval   time.Duration // outbox poll; default 1s (a new alert kicks it at once)
	TickInterval   time.Duration // duration/wait rules' clock; default 1s
	MaxInput       int           // transcript bytes matched; default DefaultMaxInput
	Buffer         int           // bus subscription size; default 4096
	HTTPClient     *http.Client  // default: a client without redirects
	Now            func() time.Time
	Logger         *slog.Logger
}

// Fired is an alert as shown to supervisors.
type Fired struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	Kind     string    `json:"kind"`
	Node     string    `json:"node,omitempty"`
	CallID   string    `json:"callId,omitempty"`
	Summary  string    `json:"summary"`
}

// Stats are the service's counters (metrics).
type Stats struct {
	Fired, Delivered, Failed, Dead, StoreErrors uint64
	BusDropped                                  uint64
}

// Service is the rule engine and the deliverer. Create with New, Reload the
// rules, then Run.
type Service struct {
	opts Options
	log  *slog.Logger
	sub  *bus.Subscription
	kick chan struct{}

	rules atomic.Pointer[[]*compiled]

	fired, delivered, failed, dead, storeErrs atomic.Uint64

	// Engine goroutine only.
	calls     map[string]callTrack  // call key -> what duration rules need
	queued    map[string]queueTrack // node/member id -> waiting caller (queuewait.go)
	queueFull bool                  // MaxQueued reached (logged once)
	done      map[string]bool       // rule id + subject already fired (once per call/utterance)

	busyMu sync.Mutex
	busy   map[string]bool // destinations with a delivery in flight
}

type callTrack struct {
	node, id string
	since    time.Time
}

// New returns a Service subscribed to opts.Tap.
func New(opts Options) *Service {
	if opts.TelegramAPI == "" {
		opts.TelegramAPI = "https://api.telegram.org"
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 5 * time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 10 * time.Minute
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.TickInterval <= 0 {
		opts.TickInterval = time.Second
	}
	if opts.MaxInput <= 0 {
		opts.MaxInput = DefaultMaxInput
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{opts: opts, log: opts.Logger, kick: make(chan struct{}, 1),
		calls: make(map[string]callTrack), queued: make(map[string]queueTrack), done: make(map[string]bool), busy: make(map[string]bool)}
	if opts.Tap != nil {
		s.sub = opts.Tap.Subscribe("alerts", opts.Buffer)
	}
	empty := []*compiled{}
	s.rules.Store(&empty)
	return s
}

// Stats reads the counters.
func (s *Service) Stats() Stats {
	st := Stats{Fired: s.fired.Load(), Delivered: s.delivered.Load(), Failed: s.failed.Load(), Dead: s.dead.Load(), StoreErrors: s.storeErrs.Load()}
	if s.sub != nil {
		st.BusDropped = s.sub.Dropped()
	}
	return st
}

// Reload reads the rules from the store; call it after every change.
func (s *Service) Reload(ctx context.Context) error {
	rules, err := s.opts.Store.ListAlertRules(ctx)
	if err != nil {
		return fmt.Errorf("reload alert rules: %w", err)
	}
	dests, err := s.opts.Store.ListAlertDestinations(ctx)
	if err != nil {
		return fmt.Errorf("reload alert rules: %w", err)
	}
	known := make(map[string]bool, len(dests))
	for _, d := range dests {
		known[d.ID] = true
	}
	out := make([]*compiled, 0, len(rules))
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		// A rule pointing at a deleted destination still fires to the rest.
		live := r.Destinations[:0:0]
		for _, d := range r.Destinations {
			if known[d] {
				live = append(live, d)
			}
		}
		r.Destinations = live
		c, err := Validate(r, known)
		if err != nil { // stored rules were validated; a bad one is skipped, not fatal
			s.log.Warn("alert rule skipped", "rule", r.Name, "err", err)
			continue
		}
		out = append(out, c)
	}
	s.rules.Store(&out)
	return nil
}

// Run evaluates events and delivers the outbox until ctx ends.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.deliverLoop(ctx) })
	if s.sub != nil {
		defer s.sub.Close()
		tick := time.NewTicker(s.opts.TickInterval)
		defer tick.Stop()
		for done := false; !done; {
			select {
			case <-ctx.Done():
				done = true
			case ev := <-s.sub.C():
				s.evaluate(ctx, ev)
			case <-tick.C:
				s.tick(ctx)
			}
		}
	}
	wg.Wait()
}

// evaluate runs every rule on one event.
func (s *Service) evaluate(ctx context.Context, ev bus.Event) {
	s.track(ev)
	for _, r := range *s.rules.Load() {
		if a, ok := s.match(r, ev); ok {
			s.fire(ctx, r, a)
		}
	}
}

// track keeps what the clock-driven rules need.
func (s *Service) track(ev bus.Event) {
	switch {
	case ev.Kind == bus.KindCall && ev.Call != nil:
		key := ev.CallKey()
		if ev.Name == bus.CallEnded {
			delete(s.calls, key)
			s.forget(key)
		} else if _, ok := s.calls[key]; !ok {
			s.calls[key] = callTrack{node: ev.Call.Node, id: ev.Call.ID, since: ev.Call.CreatedAt}
		}
	case ev.Kind == bus.KindQueue && ev.Queue != nil:
		s.trackQueue(ev)
	}
}

// forget drops the once-per-subject marks of an ended call or queue wait.
func (s *Service) forget(subject string) {
	for _, r := range *s.rules.Load() {
		delete(s.done, fmt.Sprint(r.ID, " ", subject))
	}
}

func (s *Service) once(r *compiled, subject string) bool {
	k := fmt.Sprint(r.ID, " ", subject)
	if s.done[k] {
		return false
	}
	s.done[k] = true
	return true
}

// firedBefore tells whether r already fired about the call since the
// subject began (the call's start, the caller's join): the once-marks live
// in memory, so after a restart the database answers. A store error fires
// again: a duplicate alert is better than a lost one.
func (s *Service) firedBefore(ctx context.Context, r *compiled, node, call string, since time.Time) bool {
	if call == "" {
		return false
	}
	fired, err := s.opts.Store.AlertFiredSince(ctx, r.ID, node, call, since)
	if err != nil {
		s.log.Warn("alert: cannot tell whether it already fired; firing", "rule", r.Name, "err", err)
		return false
	}
	return fired
}

// match decides whether r fires on ev and describes the alert.
func (s *Service) match(r *compiled, ev bus.Event) (store.Alert, bool) {
	a := store.Alert{Node: ev.Node}
	switch r.Kind {
	case KindTranscript:
		u := ev.Utterance
		if ev.Kind != bus.KindUtterance || u == nil || !u.Final || (r.Speaker != "" && string(u.Speaker) != r.Speaker) {
			return a, false
		}
		text := clip(u.Text, s.opts.MaxInput)
		if !r.re.MatchString(text) {
			return a, false
		}
		a.CallID = u.CallID
		a.Summary = fmt.Sprintf("%s said %q", speakerName(u.Speaker), clip(text, 200))
		return a, true
	case KindNodeDown:
		if ev.Kind != bus.KindNode || ev.Name != bus.NodeDown {
			return a, false
		}
		reason := ""
		if ev.Status != nil && ev.Status.Reason != "" {
			reason = ": " + clip(ev.Status.Reason, 200)
		}
		a.Summary = "node " + ev.Node + " is down" + reason
		return a, true
	case KindConferenceLocked:
		if ev.Kind != bus.KindConference || ev.Name != bus.ConferenceLocked || ev.Conference == nil {
			return a, false
		}
		a.Conference = ev.Conference.Name
		a.Summary = "conference " + ev.Conference.Name + " on " + ev.Node + " was locked"
		return a, true
	case KindActionRefused:
		if ev.Kind != bus.KindAction || ev.Action == nil || ev.Action.Result != "refused" {
			return a, false
		}
		a.Summary = fmt.Sprintf("the PBX refused %s on %s (by %s): %s", ev.Action.Name, ev.Action.Target, ev.Action.User, clip(ev.Action.Detail, 200))
		return a, true
	}
	return a, false
}

func speakerName(sp adapters.Speaker) string {
	if sp == "" {
		return "someone"
	}
	return string(sp)
}

// tick fires the duration and waiting rules.
func (s *Service) tick(ctx context.Context) {
	now := s.opts.Now()
	for _, r := range *s.rules.Load() {
		switch r.Kind {
		case KindCallDuration:
			limit := time.Duration(r.Threshold) * time.Minute
			for key, c := range s.calls {
				if !c.since.IsZero() && now.Sub(c.since) >= limit && s.once(r, key) && !s.firedBefore(ctx, r, c.node, c.id, c.since) {
					s.fire(ctx, r, store.Alert{Node: c.node, CallID: c.id,
						Summary: fmt.Sprintf("call %s on %s is longer than %d min", c.id, c.node, r.Threshold)})
				}
			}
		case KindQueueWait:
			s.tickQueueWait(ctx, r, now)
		}
	}
}

// fire stores the alert with its outbox rows, kicks the deliverer and
// notifies the supervisors.
func (s *Service) fire(ctx context.Context, r *compiled, a store.Alert) {
	a.At, a.RuleID, a.RuleName, a.Severity, a.Kind = s.opts.Now().UTC(), r.ID, r.Name, r.Severity, r.Kind
	id, err := s.opts.Store.AddAlert(ctx, a, r.Destinations)
	if err != nil {
		s.storeErrs.Add(1)
		s.log.Error("alert not stored", "rule", r.Name, "err", err)
		return
	}
	s.fired.Add(1)
	s.wake()
	if s.opts.Notify != nil {
		s.opts.Notify(Fired{ID: id, At: a.At, Rule: a.RuleName, Severity: a.Severity, Kind: a.Kind, Node: a.Node, CallID: a.CallID, Summary: a.Summary})
	}
}

func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
