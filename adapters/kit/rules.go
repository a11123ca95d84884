package kit

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// NodeIDPattern is what a node id looks like: it names environment
// variables (CALLBOARD_NODE_<ID>_...) and appears in URLs.
var NodeIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// MediaNamePattern is what a media allowlist name looks like: browsers send
// the name, never the target, and it appears in URLs and the UI.
var MediaNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// CheckNodeID validates a node id.
func CheckNodeID(id string) error {
	if !NodeIDPattern.MatchString(id) {
		return fmt.Errorf("%q must match %s", id, NodeIDPattern)
	}
	return nil
}

// CheckMedia validates a media allowlist: every name by MediaNamePattern,
// every target by the kind's rule target. Errors name "media.<name>"; they
// are checked in name order so the first error is always the same.
func CheckMedia(media map[string]string, target func(string) error) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(media)) {
		if !MediaNamePattern.MatchString(name) {
			errs = append(errs, fmt.Errorf("media.%s: media names must match %s", name, MediaNamePattern))
			continue
		}
		if err := target(media[name]); err != nil {
			errs = append(errs, fmt.Errorf("media.%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// OneToken refuses an empty media target and any whitespace or control
// character: a target is spliced into a command line or a URL parameter.
func OneToken(t string) error {
	if t == "" {
		return errors.New("empty target")
	}
	for _, r := range t {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("target %q contains whitespace or a control character", t)
		}
	}
	return nil
}
