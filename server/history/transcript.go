package history

import (
	"slices"

	"github.com/callboard/callboard/adapters"
)

// MergeTranscript joins a call's stored final lines with the live state's
// lines (which may include newer partials), deduplicated by utterance id,
// oldest first. A live line wins over the stored one with the same id (it is
// the same line, perhaps still held in memory); lines with equal times keep
// stored-then-live order.
func MergeTranscript(stored []adapters.Utterance, live []*adapters.Utterance) []*adapters.Utterance {
	if len(stored) == 0 {
		return live
	}
	liveIDs := make(map[string]struct{}, len(live))
	for _, u := range live {
		liveIDs[u.ID] = struct{}{}
	}
	out := make([]*adapters.Utterance, 0, len(stored)+len(live))
	for i := range stored {
		if _, dup := liveIDs[stored[i].ID]; !dup {
			out = append(out, &stored[i])
		}
	}
	out = append(out, live...)
	slices.SortStableFunc(out, func(a, b *adapters.Utterance) int { return a.At.Compare(b.At) })
	return out
}
