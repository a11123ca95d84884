// Package web is the protocol plumbing shared by callboard's handler
// packages: the JSON error every route answers with (its codes and Echo's
// error handler), path parameters unescaped, strict JSON bodies, list query
// ranges, the live-state read (503 while the state is not running), node
// lookup from the path, and the clipping and CSV-cell hygiene applied to
// what clients send. It holds no handler of its own.
package web
