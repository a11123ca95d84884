package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/asterisk/arifake"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/adapters/kit"
	"github.com/callboard/callboard/internal/config"
)

// Prompt allowlists of the demo nodes. The fakes play nothing, but the names
// and targets are what real nodes would configure.
var (
	demoFreeSWITCHMedia = map[string]string{
		"welcome":      "/usr/share/freeswitch/sounds/en/us/callie/ivr/8000/ivr-welcome.wav",
		"please-hold":  "/usr/share/freeswitch/sounds/en/us/callie/ivr/8000/ivr-hold_connect_call.wav",
		"beep":         "tone_stream://%(500,0,800)",
		"recording-on": "/usr/share/freeswitch/sounds/en/us/callie/ivr/8000/ivr-recording_started.wav",
	}
	demoAsteriskMedia = map[string]string{
		"welcome":     "sound:welcome",
		"please-hold": "sound:pls-hold-while-try",
		"beep":        "sound:beep",
	}
)

// demo runs the dashboard against two in-process fakes on random loopback
// ports, a FreeSWITCH (Event Socket) and an Asterisk (ARI), each playing a
// looping scenario. The real adapters connect to them over TCP, so demo mode
// exercises the production code paths.
func demo(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", envOr("CALLBOARD_LISTEN", config.DefaultListen), "address to serve the dashboard on")
	level := fs.String("log-level", envOr("CALLBOARD_LOG_LEVEL", "info"), "debug, info, warn or error")
	dataDir := fs.String("data-dir", os.Getenv("CALLBOARD_DATA_DIR"), "database directory (default: a fresh temporary directory, removed on exit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" {
		tmp, err := os.MkdirTemp("", "callboard-demo-")
		if err != nil {
			return fmt.Errorf("demo data dir: %w", err)
		}
		defer os.RemoveAll(tmp)
		*dataDir = tmp
	}
	cfg, err := config.Load("", os.Getenv)
	if err != nil {
		return err
	}
	cfg.Listen = *listen
	cfg.LogLevel = *level
	cfg.DataDir = *dataDir
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	seed := uint64(time.Now().UnixNano())

	fsNode, stopFS, err := demoFreeSWITCH(ctx, log, mrand.New(mrand.NewPCG(seed, 1)))
	if err != nil {
		return err
	}
	defer stopFS()
	astNode, stopAst, err := demoAsterisk(ctx, log, mrand.New(mrand.NewPCG(seed, 2)))
	if err != nil {
		return err
	}
	defer stopAst()
	return runServer(ctx, cfg, []adapters.Node{fsNode, astNode}, log, stderr)
}

// secret returns a fresh random password: the fakes check credentials the
// way the real servers do.
func secret() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func demoFreeSWITCH(ctx context.Context, log *slog.Logger, rng *mrand.Rand) (adapters.Node, func(), error) {
	password, err := secret()
	if err != nil {
		return nil, nil, err
	}
	pbx := eslfake.New(eslfake.Options{Password: password, Logger: log.With("component", "eslfake"), Hostname: "demo-fs"})
	if err := pbx.Start(); err != nil {
		return nil, nil, fmt.Errorf("start demo FreeSWITCH: %w", err)
	}
	go func() {
		if err := eslfake.RunDemo(ctx, pbx, rng); err != nil && ctx.Err() == nil {
			log.Error("FreeSWITCH demo scenario stopped", "err", err)
		}
	}()
	node, err := demoNode(adapters.KindFreeSWITCH, "demo-fs", password, log, map[string]any{
		"address": pbx.Addr(), "media": demoFreeSWITCHMedia, "dial": demoFreeSWITCHDial(pbx),
		// On-demand audio: the fake answers eavesdrop originates with a real
		// SIP call and a 440 Hz tone to this endpoint (any free port).
		"audio": map[string]any{"sip_listen": "127.0.0.1:0"},
	})
	if err != nil {
		pbx.Close()
		return nil, nil, err
	}
	log.Info("demo mode: simulated FreeSWITCH", "esl", pbx.Addr())
	return node, func() { pbx.Close() }, nil
}

func demoAsterisk(ctx context.Context, log *slog.Logger, rng *mrand.Rand) (adapters.Node, func(), error) {
	password, err := secret()
	if err != nil {
		return nil, nil, err
	}
	pbx, err := arifake.New(arifake.Options{Username: "callboard", Password: password, Logger: log.With("component", "arifake")})
	if err != nil {
		return nil, nil, fmt.Errorf("start demo Asterisk: %w", err)
	}
	go func() {
		if err := arifake.RunDemo(ctx, pbx, rng); err != nil && ctx.Err() == nil {
			log.Error("Asterisk demo scenario stopped", "err", err)
		}
	}()
	node, err := demoNode(adapters.KindAsterisk, "demo-ast", password, log, map[string]any{
		"url": pbx.URL(), "username": "callboard", "application": "callboard", "media": demoAsteriskMedia,
		"dial": demoAsteriskDial(pbx),
	})
	if err != nil {
		_ = pbx.Close()
		return nil, nil, err
	}
	log.Info("demo mode: simulated Asterisk", "ari", pbx.URL())
	return node, func() { _ = pbx.Close() }, nil
}

// demoNode builds a demo node from the YAML section a user would write, so
// the demo goes through the kind's registration and checks like serve does.
func demoNode(kind adapters.Kind, id, password string, log *slog.Logger, section map[string]any) (adapters.Node, error) {
	text, err := yaml.Marshal(section)
	if err != nil {
		return nil, fmt.Errorf("demo node %s: %w", id, err)
	}
	spec, err := kit.DecodeText(kind, string(text), kit.Base{ID: id, Password: password})
	if err != nil {
		return nil, fmt.Errorf("demo node %s: %w", id, err)
	}
	return spec.Build(password, log)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
