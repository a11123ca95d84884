package alerts

import (
	"context"
	"errors"
	"fmt"

	"github.com/callboard/callboard/server/store"
)

// SeedDestination is a destination from the config file; Secret was
// resolved from the environment or a file by the config loader.
type SeedDestination struct {
	Name, Kind, URL, Secret, ChatID string
}

// SeedRule is a rule from the config file; Destinations are names.
type SeedRule struct {
	Name, Kind, Severity, Pattern, Speaker string
	Regex                                  bool
	Threshold                              int64
	Destinations                           []string
}

// Seed inserts the config file's destinations and rules that the database
// does not have yet (by name). What an admin changed in the UI is kept: the
// file seeds, it does not overwrite. It then loads the rules.
func (s *Service) Seed(ctx context.Context, dests []SeedDestination, rules []SeedRule) error {
	now := s.opts.Now().UTC()
	for _, sd := range dests {
		d := store.AlertDestination{ID: newID(), Name: sd.Name, Kind: sd.Kind, URL: sd.URL, Secret: sd.Secret, ChatID: sd.ChatID, CreatedAt: now}
		if err := ValidateDestination(d); err != nil {
			return fmt.Errorf("alerts.destinations %s: %w", sd.Name, err)
		}
		if err := s.opts.Store.CreateAlertDestination(ctx, d); err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("seed alert destination %s: %w", sd.Name, err)
		}
	}
	all, err := s.opts.Store.ListAlertDestinations(ctx)
	if err != nil {
		return fmt.Errorf("seed alert rules: %w", err)
	}
	byName := make(map[string]string, len(all))
	known := make(map[string]bool, len(all))
	for _, d := range all {
		byName[d.Name], known[d.ID] = d.ID, true
	}
	for _, sr := range rules {
		r := store.AlertRule{Name: sr.Name, Kind: sr.Kind, Severity: sr.Severity, Pattern: sr.Pattern, Regex: sr.Regex, Speaker: sr.Speaker,
			Threshold: sr.Threshold, Enabled: true, CreatedAt: now, UpdatedAt: now}
		for _, n := range sr.Destinations {
			id, ok := byName[n]
			if !ok {
				return fmt.Errorf("alerts.rules %s: unknown destination %q", sr.Name, n)
			}
			r.Destinations = append(r.Destinations, id)
		}
		if _, err := Validate(r, known); err != nil {
			return fmt.Errorf("alerts.rules %s: %w", sr.Name, err)
		}
		if _, err := s.opts.Store.CreateAlertRule(ctx, r); err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("seed alert rule %s: %w", sr.Name, err)
		}
	}
	return s.Reload(ctx)
}
