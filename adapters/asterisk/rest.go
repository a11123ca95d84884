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

	"github.com/CyCoreSystems/ari/v6"
	"github.com/CyCoreSystems/ari/v6/client/native"

	"github.com/callboard/callboard/adapters"
)

// bounded runs a native-client REST call (which has no timeout or context)
// in a goroutine and waits at most RESTTimeout or until ctx ends. At most
// maxInflight calls may be outstanding, abandoned ones included.
func (n *Node) bounded(ctx context.Context, what string, fn func() error) error {
	select {
	case n.inflight <- struct{}{}:
	default:
		return fmt.Errorf("%s: too many ARI requests outstanding: %w", what, adapters.ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.RESTTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() { <-n.inflight }()
		done <- fn()
	}()
	select {
	case err := <-done:
		return classify(what, err)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w: %v", what, adapters.ErrUnavailable, ctx.Err())
	}
}

// classify maps ARI status codes to callboard's sentinel errors.
func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	var re native.RequestError
	if errors.As(err, &re) {
		switch re.Code() {
		case http.StatusNotFound:
			return fmt.Errorf("%s: ARI answered %d: %w", what, re.Code(), adapters.ErrNotFound)
		case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
			return fmt.Errorf("%s: ARI answered %d: %w", what, re.Code(), adapters.ErrRefused)
		default:
			return fmt.Errorf("%s: ARI answered %d: %w", what, re.Code(), adapters.ErrUnavailable)
		}
	}
	return fmt.Errorf("%s: %w: %v", what, adapters.ErrUnavailable, err)
}

// The native client's List returns only ids (one GET per channel would
// follow) and it has no application-level user event, so the snapshot reads
// and the heartbeat use a plain, timed http.Client with the same credentials.
func (n *Node) restDo(ctx context.Context, method, path string, query url.Values, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.RESTTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	u := n.cfg.URL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.SetBasicAuth(n.cfg.Username, n.cfg.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.rest.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w: %v", method, path, adapters.ErrUnavailable, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s %s: ARI answered %d: %w", method, path, resp.StatusCode, adapters.ErrUnavailable)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}

func (n *Node) fetchSnapshot(ctx context.Context) ([]ari.ChannelData, []ari.BridgeData, error) {
	var chans []ari.ChannelData
	if err := n.restDo(ctx, "GET", "/channels", nil, nil, &chans); err != nil {
		return nil, nil, err
	}
	var bridges []ari.BridgeData
	if err := n.restDo(ctx, "GET", "/bridges", nil, nil, &bridges); err != nil {
		return nil, nil, err
	}
	return chans, bridges, nil
}

// heartbeatEvent is the user event callboard sends to its own application.
const heartbeatEvent = "callboard-heartbeat"

func (n *Node) sendHeartbeat(ctx context.Context, seq int64) error {
	q := url.Values{"application": {n.cfg.Application}}
	body := map[string]any{"variables": map[string]string{"seq": fmt.Sprint(seq), "node": n.cfg.ID}}
	return n.restDo(ctx, "POST", "/events/user/"+heartbeatEvent, q, body, nil)
}
