package oidc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/oidc"
	"github.com/callboard/callboard/server/store"
	"github.com/callboard/callboard/server/store/sqlite"
)

// With local_login off, the password sign-in is refused and the sign-in
// page is told to offer only the provider. (servertest signs in with a
// password, so this server is started by hand.)
func TestLocalLoginSwitchedOff(t *testing.T) {
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	c := idp.Config()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", Store: st, Auth: server.AuthConfig{PasswordParams: servertest.CheapParams},
		OIDC: &oidc.Config{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret, ProviderName: "Mock IdP",
			Roles: map[string]store.Role{"staff": store.RoleViewer}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-srv.Ready()
	base := "http://" + srv.Addr()

	resp, err := http.Get(base + "/api/v1/auth/providers")
	if err != nil {
		t.Fatal(err)
	}
	var p server.Providers
	_ = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if p.LocalLogin || p.OIDC == nil || p.OIDC.Name != "Mock IdP" {
		t.Fatalf("providers %+v", p)
	}
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"root","password":"whatever it is"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("password sign-in: %d, want 403", resp.StatusCode)
	}
}
