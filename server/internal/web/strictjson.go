package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// CheckJSON is the strictness encoding/json lacks, applied before a body
// is decoded: the body is valid UTF-8 (json would silently replace bad
// bytes, so a password would change), exactly one value with nothing after
// it, and no object has a key twice (json keeps the last: a name checked as
// "a" could be stored as "admin2"). When fields is not nil, the top-level
// object's keys must be exactly those names (json matches them without
// regard to case: {"Role":"admin"} would fill the role).
func CheckJSON(body []byte, fields []string) error {
	if !utf8.Valid(body) {
		return errors.New("body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := walkValue(dec, 0, fields); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// maxJSONDepth bounds nesting (the bodies here are flat objects).
const maxJSONDepth = 32

// walkValue reads one value; top-level keys are checked against fields
// (depth 0 only).
func walkValue(dec *json.Decoder, depth int, fields []string) error {
	if depth > maxJSONDepth {
		return errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '[':
		for dec.More() {
			if err := walkValue(dec, depth+1, nil); err != nil {
				return err
			}
		}
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("malformed JSON: %w", err)
			}
			k, _ := kt.(string)
			if seen[k] {
				return fmt.Errorf("key %q given twice", Clip(k, 64))
			}
			seen[k] = true
			if depth == 0 && fields != nil && !contains(fields, k) {
				return fmt.Errorf("unknown key %q", Clip(k, 64))
			}
			if err := walkValue(dec, depth+1, nil); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// JSONFields are the exact JSON names of a struct's fields (v a struct or a
// pointer to one), or nil for any other type.
func JSONFields(v any) []string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	out := []string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}
