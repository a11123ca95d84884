package freeswitch

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
)

// transcript is one STT result, vendor-neutral.
type transcript struct {
	text           string
	final          bool
	startMs, endMs int64
	vendor         string
}

var errEmptyBody = errors.New("empty body")

// parseTranscript parses the body of an STT module's CUSTOM event. The
// format is chosen by the subclass's module name; unknown modules get a
// best-effort parser that understands the common shapes.
func parseTranscript(subclass string, body []byte) (transcript, error) {
	t, err := parseAnyTranscript(subclass, body)
	// Bodies come from STT modules, some not even JSON-escaped (aws): text
	// cut mid-character must not reach browsers as invalid UTF-8.
	t.text = strings.ToValidUTF8(t.text, "\uFFFD")
	return t, err
}

func parseAnyTranscript(subclass string, body []byte) (transcript, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return transcript{}, errEmptyBody
	}
	module, _, _ := strings.Cut(subclass, "::")
	switch module {
	case "brain_stt":
		return parseBrain(body)
	case "google_transcribe":
		return parseAlternatives(body, "google")
	case "deepgram_transcribe":
		return parseDeepgram(body)
	case "azure_transcribe":
		return parseAzure(body)
	case "aws_transcribe":
		return parseAWS(body)
	}
	vendor := strings.TrimSuffix(strings.TrimSuffix(module, "_transcribe"), "_stt")
	for _, parse := range []func([]byte) (transcript, error){
		parseBrain,
		func(b []byte) (transcript, error) { return parseAlternatives(b, vendor) },
		parseDeepgram,
	} {
		if t, err := parse(body); err == nil {
			t.vendor = vendor
			return t, nil
		}
	}
	return transcript{}, fmt.Errorf("%s: no known transcript shape", subclass)
}

// parseBrain: {"text":"...","start":41120,"end":52480}, always final;
// start/end are milliseconds into the audio.
func parseBrain(body []byte) (transcript, error) {
	var b struct {
		Text  *string  `json:"text"`
		Start *float64 `json:"start"`
		End   *float64 `json:"end"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return transcript{}, fmt.Errorf("brain_stt body: %w", err)
	}
	if b.Text == nil {
		return transcript{}, errors.New(`brain_stt body: no "text"`)
	}
	t := transcript{text: strings.TrimSpace(*b.Text), final: true, vendor: "brain"}
	if b.Start != nil {
		t.startMs = int64(math.Round(*b.Start))
	}
	if b.End != nil {
		t.endMs = int64(math.Round(*b.End))
	}
	return t, nil
}

type alternativesResult struct {
	IsFinal      *bool `json:"is_final"`
	Alternatives []struct {
		Transcript string `json:"transcript"`
	} `json:"alternatives"`
}

// parseAlternatives: Google's {"is_final":true,"alternatives":[{"transcript",
// "confidence"}]}, also accepted as a one-element list.
func parseAlternatives(body []byte, vendor string) (transcript, error) {
	var r alternativesResult
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "[") {
		var rs []alternativesResult
		if err := json.Unmarshal(body, &rs); err != nil {
			return transcript{}, fmt.Errorf("%s body: %w", vendor, err)
		}
		if len(rs) == 0 {
			return transcript{}, fmt.Errorf("%s body: empty result list", vendor)
		}
		r = rs[0]
	} else if err := json.Unmarshal(body, &r); err != nil {
		return transcript{}, fmt.Errorf("%s body: %w", vendor, err)
	}
	if r.IsFinal == nil && r.Alternatives == nil {
		return transcript{}, fmt.Errorf(`%s body: no "alternatives"`, vendor)
	}
	t := transcript{final: r.IsFinal != nil && *r.IsFinal, vendor: vendor}
	if len(r.Alternatives) > 0 {
		t.text = strings.TrimSpace(r.Alternatives[0].Transcript)
	}
	return t, nil
}

// parseDeepgram: Deepgram's live message: {"is_final","start","duration",
// "channel":{"alternatives":[{"transcript"}]}}; times in seconds.
func parseDeepgram(body []byte) (transcript, error) {
	var d struct {
		IsFinal  bool     `json:"is_final"`
		Start    *float64 `json:"start"`
		Duration *float64 `json:"duration"`
		Channel  *struct {
			Alternatives []struct {
				Transcript string `json:"transcript"`
			} `json:"alternatives"`
		} `json:"channel"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return transcript{}, fmt.Errorf("deepgram body: %w", err)
	}
	if d.Channel == nil {
		return transcript{}, errors.New(`deepgram body: no "channel"`)
	}
	t := transcript{final: d.IsFinal, vendor: "deepgram"}
	if len(d.Channel.Alternatives) > 0 {
		t.text = strings.TrimSpace(d.Channel.Alternatives[0].Transcript)
	}
	if d.Start != nil {
		t.startMs = int64(math.Round(*d.Start * 1000))
		if d.Duration != nil {
			t.endMs = int64(math.Round((*d.Start + *d.Duration) * 1000))
		}
	}
	return t, nil
}

