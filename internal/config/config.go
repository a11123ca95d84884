package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/callboard/callboard/adapters"
)

// Secret is a credential. It prints, logs and marshals as "***" so that a
// config dump or a log line cannot leak it; Reveal gives the value.
type Secret struct{ v string }

// NewSecret wraps a value.
func NewSecret(v string) Secret { return Secret{v: v} }

// Reveal returns the secret itself, for the one place that needs it.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether no secret was set.
func (s Secret) IsZero() bool { return s.v == "" }

func (s Secret) String() string               { return "***" }
func (s Secret) GoString() string             { return "***" }
func (s Secret) LogValue() slog.Value         { return slog.StringValue("***") }
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"***"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte("***"), nil }

// Config is the whole configuration.
type Config struct {
	Listen         string   `yaml:"listen"`
	AllowedOrigins []string `yaml:"allowed_origins"`
	LogLevel       string   `yaml:"log_level"`  // debug, info, warn, error
	LogFormat      string   `yaml:"log_format"` // text or json
	Nodes          []Node   `yaml:"nodes"`

	// DataDir holds the database (users, sessions, tokens, audit).
	DataDir string `yaml:"data_dir"`
	// TLSCert and TLSKey (PEM files) make callboard serve HTTPS itself.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// TrustedProxies are CIDRs of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// SessionMaxAge and SessionIdleTimeout bound a sign-in session.
	SessionMaxAge      time.Duration `yaml:"session_max_age"`
	SessionIdleTimeout time.Duration `yaml:"session_idle_timeout"`
	// RetentionDays is how long call history and transcripts are kept.
	RetentionDays int `yaml:"retention_days"`
	// AuditRetentionDays is how long audit entries are kept.
	AuditRetentionDays int `yaml:"audit_retention_days"`
}

// ConferenceBridges is the per-node rule of which bridges are conferences.
type ConferenceBridges struct {
	Types   []string `yaml:"types"`
	Classes []string `yaml:"classes"`
	Names   []string `yaml:"names"` // path.Match patterns on the bridge name
}

// Node is one PBX.
type Node struct {
	ID   string `yaml:"id"`
	Kind string `yaml:"kind"` // freeswitch or asterisk

	// FreeSWITCH Event Socket.
	Address           string            `yaml:"address"`
	PasswordEnv       string            `yaml:"password_env"`
	PasswordFile      string            `yaml:"password_file"`
	InlinePassword    string            `yaml:"password"` // refused: secrets do not belong in the file
	STTSubclasses     []string          `yaml:"stt_subclasses"`
	BotPromptVariable string            `yaml:"bot_prompt_variable"`
	CommandTimeout    time.Duration     `yaml:"command_timeout"`
	Media             map[string]string `yaml:"media"`

	// Asterisk REST Interface (kind: asterisk). Password as above.
	URL           string        `yaml:"url"`           // http://host:8088/ari
	WebsocketURL  string        `yaml:"websocket_url"` // default: url with ws scheme + /events
	Username      string        `yaml:"username"`
	Application   string        `yaml:"application"` // Stasis application name
	SubscribeAll  *bool         `yaml:"subscribe_all"`
	UserEventName string        `yaml:"user_event_name"` // ChannelUserevent carrying transcripts
	TalkThreshold int           `yaml:"talk_threshold"`  // TALK_DETECT energy threshold
	SilenceMs     int           `yaml:"silence_ms"`      // TALK_DETECT silence, ms
	MOHClass      string        `yaml:"moh_class"`
	KickHangup    bool          `yaml:"kick_hangup"` // hang up a kicked member too
	RESTTimeout   time.Duration `yaml:"rest_timeout"`
	// ConferenceBridges: which ARI bridges are conferences (issue 10); every
	// other bridge makes its parties one call. Empty lists take the
	// adapter's defaults (types [mixing], classes [stasis, base], names ["?*"]).
	ConferenceBridges ConferenceBridges `yaml:"conference_bridges"`
	// ReconcileInterval: how often GET /channels + /bridges are compared with
	// the live state (default 15s; negative disables).
	ReconcileInterval time.Duration `yaml:"reconcile_interval"`
	// Transcripts: user events carrying transcript lines (Asterisk:
	// ChannelUserevent names); empty keeps the default rule.
	Transcripts []adapters.TranscriptRule `yaml:"transcripts"`

	// Password is resolved from CALLBOARD_NODE_<ID>_PASSWORD, password_env or
	// password_file, in that order.
	Password Secret `yaml:"-"`
}

// Defaults.
const (
	DefaultListen             = "127.0.0.1:8080"
	DefaultDataDir            = "data"
	DefaultSessionMaxAge      = 12 * time.Hour
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultRetentionDays      = 30
	DefaultAuditRetentionDays = 365
)

