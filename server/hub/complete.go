package hub

import (
	"context"

	"github.com/callboard/callboard/adapters"
)

// TranscriptCompleter returns a call's full transcript given the live
// state's lines for it (e.g. stored lines merged in, so a transcript once
// shown survives a reload or a server restart). It runs outside the live
// state's goroutine and must respect ctx.
type TranscriptCompleter func(ctx context.Context, call string, live []*adapters.Utterance) []*adapters.Utterance

// complete applies Options.Complete, bounded by the query timeout.
func (h *Hub) complete(call string, lines []*adapters.Utterance) []*adapters.Utterance {
	if h.opts.Complete == nil {
		return lines
	}
	ctx, cancel := h.queryCtx()
	defer cancel()
	return h.opts.Complete(ctx, call, lines)
}
