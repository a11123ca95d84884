//go:build !no_ui

package callboard

import (
	"embed"
	"io/fs"
)

// ui/dist holds a committed placeholder (.keep) so a clean checkout compiles
// before `make ui` has produced the real assets.
//
//go:embed all:ui/dist
var dist embed.FS

// UI returns the built SPA (index.html, assets/...). On a checkout where the UI
// was not built it holds no index.html and the server shows a notice instead.
func UI() fs.FS {
	sub, err := fs.Sub(dist, "ui/dist")
	if err != nil {
		return nil
	}
	return sub
}
