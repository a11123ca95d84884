package eslfake

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// header is one event header; events keep an ordered list because FreeSWITCH
// emits duplicate names and clients may depend on the order.
type header struct{ name, value string }

// event is one ESL event: ordered headers plus an optional body.
type event struct {
	headers []header
	body    []byte
}

func (e *event) add(name, value string) { e.headers = append(e.headers, header{name, value}) }

func (e *event) addAll(hs []header) { e.headers = append(e.headers, hs...) }

// get returns the first value of the named header.
func (e *event) get(name string) string {
	for _, h := range e.headers {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

// urlUnsafe is FreeSWITCH's SWITCH_URL_UNSAFE set (switch_utils.c); bytes
// outside printable ASCII are escaped as well.
const urlUnsafe = "\r\n \"#%&+:;<=>?@[\\]^`{|}"

// urlEncode percent-encodes a header value the way switch_url_encode does.
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 32 || c > 126 || bytes.IndexByte([]byte(urlUnsafe), c) >= 0 {
			if b == nil {
				b = append(make([]byte, 0, len(s)+16), s[:i]...)
			}
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// plainFrame renders the event as a text/event-plain frame.
func (e *event) plainFrame() []byte {
	var in bytes.Buffer
	for _, h := range e.headers {
		in.WriteString(h.name)
		in.WriteString(": ")
		in.WriteString(urlEncode(h.value))
		in.WriteByte('\n')
	}
	if len(e.body) > 0 {
		in.WriteString("Content-Length: " + strconv.Itoa(len(e.body)) + "\n\n")
		in.Write(e.body)
	} else {
		in.WriteByte('\n')
	}
	var out bytes.Buffer
	out.WriteString("Content-Length: " + strconv.Itoa(in.Len()) + "\nContent-Type: text/event-plain\n\n")
	out.Write(in.Bytes())
	return out.Bytes()
}

// jsonFrame renders the event as a text/event-json frame: one compact object,
// keys in header order (duplicates kept, as FreeSWITCH does), raw UTF-8 values.
func (e *event) jsonFrame() []byte {
	var in bytes.Buffer
	in.WriteByte('{')
	for i, h := range e.headers {
		if i > 0 {
			in.WriteByte(',')
		}
		in.Write(jsonString(h.name))
		in.WriteByte(':')
		in.Write(jsonString(h.value))
	}
	if len(e.body) > 0 {
		in.WriteString(`,"Content-Length":"` + strconv.Itoa(len(e.body)) + `","_body":`)
		in.Write(jsonString(string(e.body)))
	}
	in.WriteByte('}')
	var out bytes.Buffer
	out.WriteString("Content-Length: " + strconv.Itoa(in.Len()) + "\nContent-Type: text/event-json\n\n")
	out.Write(in.Bytes())
	return out.Bytes()
}

func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return bytes.TrimRight(b.Bytes(), "\n")
}
