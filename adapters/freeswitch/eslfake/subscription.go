package eslfake

import "strings"

// Subscription is an ESL event subscription as FreeSWITCH applies it.
type Subscription struct {
	All        bool            // "ALL": every event, every CUSTOM subclass included
	Names      map[string]bool // event names, upper case
	Subclasses map[string]bool // CUSTOM subclasses listed after the CUSTOM keyword
}

// ParseSubscription parses the argument of "event plain|json NAMES...
// [CUSTOM sub...]": it returns the format word, lower case ("" when
// missing), and the events listed after it. Checking the format is left to
// the caller.
func ParseSubscription(arg string) (format string, sub Subscription) {
	sub = Subscription{Names: map[string]bool{}, Subclasses: map[string]bool{}}
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		return "", sub
	}
	custom := false
	for _, name := range fields[1:] {
		up := strings.ToUpper(name)
		switch {
		case up == "ALL":
			sub.All = true
		case up == "CUSTOM":
			custom = true
		case custom && strings.Contains(name, "::"):
			sub.Subclasses[name] = true
		default:
			sub.Names[up] = true
		}
	}
	return strings.ToLower(fields[0]), sub
}

// Matches follows FreeSWITCH: ALL gets every event including every CUSTOM
// subclass; "CUSTOM" alone gets no subclass; listed subclasses are received.
func (s Subscription) Matches(name, subclass string) bool {
	if s.All {
		return true
	}
	if name == "CUSTOM" {
		return s.Subclasses[subclass]
	}
	return s.Names[name]
}

// add merges o into s: successive event commands add to a subscription.
func (s *Subscription) add(o Subscription) {
	if s.Names == nil {
		s.Names, s.Subclasses = map[string]bool{}, map[string]bool{}
	}
	s.All = s.All || o.All
	for n := range o.Names {
		s.Names[n] = true
	}
	for n := range o.Subclasses {
		s.Subclasses[n] = true
	}
}
