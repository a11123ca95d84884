// Package bus is callboard's domain-event tap: the one seam through which
// everything that leaves the live path (NATS, metrics, alerts, and later the
// bus between several callboard instances) sees what happened.
//
// The Tap is a live.Observer: the live state's owner goroutine hands it every
// applied adapter event with the changes it caused, and the Tap turns them
// into named domain events (call.created, call.answered, member.muted,
// utterance.final, node.down, ...; docs/events.md). Actions taken through the
// REST API, with their verdict, are published into the same Tap by the action
// handler (Tap.Publish).
//
// Delivery never slows the live path: each Subscription has its own bounded
// buffer and a send that would block is dropped and counted
// (Subscription.Dropped). A consumer that must not lose events sizes its
// buffer; one that may (metrics) accepts the count.
package bus
