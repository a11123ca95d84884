package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
	"github.com/callboard/callboard/internal/config"
)

// demoMedia is the prompt allowlist of the demo node. The fake PBX plays
// nothing, but the names and targets are what a real node would configure.
var demoMedia = map[string]string{
	"welcome":      "/usr/share/freeswitch/sounds/en/us/callie/ivr/8000/ivr-welcome.wav",
	"please-hold":  "/usr/share/freeswitch/sounds/en/us/callie/ivr/8000/ivr-hold_connect_call.wav",
	"beep":         "tone_stream://%(500,0,800)",
	"recording-on": "/usr/share/freeswitch/sounds/en/us/callie/ivr/8000/ivr-recording_started.wav",
}

// demo runs the dashboard against an in-process ESL fake on a random loopback
// port that plays a looping scenario. The real FreeSWITCH adapter connects to
// it over TCP, so demo mode exercises the production code paths.
func demo(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", envOr("CALLBOARD_LISTEN", config.DefaultListen), "address to serve the dashboard on")
	level := fs.String("log-level", envOr("CALLBOARD_LOG_LEVEL", "info"), "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load("", os.Getenv)
	if err != nil {
		return err
	}
	cfg.Listen = *listen
	cfg.LogLevel = *level
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)

	// A fresh random password per run: the fake checks it like FreeSWITCH does.
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	password := hex.EncodeToString(pw)

	pbx := eslfake.New(eslfake.Options{Password: password, Logger: log.With("component", "eslfake"), Hostname: "demo-fs"})
	if err := pbx.Start(); err != nil {
		return fmt.Errorf("start demo PBX: %w", err)
	}
	defer pbx.Close()
	go func() {
		rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
		if err := eslfake.RunDemo(ctx, pbx, rng); err != nil && ctx.Err() == nil {
			log.Error("demo scenario stopped", "err", err)
		}
	}()

	node, err := freeswitch.New(freeswitch.Config{
		ID:       "demo-fs",
		Address:  pbx.Addr(),
		Password: password,
		Media:    demoMedia,
		Logger:   log.With("node", "demo-fs"),
	})
	if err != nil {
		return err
	}
	log.Info("demo mode: simulated FreeSWITCH", "esl", pbx.Addr())
	return runServer(ctx, cfg, []adapters.Node{node}, log)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
