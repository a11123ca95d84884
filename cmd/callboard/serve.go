package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	callboard "github.com/callboard/callboard"
	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/internal/config"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store/sqlite"
)

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("CALLBOARD_CONFIG"), "path to the YAML config file (env CALLBOARD_CONFIG)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*path, os.Getenv)
	if err != nil {
		return err
	}
	if len(cfg.Nodes) == 0 {
		return fmt.Errorf("no PBX nodes configured (nodes: in %q); try `callboard demo`", *path)
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	nodes, err := buildNodes(cfg, log)
	if err != nil {
		return err
	}
	return runServer(ctx, cfg, nodes, log, stderr)
}

func buildNodes(cfg *config.Config, log *slog.Logger) ([]adapters.Node, error) {
	var nodes []adapters.Node
	for i, n := range cfg.Nodes {
		switch n.Kind {
		case "freeswitch":
			node, err := freeswitch.New(freeswitch.Config{
				ID:                n.ID,
				Address:           n.Address,
				Password:          n.Password.Reveal(),
				STTSubclasses:     n.STTSubclasses,
				Media:             n.Media,
				BotPromptVariable: n.BotPromptVariable,
				CommandTimeout:    n.CommandTimeout,
				Logger:            log,
			})
			if err != nil {
				return nil, fmt.Errorf("nodes[%d] (%s): %w", i, n.ID, err)
			}
			nodes = append(nodes, node)
		case "asterisk":
			subscribeAll := true
			if n.SubscribeAll != nil {
				subscribeAll = *n.SubscribeAll
			}
			node, err := asterisk.New(asterisk.Config{
				ID:             n.ID,
				URL:            n.URL,
				WebsocketURL:   n.WebsocketURL,
				Username:       n.Username,
				Password:       n.Password.Reveal(),
				Application:    n.Application,
				SubscribeAll:   subscribeAll,
				TalkThresholds: asterisk.TalkThresholds{Talk: n.TalkThreshold, Silence: n.SilenceMs},
				UserEventName:  n.UserEventName,
				Media:          n.Media,
				MOHClass:       n.MOHClass,
				KickHangup:     n.KickHangup,
				RESTTimeout:    n.RESTTimeout,
				Logger:         log,
				Transcripts:    n.Transcripts,
				ConferenceBridges: asterisk.ConferenceBridges{
					Types: n.ConferenceBridges.Types, Classes: n.ConferenceBridges.Classes, Names: n.ConferenceBridges.Names,
				},
				ReconcileInterval: n.ReconcileInterval,
			})
			if err != nil {
				return nil, fmt.Errorf("nodes[%d] (%s): %w", i, n.ID, err)
			}
			nodes = append(nodes, node)
		default:
			return nil, fmt.Errorf("nodes[%d].kind: %q is not supported", i, n.Kind)
		}
	}
	return nodes, nil
}

func runServer(ctx context.Context, cfg *config.Config, nodes []adapters.Node, log *slog.Logger, stderr io.Writer) error {
	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Warn("close database", "err", err)
		}
	}()
	hasher, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return err
	}
	if _, err := server.Bootstrap(ctx, st, hasher, os.Getenv("CALLBOARD_ADMIN_USER"), os.Getenv("CALLBOARD_ADMIN_PASSWORD"), stderr); err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Listen:         cfg.Listen,
		AllowedOrigins: cfg.AllowedOrigins,
		UI:             callboard.UI(),
		Logger:         log,
		Store:          st,
		Auth:           server.AuthConfig{SessionMaxAge: cfg.SessionMaxAge, SessionIdleTimeout: cfg.SessionIdleTimeout},
		TrustedProxies: cfg.TrustedProxies,
		TLSCert:        cfg.TLSCert,
		TLSKey:         cfg.TLSKey,

		HistoryRetention: time.Duration(cfg.RetentionDays) * 24 * time.Hour,
		AuditRetention:   time.Duration(cfg.AuditRetentionDays) * 24 * time.Hour,
	}, nodes)
	if err != nil {
		return err
	}
	log.Info("callboard starting", "listen", cfg.Listen, "nodes", len(nodes), "data_dir", cfg.DataDir)
	return srv.Run(ctx)
}
