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

// buildNodes makes every configured node through its kind's registration
// (the blank imports in kinds.go); there is no per-kind code here.
func buildNodes(cfg *config.Config, log *slog.Logger) ([]adapters.Node, error) {
	nodes := make([]adapters.Node, 0, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		node, err := n.Build(log)
		if err != nil {
			return nil, fmt.Errorf("nodes[%d] (%s): %w", i, n.ID, err)
		}
		nodes = append(nodes, node)
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
		Out:              outConfig(cfg),
		OIDC:             oidcConfig(cfg.OIDC),
	}, nodes)
	if err != nil {
		return err
	}
	log.Info("callboard starting", "listen", cfg.Listen, "nodes", len(nodes), "data_dir", cfg.DataDir)
	return srv.Run(ctx)
}
