package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // the fan-out run is profiled through -pprof
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/freeswitch"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store/sqlite"
)

// Credentials of the bench server's bootstrap admin (a throwaway database).
const (
	benchUser     = "bench"
	benchPassword = "bench-password-not-secret"
)

// runServerChild is a callboard server on one FreeSWITCH node, as its own
// process so its CPU time and RSS are measured alone. It prints its HTTP
// address (and pprof address) on stdout and stops when stdin closes.
func runServerChild(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	esl := fs.String("esl", "", "ESL address of the fake PBX")
	password := fs.String("password", "", "ESL password")
	uiDir := fs.String("ui", "", "built UI directory to serve (optional)")
	pprofOn := fs.Bool("pprof", false, "serve net/http/pprof on a loopback port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	go func() { // parent gone or done: stop
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	dir, err := os.MkdirTemp("", "callboard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	params := auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1}
	h, err := auth.NewHasher(params)
	if err != nil {
		return err
	}
	if _, err := server.Bootstrap(ctx, st, h, benchUser, benchPassword, io.Discard); err != nil {
		return err
	}
	node, err := freeswitch.New(freeswitch.Config{ID: "fs1", Address: *esl, Password: *password, Logger: log,
		Media: map[string]string{"beep": "tone_stream://%(500,0,800)"}})
	if err != nil {
		return err
	}
	// The load client is one signed-in session standing for up to 1,000
	// browsers: it may hold that many websockets (a real session: 20).
	cfg := server.Config{Listen: "127.0.0.1:0", Logger: log, Store: st, MaxSocketsPerSession: 5000,
		Auth: server.AuthConfig{PasswordParams: params}}
	if *uiDir != "" {
		cfg.UI = os.DirFS(*uiDir)
	}
	srv, err := server.New(cfg, []adapters.Node{node})
	if err != nil {
		return err
	}
	pprofAddr := "-"
	if *pprofOn {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		pprofAddr = ln.Addr().String()
		go func() { _ = (&http.Server{ReadHeaderTimeout: 5 * time.Second}).Serve(ln) }()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Run(ctx) }()
	select {
	case <-srv.Ready():
		fmt.Printf("%s %s\n", srv.Addr(), pprofAddr)
	case err := <-errc:
		return err
	}
	return <-errc
}
