package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

// Destination kinds.
const (
	DestWebhook  = "webhook"
	DestSlack    = "slack"
	DestTelegram = "telegram"
)

// Headers of a generic webhook delivery.
const (
	HeaderSignature = "X-Callboard-Signature" // sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
	HeaderTimestamp = "X-Callboard-Timestamp" // unix seconds
	HeaderDelivery  = "X-Callboard-Delivery"  // outbox id: the same on every retry of one delivery
)

// Payload is the generic webhook's JSON body (docs/alerts.md).
type Payload struct {
	ID         int64     `json:"id"` // the alert's id
	Delivery   int64     `json:"delivery"`
	At         time.Time `json:"at"`
	Rule       string    `json:"rule"`
	Severity   string    `json:"severity"`
	Kind       string    `json:"kind"`
	Node       string    `json:"node,omitempty"`
	CallID     string    `json:"callId,omitempty"`
	Conference string    `json:"conference,omitempty"`
	Summary    string    `json:"summary"`
	Test       bool      `json:"test,omitempty"`
}

// Sign is the signature header value for a timestamp and body.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// text is the one-line message for chat destinations.
func text(a store.Alert) string {
	where := a.Node
	if a.CallID != "" {
		where += "/" + a.CallID
	}
	if where != "" {
		where = " (" + where + ")"
	}
	return fmt.Sprintf("[%s] %s: %s%s", strings.ToUpper(a.Severity), a.RuleName, a.Summary, where)
}

// send makes one attempt. permanent says a retry cannot help.
func (s *Service) send(ctx context.Context, d store.AlertDestination, it store.OutboxItem) (err error, permanent bool, retryAfter time.Duration) {
	a := it.Alert
	var target string
	var body []byte
	hdr := http.Header{"Content-Type": {"application/json"}}
	switch d.Kind {
	case DestWebhook:
		target = d.URL
		body, _ = json.Marshal(Payload{ID: a.ID, Delivery: it.ID, At: a.At, Rule: a.RuleName, Severity: a.Severity, Kind: a.Kind,
			Node: a.Node, CallID: a.CallID, Conference: a.Conference, Summary: a.Summary, Test: a.RuleID == 0})
		ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
		hdr.Set(HeaderTimestamp, ts)
		hdr.Set(HeaderDelivery, strconv.FormatInt(it.ID, 10))
		if d.Secret != "" {
			hdr.Set(HeaderSignature, Sign(d.Secret, ts, body))
		}
	case DestSlack:
		target = d.URL
		body, _ = json.Marshal(map[string]string{"text": text(a)})
	case DestTelegram:
		target = strings.TrimRight(s.opts.TelegramAPI, "/") + "/bot" + d.Secret + "/sendMessage"
		body, _ = json.Marshal(map[string]string{"chat_id": d.ChatID, "text": text(a)})
	default:
		return fmt.Errorf("unknown destination kind %q", d.Kind), true, 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return errors.New("bad destination URL"), true, 0
	}
	req.Header = hdr
	req.Header.Set("User-Agent", "callboard-alerts")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		// Never the URL: a Telegram URL holds the bot token, a Slack one its secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("no answer within %s", s.opts.RequestTimeout), false, 0
		}
		return fmt.Errorf("request failed: %w", err), false, 0
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if d.Kind == DestTelegram {
			var ok struct {
				OK bool `json:"ok"`
			}
			if json.Unmarshal(snippet, &ok) == nil && !ok.OK {
				return errors.New("telegram answered ok=false"), false, 0
			}
		}
		return nil, false, 0
	}
	err = fmt.Errorf("answered %d", resp.StatusCode)
	switch sc := resp.StatusCode; {
	case sc == http.StatusTooManyRequests:
		return err, false, parseRetryAfter(resp.Header.Get("Retry-After"), s.opts.BackoffMax)
	case sc == http.StatusRequestTimeout || sc == http.StatusTooEarly || sc >= 500:
		return err, false, 0
	default: // other 4xx (and 3xx, not followed): the request itself is wrong
		return err, true, 0
	}
}
