package esltrace

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/callboard/callboard/adapters/freeswitch/eslfake"
)

// tracePath is the capture the FreeSWITCH adapter tests use too (its testdata README says what it is).
const tracePath = "../../../adapters/freeswitch/testdata/events-plain.raw"

func TestLoadAndRender(t *testing.T) {
	ts, err := Load(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) < 600 {
		t.Fatalf("only %d event frames", len(ts))
	}
	var tpl *Template
	for i := range ts {
		if ts[i].Name == "CHANNEL_CREATE" {
			tpl = &ts[i]
			break
		}
	}
	if tpl == nil {
		t.Fatal("no CHANNEL_CREATE")
	}
	out := tpl.Append(nil, 7, 123456789)
	hdr, body, _ := bytes.Cut(out, []byte("\n\n"))
	cl := strings.TrimPrefix(strings.Split(string(hdr), "\n")[0], "Content-Length: ")
	if n, _ := strconv.Atoi(cl); n != len(body) {
		t.Fatalf("Content-Length %s, body %d bytes", cl, len(body))
	}
	if !bytes.Contains(body, []byte("\nEvent-Sequence: 123456789\n")) {
		t.Fatal("sequence not rewritten")
	}
	if !bytes.Contains(body, []byte("Unique-ID: 00000007-")) {
		t.Fatalf("uuid not rewritten:\n%s", body)
	}
	_, f := eslfake.ParseSubscription("plain CHANNEL_CREATE CUSTOM conference::maintenance")
	if !f.Matches(tpl.Name, tpl.Subclass) {
		t.Fatal("filter should match CHANNEL_CREATE")
	}
	n := 0
	for i := range ts {
		if f.Matches(ts[i].Name, ts[i].Subclass) {
			n++
		}
	}
	if n == 0 || n == len(ts) {
		t.Fatalf("filter matched %d of %d", n, len(ts))
	}
}
