// Package historyapi serves call history (docs/history.md): the filtered,
// paged list of calls, one call with its transcript (stored lines merged
// with live ones) and conference timeline, and its export as JSON or
// formula-safe CSV. Each read first lets the recorder write what it holds,
// briefly, and says so in a header when it could not.
package historyapi
