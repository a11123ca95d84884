package asterisk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/callboard/callboard/adapters"
)

// ariError is a non-2xx ARI answer with Asterisk's own text: the
// "message" key of most errors or the "error" key of 500 "Allocation
// failed" (i1 capture), so the PBX's reason reaches the API caller.
type ariError struct {
	Status int
	Text   string
}

func (e *ariError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("ARI answered %d", e.Status)
	}
	return fmt.Sprintf("ARI answered %d %q", e.Status, e.Text)
}

// ariCall is one REST request of a call-control action. The native client
// would put every parameter into a JSON body; callboard sends them as a
// URL-encoded query (the captures' form) so what reaches Asterisk is exactly
// the documented request, and only variables travel in the body. path holds
// identifiers already checked by validID. Errors wrap callboard's sentinels:
// 404 ErrNotFound, 400/409/422 ErrRefused, 5xx ErrUnavailable (callers may
// refine), network and timeouts ErrUnavailable.
func (n *Node) ariCall(ctx context.Context, what, method, path string, query url.Values, body, out any) error {
	select {
	case n.inflight <- struct{}{}:
		defer func() { <-n.inflight }()
	default:
		return fmt.Errorf("%s: too many ARI requests outstanding: %w", what, adapters.ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.RESTTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		rd = bytes.NewReader(b)
	}
	u := n.cfg.URL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	req.SetBasicAuth(n.cfg.Username, n.cfg.Password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := n.rest.Do(req)
	if err != nil {
		// errors.Unwrap drops the URL (it may name ids, never credentials,
		// but the what says it better).
		return fmt.Errorf("%s: %w: %v", what, adapters.ErrUnavailable, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var msg struct{ Message, Error string }
		_ = json.Unmarshal(raw, &msg)
		e := &ariError{Status: resp.StatusCode, Text: msg.Message}
		if e.Text == "" {
			e.Text = msg.Error
		}
		return fmt.Errorf("%s: %w: %w", what, e, sentinelOf(resp.StatusCode))
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s: decode: %w", what, err)
		}
	}
	return nil
}

func sentinelOf(status int) error {
	switch status {
	case http.StatusNotFound:
		return adapters.ErrNotFound
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		return adapters.ErrRefused
	}
	return adapters.ErrUnavailable
}

// ariStatus is the HTTP status of an ariCall error, 0 when it has none.
func ariStatus(err error) int {
	var e *ariError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
