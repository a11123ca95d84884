package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/callboard/callboard/internal/config"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// stdin is where `user add` reads the password (tests replace it).
var stdin io.Reader = os.Stdin

// user runs `callboard user add NAME --role ROLE [--data-dir DIR] [--config FILE]`.
func user(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: callboard user add NAME --role viewer|moderator|admin [--data-dir DIR] [--config FILE]")
	}
	args = args[1:]
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "", "viewer, moderator or admin")
	dataDir := fs.String("data-dir", "", "database directory (default: data_dir of the config, $CALLBOARD_DATA_DIR, or ./data)")
	path := fs.String("config", os.Getenv("CALLBOARD_CONFIG"), "path to the YAML config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if name == "" || *role == "" {
		return errors.New("usage: callboard user add NAME --role viewer|moderator|admin [--data-dir DIR]")
	}
	dir := *dataDir
	if dir == "" {
		cfg, err := config.Load(*path, os.Getenv)
		if err != nil {
			return err
		}
		dir = cfg.DataDir
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	hasher, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return err
	}
	u, err := server.NewUser(hasher, strings.ToLower(name), store.Role(*role), password, time.Now())
	if err != nil {
		return err
	}
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "callboard: user %q (%s) created in %s\n", u.Name, u.Role, dir)
	return nil
}

// readPassword reads one line: typed at the prompt (echoed: use a pipe,
// e.g. from a password manager, to keep it off the screen) or piped in.
func readPassword(r io.Reader, prompt io.Writer) (string, error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(prompt, "Password (visible as you type): ")
		}
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("read password: empty (pipe it on stdin or type it at the prompt)")
	}
	return pw, nil
}
