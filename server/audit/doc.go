// Package audit writes callboard's audit log off the request path: Record
// queues an entry without blocking and one goroutine (Run) writes batches,
// each in one store transaction; PurgeEvery trims entries past the
// retention. Who, what and the verdict of each entry are the HTTP layer's
// business (server); this package only guarantees an action is never held up
// by its audit, and that machine traffic cannot crowd out people's entries.
package audit
