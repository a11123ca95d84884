package eslfake

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestCallControlRepliesMatchCapture replays commands of the call-control
// capture (lines copied verbatim from originate, hold-transfer and
// eavesdrop .commands.jsonl into testdata) and compares the fake's reply
// body with the real FreeSWITCH's, byte for byte.
func TestCallControlRepliesMatchCapture(t *testing.T) {
	f, err := os.Open("testdata/callcontrol.commands.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := New(Options{Password: "x"})
	s.SetEndpoint("user/9999", "SUBSCRIBER_ABSENT")
	// The eavesdropper of the capture, so uuid_recv_dtmf finds it.
	s.AddChannel(ChannelSpec{UUID: "71674744-425d-4372-848f-84791781fc8b", Name: "loopback/silent-a"})
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var line struct{ Sent, Reply string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		cmd, ok := strings.CutPrefix(strings.TrimSuffix(line.Sent, "\n\n"), "api ")
		if !ok {
			t.Fatalf("not an api command: %q", line.Sent)
		}
		_, want, _ := strings.Cut(line.Reply, "\n\n")
		if got := s.API(cmd); got != want {
			t.Errorf("api %s:\n got %q\nwant %q (capture)", cmd, got, want)
		}
		n++
	}
	if n != 8 {
		t.Fatalf("replayed %d lines, want 8", n)
	}
}