// parseAzure: the Speech SDK result. Final results carry RecognitionStatus
// and DisplayText (or NBest); interim ones only Text. Offset and Duration
// are in 100 ns ticks.
func parseAzure(body []byte) (transcript, error) {
	var a struct {
		RecognitionStatus string `json:"RecognitionStatus"`
		DisplayText       string `json:"DisplayText"`
		Text              string `json:"Text"`
		Offset            *int64 `json:"Offset"`
		Duration          *int64 `json:"Duration"`
		NBest             []struct {
			Display string `json:"Display"`
		} `json:"NBest"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return transcript{}, fmt.Errorf("azure body: %w", err)
	}
	t := transcript{final: a.RecognitionStatus != "", vendor: "azure"}
	switch {
	case a.DisplayText != "":
		t.text = a.DisplayText
	case len(a.NBest) > 0 && a.NBest[0].Display != "":
		t.text = a.NBest[0].Display
	default:
		t.text = a.Text
	}
	t.text = strings.TrimSpace(t.text)
	if t.final && a.RecognitionStatus != "Success" {
		t.text = "" // NoMatch, InitialSilenceTimeout...: nothing was said
	}
	if a.Offset != nil {
		t.startMs = *a.Offset / 10_000
		if a.Duration != nil {
			t.endMs = (*a.Offset + *a.Duration) / 10_000
		}
	}
	return t, nil
}

var (
	awsFinal      = regexp.MustCompile(`"is_final"\s*:\s*(true|false)`)
	awsTranscript = regexp.MustCompile(`(?s)"transcript"\s*:\s*"(.*)"\s*(?:,\s*"confidence"\s*:\s*[0-9.eE+-]+\s*)?}`)
)

// parseAWS: [{"is_final":true,"alternatives":[{"transcript":"..."}]}]. The
// module does not JSON-escape the transcript, so a quote in the speech breaks
// the JSON; then the text is recovered between the first `"transcript":"`
// and the closing `"}` of its alternative.
func parseAWS(body []byte) (transcript, error) {
	if t, err := parseAlternatives(body, "aws"); err == nil {
		return t, nil
	}
	s := string(body)
	fm := awsFinal.FindStringSubmatch(s)
	tm := awsTranscript.FindStringSubmatch(s)
	if fm == nil || tm == nil {
		return transcript{}, errors.New("aws body: neither JSON nor the module's shape")
	}
	text := tm[1]
	// The greedy match may run into a second alternative; keep the first.
	if i := strings.Index(text, `"}, {"transcript"`); i >= 0 {
		text = text[:i]
	} else if i := strings.Index(text, `"},{"transcript"`); i >= 0 {
		text = text[:i]
	}
	return transcript{text: strings.TrimSpace(text), final: fm[1] == "true", vendor: "aws"}, nil
}
