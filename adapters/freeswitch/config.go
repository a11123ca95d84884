package freeswitch

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/callboard/callboard/adapters"
)

// Config configures one FreeSWITCH node.
type Config struct {
	ID            string   // node id, e.g. "fs1"
	Address       string   // host:port of the ESL socket
	Password      string   // ESL password; never logged, never in an error text
	STTSubclasses []string // CUSTOM subclasses carrying caller transcripts (shorthand for auto-format caller rules)
	// Transcripts are transcript rules (rules.go), matched before the
	// STTSubclasses shorthand: e.g. a callbot's own subclass read as JSON and
	// shown as the bot's lines.
	Transcripts       []adapters.TranscriptRule
	Media             map[string]string // allowlist: media name -> file path or tone_stream:// URI
	BotPromptVariable string            // channel variable holding a playback's prompt text
	CommandTimeout    time.Duration     // per command, default 5s
	DialTimeout       time.Duration     // dial plus auth, default 5s
	ProbeInterval     time.Duration     // liveness probe (api status) interval, default 10s
	BackoffMin        time.Duration     // first reconnect delay, default 500ms
	BackoffMax        time.Duration     // reconnect delay cap, default 30s
	Logger            *slog.Logger
}

// DefaultSTTSubclasses are the transcript events subscribed to when
// Config.STTSubclasses is empty.
var DefaultSTTSubclasses = []string{
	"brain_stt::transcription",
	"google_transcribe::transcription",
	"deepgram_transcribe::transcription",
	"azure_transcribe::transcription",
	"aws_transcribe::transcription",
}

// DefaultBotPromptVariable is the default Config.BotPromptVariable.
const DefaultBotPromptVariable = "callbot_prompt_text"

var (
	nodeIDPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	subclassPattern  = regexp.MustCompile(`^[A-Za-z0-9_]+::[A-Za-z0-9_]+$`)
	variablePattern  = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	mediaNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	if len(cfg.STTSubclasses) == 0 {
		cfg.STTSubclasses = append([]string(nil), DefaultSTTSubclasses...)
	}
	if cfg.BotPromptVariable == "" {
		cfg.BotPromptVariable = DefaultBotPromptVariable
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 5 * time.Second
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.ProbeInterval == 0 {
		cfg.ProbeInterval = 10 * time.Second
	}
	if cfg.BackoffMin == 0 {
		cfg.BackoffMin = 500 * time.Millisecond
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// validate checks a defaulted config; each error names the field.
func (cfg Config) validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("freeswitch config %s: %s", field, fmt.Sprintf(format, args...)))
	}
	if !nodeIDPattern.MatchString(cfg.ID) {
		bad("ID", "%q must match %s", cfg.ID, nodeIDPattern)
	}
	if cfg.Address == "" || !strings.Contains(cfg.Address, ":") || strings.ContainsFunc(cfg.Address, unicode.IsSpace) {
		bad("Address", "%q must be host:port", cfg.Address)
	}
	if strings.ContainsAny(cfg.Password, "\r\n") {
		bad("Password", "must not contain a line break") // value deliberately not shown
	}
	for _, s := range cfg.STTSubclasses {
		if !subclassPattern.MatchString(s) {
			bad("STTSubclasses", "%q must look like module::event", s)
		}
	}
	if !variablePattern.MatchString(cfg.BotPromptVariable) {
		bad("BotPromptVariable", "%q must match %s", cfg.BotPromptVariable, variablePattern)
	}
	for name, target := range cfg.Media {
		if !mediaNamePattern.MatchString(name) {
			bad("Media", "name %q must match %s", name, mediaNamePattern)
		}
		// The target becomes one argument of a command line: no spaces or
		// control characters, which would split or end the command.
		if target == "" || strings.ContainsFunc(target, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			bad("Media", "target of %q must be a non-empty path or URI without spaces or control characters", name)
		}
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{
		{"CommandTimeout", cfg.CommandTimeout}, {"DialTimeout", cfg.DialTimeout},
		{"ProbeInterval", cfg.ProbeInterval}, {"BackoffMin", cfg.BackoffMin}, {"BackoffMax", cfg.BackoffMax},
	} {
		if d.v < 0 {
			bad(d.field, "must not be negative")
		}
	}
	if cfg.BackoffMax < cfg.BackoffMin {
		bad("BackoffMax", "%s is below BackoffMin %s", cfg.BackoffMax, cfg.BackoffMin)
	}
	return errors.Join(errs...)
}
