package audio

import (
	"fmt"

	"github.com/callboard/callboard/adapters"
)

// Side is a direction of a call's audio (adapters.AudioLeft, AudioRight,
// AudioMix).
type Side = adapters.AudioSide

// Sides lists the sides in wire order.
var Sides = [...]Side{adapters.AudioLeft, adapters.AudioRight, adapters.AudioMix}

// ParseSide accepts left|right|mix and the people names caller|agent|bot.
func ParseSide(s string) (Side, error) {
	switch s {
	case "left", "caller":
		return adapters.AudioLeft, nil
	case "right", "agent", "bot":
		return adapters.AudioRight, nil
	case "mix":
		return adapters.AudioMix, nil
	}
	return "", fmt.Errorf("audio side %q: want left, right or mix: %w", s, adapters.ErrInvalid)
}

// sideIndex is the side's slot (0..2), its wire byte minus one; -1 if unknown.
func sideIndex(s Side) int {
	for i, v := range Sides {
		if v == s {
			return i
		}
	}
	return -1
}

// Key names a call on a node.
type Key struct {
	Node string
	Call string
}

func (k Key) String() string { return k.Node + "/" + k.Call }

// validRate says whether rate is a sample rate the hub relays.
func validRate(rate int) bool { return rate == 8000 || rate == 16000 }
