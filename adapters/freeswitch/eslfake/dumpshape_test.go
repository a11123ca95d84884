package eslfake

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// orderedKeys lists a compact JSON object's keys in document order.
func orderedKeys(t *testing.T, body string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if s := k.(string); !strings.HasPrefix(s, "variable_") {
			keys = append(keys, s)
		}
	}
	return keys
}

// TestDumpShapeMatchesRealServer: `uuid_dump <uuid> json` of a bridged,
// originated B leg has the real server's headers in the real order (the
// variable_* set depends on the dialplan), and no trailing newline.
func TestDumpShapeMatchesRealServer(t *testing.T) {
	data, err := os.ReadFile("../testdata/snapshot-midcall.commands.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var o struct{ Sent, Reply string }
		if err := json.Unmarshal(l, &o); err != nil {
			t.Fatal(err)
		}
		// talk2-a, the loopback B leg Erin's bridge originated.
		if o.Sent == "api uuid_dump e0fa125b-bc26-43bf-9902-76b4b798ce9a json\n\n" {
			want = strings.SplitN(o.Reply, "\n\n", 2)[1]
		}
	}
	s := newServer(t)
	c := login(t, s, "")
	_, b := s.Dial(Party{"Erin", "5900"}, Party{"Tone Desk", "talk2"})
	got := c.api("uuid_dump " + b + " json")
	if strings.HasSuffix(got, "\n") {
		t.Error("json dump ends in a newline; the real one does not")
	}
	if g, w := orderedKeys(t, got), orderedKeys(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("uuid_dump json headers differ from the real server\n got %v\nwant %v", g, w)
	}
	if got := c.api("uuid_dump 00000000-0000-0000-0000-000000000000 json"); got != "-ERR No such channel!\n" {
		t.Errorf("dump of a missing channel = %q", got)
	}
}
