package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/internal/stubnode"
	"github.com/callboard/callboard/server/store"
)

// TestMyLanguage: each user keeps their own UI language, from a strict
// allowlist; "" clears it (the UI then follows the browser); every change is
// audited; an anonymous caller gets 401.
func TestMyLanguage(t *testing.T) {
	ts := servertest.Start(t, server.Config{}, stubnode.New("fs1", servertest.FS1Snapshot()))
	viewer := ts.ClientAs(t, store.RoleViewer)
	other := ts.ClientAs(t, store.RoleModerator)

	get := func(c *servertest.Client) string {
		t.Helper()
		resp, data := c.Do(t, http.MethodGet, "/api/v1/me/language", "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET language: %d %s", resp.StatusCode, data)
		}
		var b struct{ Language string }
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		return b.Language
	}
	if got := get(viewer); got != "" {
		t.Fatalf("a new user's language = %q, want \"\"", got)
	}

	for _, lang := range store.Languages {
		resp, data := viewer.Do(t, http.MethodPut, "/api/v1/me/language", `{"language":"`+lang+`"}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", lang, resp.StatusCode, data)
		}
		if got := get(viewer); got != lang {
			t.Fatalf("after PUT %s: GET = %q", lang, got)
		}
	}
	if got := get(other); got != "" {
		t.Fatalf("another user's language changed too: %q", got)
	}

	refused := []string{
		`{"language":"de"}`,
		`{"language":"zh"}`, // the UI's tag is zh-CN; no guessing
		`{"language":"RU"}`,
		`{"language":"ko-KR"}`,
		`{"language":"en<script>"}`,
		`{"language":" ru"}`,
		`{"language":1}`,
		`{"language":"ru","language":"en"}`,
		`{"Language":"ru"}`,
		`{"language":"ru","x":1}`,
		`{"language":"ru"}{}`,
		`not json`,
	}
	for _, body := range refused {
		resp, data := viewer.Do(t, http.MethodPut, "/api/v1/me/language", body)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("PUT %s: %d %s, want 400", body, resp.StatusCode, data)
		}
	}
	if got := get(viewer); got != "ru" {
		t.Fatalf("a refused PUT changed the language to %q", got)
	}

	if resp, data := viewer.Do(t, http.MethodPut, "/api/v1/me/language", `{"language":""}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("clear: %d %s", resp.StatusCode, data)
	}
	if got := get(viewer); got != "" {
		t.Fatalf("after clearing: %q", got)
	}

	if resp, _ := ts.Anonymous().Do(t, http.MethodGet, "/api/v1/me/language", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous GET: %d, want 401", resp.StatusCode)
	}
	if n := len(ts.Audit(t, "?action=set-language")); n != len(store.Languages)+1 {
		t.Fatalf("audited %d language changes, want %d", n, len(store.Languages)+1)
	}
}
