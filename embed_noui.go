//go:build no_ui

package callboard

import "io/fs"

// UI is nil in builds tagged no_ui (API-only servers and fast test builds).
func UI() fs.FS { return nil }