var (
	nodeIDPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	appNamePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	mediaNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	envNamePattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Load reads the file at path (empty path: no file, defaults and environment
// only), applies environment overrides from getenv, resolves secrets and
// validates. getenv is os.Getenv in production.
func Load(path string, getenv func(string) string) (*Config, error) {
	cfg := &Config{}
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		if err := decode(raw, cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	applyEnv(cfg, getenv)
	applyDefaults(cfg)
	if err := resolveSecrets(cfg, getenv); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func decode(raw []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key is an error, not a silent default
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// envKey turns a node id into its environment prefix: fs-1 -> CALLBOARD_NODE_FS_1_.
func envKey(id string) string {
	return "CALLBOARD_NODE_" + strings.ToUpper(strings.NewReplacer("-", "_").Replace(id)) + "_"
}

func applyEnv(cfg *Config, getenv func(string) string) {
	if v := getenv("CALLBOARD_LISTEN"); v != "" {
		cfg.Listen = v
	}
	if v := getenv("CALLBOARD_ALLOWED_ORIGINS"); v != "" {
		cfg.AllowedOrigins = splitList(v)
	}
	if v := getenv("CALLBOARD_LOG_LEVEL"); v != "" {
		cfg.LogLevel = v
	}
	if v := getenv("CALLBOARD_LOG_FORMAT"); v != "" {
		cfg.LogFormat = v
	}
	if v := getenv("CALLBOARD_DATA_DIR"); v != "" {
		cfg.DataDir = v
	}
	if v := getenv("CALLBOARD_TLS_CERT"); v != "" {
		cfg.TLSCert = v
	}
	if v := getenv("CALLBOARD_TLS_KEY"); v != "" {
		cfg.TLSKey = v
	}
	if v := getenv("CALLBOARD_TRUSTED_PROXIES"); v != "" {
		cfg.TrustedProxies = splitList(v)
	}
	for i := range cfg.Nodes {
		n := &cfg.Nodes[i]
		if v := getenv(envKey(n.ID) + "ADDRESS"); v != "" {
			n.Address = v
		}
		if v := getenv(envKey(n.ID) + "URL"); v != "" {
			n.URL = v
		}
	}
}

// splitList reads a comma-separated environment list, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func applyDefaults(cfg *Config) {
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "info"
	}
	if cfg.LogFormat == "" {
		cfg.LogFormat = "text"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	if cfg.SessionMaxAge == 0 {
		cfg.SessionMaxAge = DefaultSessionMaxAge
	}
	if cfg.SessionIdleTimeout == 0 {
		cfg.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	if cfg.RetentionDays == 0 {
		cfg.RetentionDays = DefaultRetentionDays
	}
	if cfg.AuditRetentionDays == 0 {
		cfg.AuditRetentionDays = DefaultAuditRetentionDays
	}
}

func resolveSecrets(cfg *Config, getenv func(string) string) error {
	for i := range cfg.Nodes {
		n := &cfg.Nodes[i]
		key := fmt.Sprintf("nodes[%d]", i)
		if n.InlinePassword != "" {
			return fmt.Errorf("%s.password: secrets are not read from the config file; use password_env, password_file or %sPASSWORD", key, envKey(n.ID))
		}
		if v := getenv(envKey(n.ID) + "PASSWORD"); v != "" {
			n.Password = NewSecret(v)
			continue
		}
		if n.PasswordEnv != "" {
			if !envNamePattern.MatchString(n.PasswordEnv) {
				return fmt.Errorf("%s.password_env: %q is not an environment variable name", key, n.PasswordEnv)
			}
			v := getenv(n.PasswordEnv)
			if v == "" {
				return fmt.Errorf("%s.password_env: environment variable %s is empty or unset", key, n.PasswordEnv)
			}
			n.Password = NewSecret(v)
			continue
		}
		if n.PasswordFile != "" {
			raw, err := os.ReadFile(n.PasswordFile)
			if err != nil {
				// The path is not secret; the error from os names only the path.
				return fmt.Errorf("%s.password_file: %w", key, err)
			}
			v := strings.TrimRight(string(raw), "\r\n")
			if v == "" {
				return fmt.Errorf("%s.password_file: %s is empty", key, n.PasswordFile)
			}
			n.Password = NewSecret(v)
		}
	}
	return nil
}

// Validate checks every key and names the first wrong one.
func (c *Config) Validate() error {
	if c.Listen == "" {
		return errors.New("listen: must be host:port")
	}
	if _, _, err := splitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen: %q: %w", c.Listen, err)
	}
	for i, o := range c.AllowedOrigins {
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return fmt.Errorf("allowed_origins[%d]: %q must start with http:// or https://", i, o)
		}
	}
	if err := c.validateSecurity(); err != nil {
		return err
	}
	if c.RetentionDays < 1 || c.RetentionDays > 36500 {
		return fmt.Errorf("retention_days: %d must be 1..36500", c.RetentionDays)
	}
	if c.AuditRetentionDays < 1 || c.AuditRetentionDays > 36500 {
		return fmt.Errorf("audit_retention_days: %d must be 1..36500", c.AuditRetentionDays)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log_format: %q is not text or json", c.LogFormat)
	}
	seen := map[string]bool{}
	for i, n := range c.Nodes {
		key := fmt.Sprintf("nodes[%d]", i)
		if !nodeIDPattern.MatchString(n.ID) {
			return fmt.Errorf("%s.id: %q must match %s", key, n.ID, nodeIDPattern)
		}
		if seen[n.ID] {
			return fmt.Errorf("%s.id: %q is used by another node", key, n.ID)
		}
		seen[n.ID] = true
		var mediaOK func(string) error
		switch n.Kind {
		case "freeswitch":
			if _, _, err := splitHostPort(n.Address); err != nil {
				return fmt.Errorf("%s.address: %q: %w", key, n.Address, err)
			}
			if n.CommandTimeout < 0 {
				return fmt.Errorf("%s.command_timeout: must be positive", key)
			}
			mediaOK = validFreeSWITCHMedia
		case "asterisk":
			if err := validHTTPURL(n.URL, "http", "https"); err != nil {
				return fmt.Errorf("%s.url: %w", key, err)
			}
			if n.WebsocketURL != "" {
				if err := validHTTPURL(n.WebsocketURL, "ws", "wss"); err != nil {
					return fmt.Errorf("%s.websocket_url: %w", key, err)
				}
			}
			if n.Username == "" {
				return fmt.Errorf("%s.username: missing", key)
			}
			if !appNamePattern.MatchString(n.Application) {
				return fmt.Errorf("%s.application: %q must match %s", key, n.Application, appNamePattern)
			}
			if n.UserEventName != "" && !appNamePattern.MatchString(n.UserEventName) {
				return fmt.Errorf("%s.user_event_name: %q must match %s", key, n.UserEventName, appNamePattern)
			}
			if n.TalkThreshold < 0 || n.SilenceMs < 0 {
				return fmt.Errorf("%s.talk_threshold/silence_ms: must not be negative", key)
			}
			if n.RESTTimeout < 0 {
				return fmt.Errorf("%s.rest_timeout: must be positive", key)
			}
			mediaOK = validAsteriskMedia
		case "":
			return fmt.Errorf("%s.kind: missing (freeswitch or asterisk)", key)
		default:
			return fmt.Errorf("%s.kind: %q is not supported (freeswitch or asterisk)", key, n.Kind)
		}
		if n.Password.IsZero() {
			return fmt.Errorf("%s: no password: set %sPASSWORD, password_env or password_file", key, envKey(n.ID))
		}
		for name, target := range n.Media {
			if !mediaNamePattern.MatchString(name) {
				return fmt.Errorf("%s.media.%s: media names must match %s", key, name, mediaNamePattern)
			}
			if err := mediaOK(target); err != nil {
				return fmt.Errorf("%s.media.%s: %w", key, name, err)
			}
		}
	}
	return nil
}

// oneToken refuses empty targets and any whitespace or control character:
// a media target is spliced into an ESL command line or an ARI parameter.
func oneToken(t string) error {
	if t == "" {
		return errors.New("empty target")
	}
	for _, r := range t {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("target %q contains whitespace or a control character", t)
		}
	}
	return nil
}

func validFreeSWITCHMedia(t string) error {
	if err := oneToken(t); err != nil {
		return err
	}
	if !strings.HasPrefix(t, "/") && !strings.HasPrefix(t, "tone_stream://") && !strings.HasPrefix(t, "silence_stream://") {
		return fmt.Errorf("target %q must be an absolute file path, tone_stream:// or silence_stream://", t)
	}
	return nil
}

func validAsteriskMedia(t string) error {
	if err := oneToken(t); err != nil {
		return err
	}
	if !strings.HasPrefix(t, "sound:") && !strings.HasPrefix(t, "recording:") {
		return fmt.Errorf("target %q must be a sound: or recording: URI", t)
	}
	if strings.ContainsAny(t, ",?&#%") {
		return fmt.Errorf("target %q must not contain , ? & # or %%", t)
	}
	return nil
}

func validHTTPURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return fmt.Errorf("%q must be %s://host:port/...", raw, strings.Join(schemes, " or "))
	}
	if u.User != nil {
		return fmt.Errorf("%q must not carry credentials; use username and password_env", u.Redacted())
	}
	return nil
}
