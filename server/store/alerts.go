package store

import (
	"context"
	"time"
)

// Outbox states of an alert delivery (docs/alerts.md).
const (
	OutboxPending   = "pending"   // waiting for its next attempt (NextAt)
	OutboxDelivered = "delivered" // the destination accepted it
	OutboxDead      = "dead"      // given up: too many attempts or a permanent refusal
)

// AlertRule is an alert rule as stored; server/alerts validates it.
type AlertRule struct {
	ID           int64
	Name         string
	Kind         string // transcript, call_duration, queue_wait, node_down, conference_locked, action_refused
	Severity     string // info, warning, critical
	Pattern      string // transcript: a word or an RE2 expression
	Regex        bool   // transcript: Pattern is a regular expression
	Speaker      string // transcript: caller, bot, agent or "" (any)
	Threshold    int64  // call_duration: minutes; queue_wait: seconds
	Enabled      bool
	Destinations []string // destination ids
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AlertDestination is where alerts are delivered. Secret (webhook HMAC key,
// Telegram bot token) never leaves the server.
type AlertDestination struct {
	ID        string
	Name      string
	Kind      string // webhook, slack, telegram
	URL       string // webhook and slack: the URL; telegram: unused
	Secret    string
	ChatID    string // telegram
	CreatedAt time.Time
}

// Alert is one fired alert. It stays (history) after its deliveries end.
type Alert struct {
	ID         int64
	At         time.Time
	RuleID     int64 // 0 for a test
	RuleName   string
	Severity   string
	Kind       string
	Node       string
	CallID     string
	Conference string
	Summary    string
}

// OutboxItem is one delivery of an alert to one destination.
type OutboxItem struct {
	ID          int64
	AlertID     int64
	Destination string
	State       string
	Attempts    int
	NextAt      time.Time
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Alert       Alert  // joined on read
	DestName    string // joined on read ("" when the destination was deleted)
	DestKind    string
}

// AlertStore keeps alert rules, destinations, fired alerts and the outbox.
// Every method is safe for concurrent use.
type AlertStore interface {
	ListAlertRules(ctx context.Context) ([]AlertRule, error)
	CreateAlertRule(ctx context.Context, r AlertRule) (int64, error) // ErrExists (name)
	UpdateAlertRule(ctx context.Context, r AlertRule) error          // ErrNotFound, ErrExists
	DeleteAlertRule(ctx context.Context, id int64) error             // ErrNotFound

	ListAlertDestinations(ctx context.Context) ([]AlertDestination, error)
	CreateAlertDestination(ctx context.Context, d AlertDestination) error // ErrExists (name)
	DeleteAlertDestination(ctx context.Context, id string) error          // ErrNotFound

	// AddAlert stores a fired alert and one pending outbox row per
	// destination, due at a.At, atomically; it returns the alert's id.
	AddAlert(ctx context.Context, a Alert, destinations []string) (int64, error)
	// ClaimOutbox returns up to limit pending rows due at now whose
	// destination is not in busy, oldest first, and moves their NextAt to
	// now+lease so that a crash mid-delivery retries them after the lease.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int, busy []string) ([]OutboxItem, error)
	// FinishOutbox records an attempt's outcome.
	FinishOutbox(ctx context.Context, id int64, state string, attempts int, nextAt time.Time, lastErr string, now time.Time) error
	// ListOutbox lists rows of a state ("" any), newest first.
	ListOutbox(ctx context.Context, state string, limit int) ([]OutboxItem, error)
	// RetryOutbox makes a dead row pending again, due now. ErrNotFound.
	RetryOutbox(ctx context.Context, id int64, now time.Time) error
	// CountOutbox counts rows per state.
	CountOutbox(ctx context.Context) (map[string]int, error)
	// RecentAlerts lists fired alerts newest first.
	RecentAlerts(ctx context.Context, limit int) ([]Alert, error)
	// AlertFiredSince tells whether rule already fired about a call at or
	// after since: the once-per-call rules ask it before firing, so that a
	// callboard restarted mid-call does not alert twice about one call.
	AlertFiredSince(ctx context.Context, ruleID int64, node, callID string, since time.Time) (bool, error)
}
