package asterisk

import (
	"fmt"
	"path"
	"slices"

	"github.com/CyCoreSystems/ari/v6"
)

// ConferenceBridges says which ARI bridges are conferences (rooms made on
// purpose). Every other bridge is a call bridge: its parties are one call
// (Dial's and Queue's "basic" bridges, Bridge(), transfer bridges).
//
// A bridge is a conference when its bridge_type is in Types, its
// bridge_class is in Classes and its name matches one of Names (path.Match
// patterns; "?*" is any non-empty name). Empty lists take the defaults.
type ConferenceBridges struct {
	Types   []string `yaml:"types"`
	Classes []string `yaml:"classes"`
	Names   []string `yaml:"names"`
}

// DefaultConferenceBridges: named mixing bridges made by a Stasis
// application (class "stasis") or by ConfBridge (class "base", creator
// ConfBridge, named after the room). Dial's bridges are class "basic" and
// unnamed, so they are never conferences (see the call-control captures).
func DefaultConferenceBridges() ConferenceBridges {
	return ConferenceBridges{Types: []string{"mixing"}, Classes: []string{"stasis", "base"}, Names: []string{"?*"}}
}

// withDefaults fills empty lists and checks the patterns.
func (r ConferenceBridges) withDefaults() (ConferenceBridges, error) {
	d := DefaultConferenceBridges()
	if len(r.Types) == 0 {
		r.Types = d.Types
	}
	if len(r.Classes) == 0 {
		r.Classes = d.Classes
	}
	if len(r.Names) == 0 {
		r.Names = d.Names
	}
	for _, p := range r.Names {
		if _, err := path.Match(p, ""); err != nil {
			return r, fmt.Errorf("conference bridge name pattern %q: %w", p, err)
		}
	}
	return r, nil
}

func (r ConferenceBridges) matches(d *ari.BridgeData) bool {
	if !slices.Contains(r.Types, d.Type) || !slices.Contains(r.Classes, d.Class) {
		return false
	}
	for _, p := range r.Names {
		if ok, _ := path.Match(p, d.Name); ok {
			return true
		}
	}
	return false
}
