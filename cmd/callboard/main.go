package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr)
	case "demo":
		err = demo(ctx, args, stderr)
	case "user":
		err = user(ctx, args, stderr)
	case "version":
		fmt.Fprintln(stderr, "callboard", version)
	case "help", "-h", "--help":
		usage(stderr)
	default:
		fmt.Fprintf(stderr, "callboard: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "callboard:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  callboard [serve] [--config FILE]   serve the dashboard for the PBX nodes in FILE (or $CALLBOARD_CONFIG)
  callboard demo [--listen ADDR] [--data-dir DIR]
                                      serve the dashboard against built-in simulated PBXs
  callboard user add NAME --role viewer|moderator|admin [--data-dir DIR] [--config FILE]
                                      add a user; the password is read from stdin
  callboard version

On first start with no users, an admin is created: name $CALLBOARD_ADMIN_USER (default admin),
password $CALLBOARD_ADMIN_PASSWORD, or a generated one printed once.

Environment: CALLBOARD_CONFIG, CALLBOARD_LISTEN, CALLBOARD_ALLOWED_ORIGINS, CALLBOARD_LOG_LEVEL,
CALLBOARD_LOG_FORMAT, CALLBOARD_DATA_DIR, CALLBOARD_TLS_CERT, CALLBOARD_TLS_KEY,
CALLBOARD_TRUSTED_PROXIES, CALLBOARD_ADMIN_USER, CALLBOARD_ADMIN_PASSWORD,
CALLBOARD_NODE_<ID>_ADDRESS, CALLBOARD_NODE_<ID>_PASSWORD.
`)
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
