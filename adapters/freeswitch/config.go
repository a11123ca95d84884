package freeswitch

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/dialplan"
	"github.com/callboard/callboard/adapters/kit"
	"github.com/callboard/callboard/adapters/runloop"
)

// Config configures one FreeSWITCH node. It is also the node's YAML section
// (see adapters/kit): a field's yaml tag is its key in the config file, so a
// new per-node setting is one field here. Fields tagged "-" come from the
// common keys (id, password) or from the program.
type Config struct {
	ID            string   `yaml:"-"`              // node id, e.g. "fs1"
	Address       string   `yaml:"address"`        // host:port of the ESL socket
	Password      string   `yaml:"-"`              // ESL password; never logged, never in an error text
	STTSubclasses []string `yaml:"stt_subclasses"` // CUSTOM subclasses carrying caller transcripts (shorthand for auto-format caller rules)
	// Transcripts are transcript rules (rules.go), matched before the
	// STTSubclasses shorthand: e.g. a callbot's own subclass read as JSON and
	// shown as the bot's lines.
	Transcripts       []adapters.TranscriptRule `yaml:"transcripts"`
	Media             map[string]string         `yaml:"media"`               // allowlist: media name -> absolute file path, tone_stream:// or silence_stream://
	BotPromptVariable string                    `yaml:"bot_prompt_variable"` // channel variable holding a playback's prompt text
	CommandTimeout    time.Duration             `yaml:"command_timeout"`     // per command, default 5s
	DialTimeout       time.Duration             `yaml:"dial_timeout"`        // dial plus auth, default 5s
	ProbeInterval     time.Duration             `yaml:"probe_interval"`      // liveness probe (api status) interval, default 10s
	BackoffMin        time.Duration             `yaml:"backoff_min"`         // first reconnect delay, default runloop.DefaultBackoffMin
	BackoffMax        time.Duration             `yaml:"backoff_max"`         // reconnect delay cap, default runloop.DefaultBackoffMax (2s)
	// Dial says which endpoints and numbers originate, transfer and listen
	// may reach and how they become dial strings (adapters/dialplan); e.g.
	// endpoint_template "user/{endpoint}", number_template
	// "sofia/gateway/gw/{number}", context "default" (the default).
	Dial dialplan.Rules `yaml:"dial"`
	// Audio enables on-demand call audio (audioconfig.go); nil = off.
	Audio  *AudioConfig `yaml:"audio"`
	Logger *slog.Logger `yaml:"-"`
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
	subclassPattern = regexp.MustCompile(`^[A-Za-z0-9_]+::[A-Za-z0-9_]+$`)
	variablePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
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
		cfg.BackoffMin = runloop.DefaultBackoffMin
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = max(runloop.DefaultBackoffMax, cfg.BackoffMin)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	_ = cfg.Dial.Compile() // sets the default context; validate reports its errors
	return cfg
}

// validate checks a defaulted config; each error names the YAML key.
func (cfg Config) validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if err := kit.CheckNodeID(cfg.ID); err != nil {
		bad("id", "%v", err)
	}
	if cfg.Address == "" || !strings.Contains(cfg.Address, ":") || strings.ContainsFunc(cfg.Address, unicode.IsSpace) {
		bad("address", "%q must be host:port", cfg.Address)
	} else if _, port, err := net.SplitHostPort(cfg.Address); err != nil {
		bad("address", "%q must be host:port", cfg.Address)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("address", "port %q is not a number from 0 to 65535", port)
	}
	if strings.ContainsAny(cfg.Password, "\r\n") {
		bad("password", "must not contain a line break") // value deliberately not shown
	}
	for _, s := range cfg.STTSubclasses {
		if !subclassPattern.MatchString(s) {
			bad("stt_subclasses", "%q must look like module::event", s)
		}
	}
	if err := validateRules(effectiveRules(cfg.Transcripts, cfg.STTSubclasses)); err != nil {
		bad("transcripts", "%v", err)
	}
	if !variablePattern.MatchString(cfg.BotPromptVariable) {
		bad("bot_prompt_variable", "%q must match %s", cfg.BotPromptVariable, variablePattern)
	}
	if err := kit.CheckMedia(cfg.Media, validMediaTarget); err != nil {
		errs = append(errs, err)
	}
	if err := cfg.Dial.Compile(); err != nil {
		errs = append(errs, err)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"command_timeout", cfg.CommandTimeout}, {"dial_timeout", cfg.DialTimeout},
		{"probe_interval", cfg.ProbeInterval}, {"backoff_min", cfg.BackoffMin}, {"backoff_max", cfg.BackoffMax},
	} {
		if d.v < 0 {
			bad(d.key, "must not be negative")
		}
	}
	if cfg.Audio != nil {
		if _, err := cfg.Audio.endpointConfig(cfg.Address); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.BackoffMax < cfg.BackoffMin {
		bad("backoff_max", "%s is below backoff_min %s", cfg.BackoffMax, cfg.BackoffMin)
	}
	return errors.Join(errs...)
}

// validMediaTarget is FreeSWITCH's media rule: one token (it becomes one
// argument of a command line) naming an absolute file or a tone or silence
// stream, never a relative path.
func validMediaTarget(t string) error {
	if err := kit.OneToken(t); err != nil {
		return err
	}
	if !strings.HasPrefix(t, "/") && !strings.HasPrefix(t, "tone_stream://") && !strings.HasPrefix(t, "silence_stream://") {
		return fmt.Errorf("target %q must be an absolute file path, tone_stream:// or silence_stream://", t)
	}
	return nil
}
