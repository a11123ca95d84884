// Package alerts evaluates alert rules on domain events (server/bus) and
// delivers the alerts they fire through a database outbox (docs/alerts.md).
//
// Rules live in the database (store.AlertStore), are edited by admins over
// the REST API (the Alerts screen) and may be seeded from the config file.
// Kinds: transcript (a word or an RE2 expression in a final transcript line
// of the caller, the bot or anyone; the line is cut to MaxInput bytes before
// matching, so with RE2's linear time no line can make a match run away),
// call_duration (a call longer than N minutes), queue_wait (a caller waiting
// in a queue longer than N seconds: waiting callers are tracked from the
// bus's queue.member_* events and checked on the engine's clock, so a caller
// who just sits there fires it; queuewait.go),
// node_down, conference_locked and action_refused (the PBX refused an
// action).
//
// The Engine reads its own bounded bus subscription, so evaluating and
// storing never slows the live path. A fired alert is stored with one outbox
// row per destination in one transaction, then shown to signed-in
// supervisors (Notify: a websocket toast) and in the call's history
// timeline. The Deliverer sends due outbox rows: at most one request in
// flight per destination, each bounded by a timeout, so a destination that
// hangs or answers 500 delays only itself. Failures are retried with
// exponential backoff and jitter; after MaxAttempts, or on a permanent
// refusal (4xx other than 408/425/429), the row is dead-lettered. Rows are
// leased while in flight, so a crash or restart retries them: delivery is at
// least once (receivers dedupe on X-Callboard-Delivery).
package alerts
