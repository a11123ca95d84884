package main

import (
	"github.com/callboard/callboard/internal/config"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/alerts"
	"github.com/callboard/callboard/server/natsout"
)

// outConfig maps the config file's nats, metrics and alerts sections.
func outConfig(cfg *config.Config) server.OutConfig {
	out := server.OutConfig{MetricsListen: cfg.Metrics.Listen}
	if n := cfg.NATS; n.URL != "" {
		out.NATS = &natsout.Config{URL: n.URL, User: n.User, Password: n.Password.Reveal(), Token: n.Token.Reveal(), CredsFile: n.CredsFile,
			Prefix: n.Prefix, Stream: n.Stream, StreamMaxAge: n.StreamMaxAge, Buffer: n.Buffer}
	}
	a := cfg.Alerts
	out.Alerts = server.AlertsConfig{TelegramAPI: a.TelegramAPI, MaxAttempts: a.MaxAttempts, BackoffBase: a.BackoffBase,
		BackoffMax: a.BackoffMax, RequestTimeout: a.RequestTimeout}
	for _, d := range a.Destinations {
		out.Alerts.Destinations = append(out.Alerts.Destinations, alerts.SeedDestination{Name: d.Name, Kind: d.Kind, URL: d.URL,
			Secret: d.Secret.Reveal(), ChatID: d.ChatID})
	}
	for _, r := range a.Rules {
		out.Alerts.Rules = append(out.Alerts.Rules, alerts.SeedRule{Name: r.Name, Kind: r.Kind, Severity: r.Severity, Pattern: r.Pattern,
			Regex: r.Regex, Speaker: r.Speaker, Threshold: r.Threshold, Destinations: r.Destinations})
	}
	return out
}
