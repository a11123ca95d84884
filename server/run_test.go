package server_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/store/sqlite"
)

func TestRunListenFailureAndSecondRun(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := server.New(server.Config{Listen: busy.Addr().String(), Store: st, Logger: quiet, Auth: server.AuthConfig{PasswordParams: servertest.CheapParams}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Run(ctx); err == nil {
		t.Fatal("Run on a taken port returned nil")
	}
	select {
	case <-s.Ready():
	default:
		t.Fatal("Ready not closed after Run failed: a waiter would hang")
	}
	if s.Addr() != "" {
		t.Fatalf("Addr %q after a failed listen", s.Addr())
	}
	// A second Run returns an error instead of panicking.
	if err := s.Run(ctx); err == nil {
		t.Fatal("second Run returned nil")
	}
}
