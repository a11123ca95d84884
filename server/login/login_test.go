package login_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/auth"
	"github.com/callboard/callboard/server/internal/servertest"
)

// Parallel wrong guesses are counted as they start: no more than the
// limiter's MaxFailures of them reach the password check, the rest are
// refused with 429 before any hashing.
func TestLoginParallelGuessesCountAgainstLimit(t *testing.T) {
	// A hash slow enough that every guess is in flight at once.
	ts := servertest.Start(t, server.Config{Auth: server.AuthConfig{PasswordParams: auth.Params{Memory: 4 * 1024, Time: 2, Threads: 1}}})
	const guesses = 24
	codes := make(chan int, guesses)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range guesses {
		c := ts.Anonymous()
		wg.Go(func() {
			<-start
			codes <- c.TryLogin(t, "root", "wrong password!").StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[401] < 1 || count[401] > 5 || count[429] != guesses-count[401] {
		t.Fatalf("statuses %v: want at most 5 evaluated (401), the rest 429", count)
	}
	failed := 0
	for _, e := range ts.Audit(t, "?kind=login_failed") {
		if e.User == "root" {
			failed++
		}
	}
	if failed != count[401] {
		t.Fatalf("%d login_failed entries for %d evaluated guesses", failed, count[401])
	}
}

func TestDecodeStrictContentTypeAndTrailingData(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	const good = `{"username":"root","password":"` + servertest.Password + `"}`
	tests := []struct {
		name, contentType, body string
		want                    int
	}{
		{"json", "application/json", good, 200},
		{"json with charset", "application/json; charset=utf-8", good, 200},
		{"no content type", "", good, 415},
		{"form", "application/x-www-form-urlencoded", good, 415},
		{"text", "text/plain", good, 415},
		{"second object", "application/json", good + `{"username":"x"}`, 400},
		{"trailing garbage", "application/json", good + ` x`, 400},
		{"trailing bracket", "application/json", good + `]`, 400},
		{"trailing whitespace", "application/json", good + " \n", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, ts.Base+"/api/v1/auth/login", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := ts.Anonymous().HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
