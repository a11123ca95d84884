package eslfake

import "testing"

func TestParseSubscription(t *testing.T) {
	cases := []struct {
		arg        string
		format     string
		match, not [][2]string // {name, subclass}
	}{
		{"plain CHANNEL_CREATE channel_answer", "plain",
			[][2]string{{"CHANNEL_CREATE", ""}, {"CHANNEL_ANSWER", ""}},
			[][2]string{{"CHANNEL_HANGUP", ""}, {"CUSTOM", "conference::maintenance"}}},
		{"JSON CUSTOM conference::maintenance sofia::register", "json",
			[][2]string{{"CUSTOM", "conference::maintenance"}, {"CUSTOM", "sofia::register"}},
			[][2]string{{"CUSTOM", "other::thing"}, {"CHANNEL_CREATE", ""}}},
		{"plain CUSTOM", "plain", nil, [][2]string{{"CUSTOM", "conference::maintenance"}}},                  // CUSTOM alone: no subclass
		{"plain conference::maintenance", "plain", nil, [][2]string{{"CUSTOM", "conference::maintenance"}}}, // before CUSTOM: a name
		{"plain all", "plain", [][2]string{{"CHANNEL_CREATE", ""}, {"CUSTOM", "anything::at_all"}}, nil},
		{"", "", nil, [][2]string{{"CHANNEL_CREATE", ""}}},
	}
	for _, c := range cases {
		t.Run(c.arg, func(t *testing.T) {
			format, sub := ParseSubscription(c.arg)
			if format != c.format {
				t.Errorf("format %q, want %q", format, c.format)
			}
			for _, m := range c.match {
				if !sub.Matches(m[0], m[1]) {
					t.Errorf("%v not matched", m)
				}
			}
			for _, m := range c.not {
				if sub.Matches(m[0], m[1]) {
					t.Errorf("%v matched", m)
				}
			}
		})
	}
}
