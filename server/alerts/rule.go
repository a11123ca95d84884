package alerts

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/callboard/callboard/server/store"
)

// Rule kinds.
const (
	KindTranscript       = "transcript"
	KindCallDuration     = "call_duration"
	KindQueueWait        = "queue_wait"
	KindNodeDown         = "node_down"
	KindConferenceLocked = "conference_locked"
	KindActionRefused    = "action_refused"
)

// Kinds lists the rule kinds.
var Kinds = []string{KindTranscript, KindCallDuration, KindQueueWait, KindNodeDown, KindConferenceLocked, KindActionRefused}

// Severities, lowest first.
var Severities = []string{"info", "warning", "critical"}

// Bounds on a rule.
const (
	MaxNameLen    = 80
	MaxPatternLen = 512
	// DefaultMaxInput is how much of a transcript line is matched.
	DefaultMaxInput = 4096
)

// ValidationError is a rule or destination the API refuses, with the field.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// compiled is a validated rule ready to evaluate.
type compiled struct {
	store.AlertRule
	re *regexp.Regexp // transcript
}

// Validate checks r (destinations against known ids) and compiles it.
func Validate(r store.AlertRule, known map[string]bool) (*compiled, error) {
	name := strings.TrimSpace(r.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLen {
		return nil, invalid("name", "must be 1..%d characters", MaxNameLen)
	}
	if !contains(Kinds, r.Kind) {
		return nil, invalid("kind", "%q is not one of %s", r.Kind, strings.Join(Kinds, ", "))
	}
	if !contains(Severities, r.Severity) {
		return nil, invalid("severity", "%q is not one of %s", r.Severity, strings.Join(Severities, ", "))
	}
	c := &compiled{AlertRule: r}
	c.Name = name
	switch r.Kind {
	case KindTranscript:
		re, err := compilePattern(r.Pattern, r.Regex)
		if err != nil {
			return nil, err
		}
		c.re = re
		if r.Speaker != "" && r.Speaker != "caller" && r.Speaker != "bot" && r.Speaker != "agent" {
			return nil, invalid("speaker", "%q is not one of caller, bot, agent or empty (anyone)", r.Speaker)
		}
	case KindCallDuration:
		if r.Threshold < 1 || r.Threshold > 24*60 {
			return nil, invalid("threshold", "minutes must be 1..1440")
		}
	case KindQueueWait:
		if r.Threshold < 1 || r.Threshold > 24*3600 {
			return nil, invalid("threshold", "seconds must be 1..86400")
		}
	}
	if len(r.Destinations) > 16 {
		return nil, invalid("destinations", "at most 16")
	}
	for _, d := range r.Destinations {
		if !known[d] {
			return nil, invalid("destinations", "unknown destination %q", d)
		}
	}
	return c, nil
}

// compilePattern compiles a word (matched as a whole word, case-insensitive)
// or an RE2 expression (case-insensitive unless it says otherwise).
func compilePattern(p string, isRegex bool) (*regexp.Regexp, error) {
	if strings.TrimSpace(p) == "" {
		return nil, invalid("pattern", "must not be empty")
	}
	if len(p) > MaxPatternLen {
		return nil, invalid("pattern", "longer than %d bytes", MaxPatternLen)
	}
	expr := `(?i)(?:^|\P{L})` + regexp.QuoteMeta(strings.TrimSpace(p)) + `(?:\P{L}|$)`
	if isRegex {
		expr = `(?i)` + p
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		// The reason from regexp/syntax names the construct, e.g.
		// "invalid nested repetition operator: `**`".
		reason := err.Error()
		if se, ok := err.(interface{ Unwrap() error }); ok && se.Unwrap() != nil {
			reason = se.Unwrap().Error()
		}
		return nil, invalid("pattern", "not a valid regular expression: %s", strings.TrimPrefix(reason, "error parsing regexp: "))
	}
	return re, nil
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
