package servertest

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callboard/callboard/server/login"
	"github.com/callboard/callboard/server/session"
	"github.com/callboard/callboard/server/store"
)

// Client is a browser: a cookie, the CSRF token, and whatever headers. A
// copy (c2 := *c) is another browser with the same credentials, to tamper
// with.
type Client struct {
	HTTP    *http.Client
	User    string // signed-in user ("" for anonymous)
	Cookie  string // session cookie value ("" for anonymous)
	CSRF    string // sent as session.CSRFHeader when set
	Headers http.Header
	Tap     func(resp *http.Response, body []byte) // sees every exchange

	base string
}

// Anonymous is a client without a session.
func (ts *Server) Anonymous() *Client {
	hc := &http.Client{Timeout: 10 * time.Second}
	if strings.HasPrefix(ts.Base, "https://") {
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // test server's self-signed cert
	}
	return &Client{HTTP: hc, Headers: http.Header{}, base: ts.Base}
}

// Login signs in as name (with Password) and returns the signed-in client.
func (ts *Server) Login(t *testing.T, name string) *Client {
	t.Helper()
	return ts.SignIn(t, ts.Anonymous(), name, Password)
}

// SignIn signs c in; it fails the test unless the sign-in succeeds.
func (ts *Server) SignIn(t *testing.T, c *Client, name, password string) *Client {
	t.Helper()
	b, _ := json.Marshal(login.LoginBody{Username: name, Password: password})
	resp, data := c.Do(t, http.MethodPost, "/api/v1/auth/login", string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, resp.StatusCode, data)
	}
	var me struct {
		CSRFToken string `json:"csrfToken"`
	}
	if err := json.Unmarshal(data, &me); err != nil || me.CSRFToken == "" {
		t.Fatalf("login reply %s", data)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == session.CookieName {
			c.Cookie = ck.Value
		}
	}
	if c.Cookie == "" {
		t.Fatal("no session cookie")
	}
	c.CSRF = me.CSRFToken
	c.User = name
	return c
}

// ClientAs signs in a fresh user of role (anonymous for "").
func (ts *Server) ClientAs(t *testing.T, role store.Role) *Client {
	t.Helper()
	if role == "" {
		return ts.Anonymous()
	}
	ts.users++
	name := fmt.Sprintf("%s-%d", role, ts.users)
	ts.AddUser(t, name, role)
	return ts.Login(t, name)
}

// IngestClient creates an API token with the ingest scope and a client
// using it.
func (ts *Server) IngestClient(t *testing.T) *Client {
	t.Helper()
	_, data := ts.Do(t, http.MethodPost, "/api/v1/tokens", `{"name":"stt","scopes":["ingest:utterances"]}`)
	var tok struct{ Token string }
	if err := json.Unmarshal(data, &tok); err != nil || tok.Token == "" {
		t.Fatalf("token %s", data)
	}
	c := ts.Anonymous()
	c.Headers.Set("Authorization", "Bearer "+tok.Token)
	return c
}

// Do sends a request (a JSON body unless body is "") with c's cookie, CSRF
// token and headers, and reads the whole answer.
func (c *Client) Do(t *testing.T, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Cookie != "" {
		req.AddCookie(&http.Cookie{Name: session.CookieName, Value: c.Cookie})
	}
	if c.CSRF != "" {
		req.Header.Set(session.CSRFHeader, c.CSRF)
	}
	for k, v := range c.Headers {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tap != nil {
		c.Tap(resp, data)
	}
	return resp, data
}

// TryLogin posts a sign-in as c and returns the answer, whatever it is
// (c's own cookie is left as it was).
func (c *Client) TryLogin(t *testing.T, user, password string) *http.Response {
	t.Helper()
	b, _ := json.Marshal(login.LoginBody{Username: user, Password: password})
	resp, _ := c.Do(t, http.MethodPost, "/api/v1/auth/login", string(b))
	return resp
}
