// Command oidcdev is a throwaway OpenID Connect provider for development
// and the browser tests (ui/e2e/sso-tests.mjs): github.com/oauth2-proxy/mockoidc
// on loopback, with a fixed client and one user who is signed in at once
// (no login form). It is not part of the callboard binary and must never
// face a network: anyone who reaches it is that user.
//
//	oidcdev -listen 127.0.0.1:0 -client-id callboard -client-secret dev \
//	        -user alice -groups noc,staff
//
// It prints "issuer <url>" on stdout once it listens, and runs until killed.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/oauth2-proxy/mockoidc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "oidcdev:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	clientID := flag.String("client-id", "callboard", "the client id callboard uses")
	clientSecret := flag.String("client-secret", "", "the client secret callboard uses (required)")
	user := flag.String("user", "dev.user", "preferred_username of the signed-in user")
	groups := flag.String("groups", "", "comma-separated groups claim of the user")
	flag.Parse()
	if *clientSecret == "" {
		return fmt.Errorf("-client-secret is required")
	}
	host, _, err := net.SplitHostPort(*listen)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-listen %q: loopback addresses only", *listen)
	}
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		return err
	}
	m.ClientID, m.ClientSecret = *clientID, *clientSecret
	u := &mockoidc.MockUser{Subject: "sub-" + *user, PreferredUsername: *user, Email: *user + "@example.com", EmailVerified: true}
	if *groups != "" {
		u.Groups = strings.Split(*groups, ",")
	}
	// Every authorization is this user.
	if err := m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == mockoidc.AuthorizationEndpoint {
				m.QueueUser(u)
			}
			next.ServeHTTP(w, r)
		})
	}); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if err := m.Start(ln, nil); err != nil {
		return err
	}
	fmt.Println("issuer", m.Issuer())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return m.Shutdown()
}
