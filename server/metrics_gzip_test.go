package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A Prometheus scrape sends Accept-Encoding: gzip; the body must be the text
// format after one gunzip (the server's gzip middleware once compressed
// promhttp's already compressed answer again).
func TestMetricsGzipIsOneLayer(t *testing.T) {
	ts, _ := startAudio(t)
	tok := audioToken(t, ts, "metrics:read")
	req, _ := http.NewRequest(http.MethodGet, ts.Base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Values("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# HELP ") {
		t.Fatalf("after one gunzip the body is not the text format: %q", b[:min(len(b), 40)])
	}
}
