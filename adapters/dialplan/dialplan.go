// Package dialplan holds the per-node dial rules every PBX kind shares:
// which endpoints callboard may ring (a supervisor's phone, the "from" of a
// click-to-call), which numbers it may dial, and the templates that turn
// either into the PBX's own dial string (FreeSWITCH "user/{endpoint}",
// Asterisk "PJSIP/{endpoint}"). A kind embeds Rules in its Config under the
// YAML key "dial" and calls Resolve before anything reaches a command line
// or a URL; the same checks on both kinds keep FreeSWITCH and Asterisk nodes
// refusing the same inputs.
package dialplan

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callboard/callboard/adapters"
)

// Rules is a node's "dial" section.
//
//	dial:
//	  endpoints: '^1[0-9]{3}$'
//	  numbers: '^\+?[0-9]{3,15}$'
//	  endpoint_template: 'user/{endpoint}'
//	  number_template: 'sofia/gateway/gw/{number}'
//	  context: default
//
// An empty Endpoints pattern rings nothing and an empty Numbers pattern
// dials nothing: a node places calls only when its operator said where to.
type Rules struct {
	Endpoints        string `yaml:"endpoints"`         // which endpoints may be rung (anchored regexp)
	Numbers          string `yaml:"numbers"`           // which numbers may be dialled (anchored regexp)
	EndpointTemplate string `yaml:"endpoint_template"` // dial string of an endpoint, with {endpoint}
	NumberTemplate   string `yaml:"number_template"`   // dial string of a number, with {number}
	Context          string `yaml:"context"`           // dialplan context for transfers (and Asterisk's originate)

	endpoints, numbers *regexp.Regexp
}

// Placeholders in the templates.
const (
	EndpointPlaceholder = "{endpoint}"
	NumberPlaceholder   = "{number}"
)

var contextPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// templateChars is what a template may hold around its placeholder: a dial
// string's tech, profile, gateway, host and context names. No space, comma,
// brace, bracket, quote, '&', '|', ';' or '^': those are FreeSWITCH's
// separators and ESL's delimiters.
var templateChars = regexp.MustCompile(`^[A-Za-z0-9_./@:={}+-]+$`)

// DefaultContext is the dialplan context when dial.context is not set.
const DefaultContext = "default"

// Compile sets defaults, checks the rules and prepares them; errors name the
// key under "dial". A zero Rules is valid and allows nothing.
func (r *Rules) Compile() error {
	if r.Context == "" {
		r.Context = DefaultContext
	}
	var errs []error
	compile := func(key, expr string) *regexp.Regexp {
		if expr == "" {
			return nil
		}
		if !strings.HasPrefix(expr, "^") || !strings.HasSuffix(expr, "$") {
			errs = append(errs, fmt.Errorf("dial.%s: %q must be anchored with ^ and $", key, expr))
			return nil
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			errs = append(errs, fmt.Errorf("dial.%s: %w", key, err))
		}
		return re
	}
	r.endpoints = compile("endpoints", r.Endpoints)
	r.numbers = compile("numbers", r.Numbers)
	tmpl := func(key, t, ph string, needed bool) {
		switch {
		case t == "" && needed:
			errs = append(errs, fmt.Errorf("dial.%s: required when dial.%s is set", key, map[string]string{EndpointPlaceholder: "endpoints", NumberPlaceholder: "numbers"}[ph]))
		case t == "":
		case strings.Count(t, ph) != 1:
			errs = append(errs, fmt.Errorf("dial.%s: %q must contain %s once", key, t, ph))
		case !templateChars.MatchString(t) || strings.Count(t, "{") != 1 || strings.Count(t, "}") != 1:
			errs = append(errs, fmt.Errorf("dial.%s: %q may hold only letters, digits and _ . / @ : = + - around %s", key, t, ph))
		}
	}
	tmpl("endpoint_template", r.EndpointTemplate, EndpointPlaceholder, r.Endpoints != "")
	tmpl("number_template", r.NumberTemplate, NumberPlaceholder, false)
	if r.Context != "" && !contextPattern.MatchString(r.Context) {
		errs = append(errs, fmt.Errorf("dial.context: %q must match %s", r.Context, contextPattern))
	}
	return errors.Join(errs...)
}

// Target is a checked destination.
type Target struct {
	Value      string // what was asked for ("1001", "+8210...")
	IsNumber   bool   // matched the number rule, not the endpoint rule
	DialString string // the template applied; "" for a number without number_template
}

// Endpoint checks that v may be rung as an endpoint and returns its dial
// string. field names the parameter in the error.
func (r *Rules) Endpoint(field, v string) (Target, error) {
	if !adapters.EndpointShape.MatchString(v) {
		return Target{}, invalid(field, v, "is not an endpoint name")
	}
	if r.endpoints == nil || !r.endpoints.MatchString(v) {
		return Target{}, invalid(field, v, "is not an endpoint this node may ring (dial.endpoints)")
	}
	return Target{Value: v, DialString: strings.Replace(r.EndpointTemplate, EndpointPlaceholder, v, 1)}, nil
}

// Destination checks that v may be rung as an endpoint or dialled as a
// number, endpoints first (an extension like 1001 is not a phone number).
func (r *Rules) Destination(field, v string) (Target, error) {
	if t, err := r.Endpoint(field, v); err == nil {
		return t, nil
	}
	if !adapters.NumberShape.MatchString(v) || r.numbers == nil || !r.numbers.MatchString(v) {
		return Target{}, invalid(field, v, "is neither an endpoint this node may ring (dial.endpoints) nor a number it may dial (dial.numbers)")
	}
	t := Target{Value: v, IsNumber: true}
	if r.NumberTemplate != "" {
		t.DialString = strings.Replace(r.NumberTemplate, NumberPlaceholder, v, 1)
	}
	return t, nil
}

// CallerIDNumber checks an optional caller id number ("" passes).
func CallerIDNumber(v string) error {
	if v != "" && !adapters.NumberShape.MatchString(v) {
		return invalid("caller_id_number", v, "must be digits with an optional leading '+'")
	}
	return nil
}

// MaxNameRunes bounds a caller id name: what a phone's display shows.
const MaxNameRunes = 64

// CallerIDName checks an optional caller id name ("" passes): printable
// text of any script (spaces and Korean included), no control or format
// character, and none of forbidden, the characters the kind cannot quote on
// its wire.
func CallerIDName(v, forbidden string) error {
	if v == "" {
		return nil
	}
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxNameRunes {
		return invalid("caller_id_name", v, fmt.Sprintf("must be at most %d characters of text", MaxNameRunes))
	}
	if strings.TrimSpace(v) != v {
		return invalid("caller_id_name", v, "must not start or end with a space")
	}
	for _, c := range v {
		if c != ' ' && (unicode.IsControl(c) || unicode.IsSpace(c) || unicode.Is(unicode.Cf, c) || !unicode.IsPrint(c)) {
			return invalid("caller_id_name", v, "must not contain control characters, line breaks or tabs")
		}
		if strings.ContainsRune(forbidden, c) {
			return invalid("caller_id_name", v, fmt.Sprintf("must not contain any of %s on this node", forbidden))
		}
	}
	return nil
}

func invalid(field, v, why string) error {
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return fmt.Errorf("%s %q %s: %w", field, v, why, adapters.ErrInvalid)
}
