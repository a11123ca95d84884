// Tests of New: what it refuses at start.
package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store/sqlite"
)

func TestNewRejectsBadNodeIDs(t *testing.T) {
	tests := [][]string{{"fs/1"}, {""}, {"fs1", "fs1"}}
	for _, ids := range tests {
		var nodes []adapters.Node
		for _, id := range ids {
			nodes = append(nodes, stubnode.New(id))
		}
		if _, err := server.New(server.Config{}, nodes); err == nil {
			t.Errorf("New accepted node ids %q", ids)
		}
	}
}

func TestNodeWithUncataloguedActionIsRefused(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	node := stubnode.New("fs1").WithActions(adapters.ActMute, "explode")
	_, err = server.New(server.Config{Store: st, Auth: server.AuthConfig{PasswordParams: servertest.CheapParams}}, []adapters.Node{node})
	if err == nil || !strings.Contains(err.Error(), `"explode"`) {
		t.Fatalf("New = %v, want an error naming the action", err)
	}
}
