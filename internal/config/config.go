package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/kit"
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
	// NATS, Metrics and Alerts: what callboard tells the rest of the company (out.go).
	NATS    NATS    `yaml:"nats"`
	Metrics Metrics `yaml:"metrics"`
	Alerts  Alerts  `yaml:"alerts"`
	// OIDC is single sign-on (oidc.go).
	OIDC OIDC `yaml:"oidc"`
}

// Node is one PBX. Its YAML mapping holds the common keys below and the
// keys of its kind, which the kind's package reads (adapters/kit): Section
// keeps them, and Load turns them into Spec.
type Node struct {
	ID             string // [a-z0-9][a-z0-9_-]{0,31}
	Kind           string // a registered kind: freeswitch, asterisk, ...
	PasswordEnv    string // password_env
	PasswordFile   string // password_file
	InlinePassword string // password: refused, secrets do not belong in the file

	// Password is resolved from CALLBOARD_NODE_<ID>_PASSWORD, password_env or
	// password_file, in that order.
	Password Secret
	// Section is the node's mapping without the common keys.
	Section *yaml.Node
	// Spec is the kind's decoded and validated section; it holds no secret.
	Spec kit.Spec
}

// commonKeys are the node keys owned here; every other key is the kind's.
var commonKeys = map[string]func(n *Node) *string{
	"id":            func(n *Node) *string { return &n.ID },
	"kind":          func(n *Node) *string { return &n.Kind },
	"password_env":  func(n *Node) *string { return &n.PasswordEnv },
	"password_file": func(n *Node) *string { return &n.PasswordFile },
	"password":      func(n *Node) *string { return &n.InlinePassword },
}

// UnmarshalYAML takes the common keys and keeps the rest for the kind.
func (n *Node) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a node must be a mapping of keys", value.Line)
	}
	sec := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line, Column: value.Column}
	for i := 0; i+1 < len(value.Content); i += 2 {
		k, v := value.Content[i], value.Content[i+1]
		field, ok := commonKeys[k.Value]
		if !ok {
			sec.Content = append(sec.Content, k, v)
			continue
		}
		if err := v.Decode(field(n)); err != nil {
			return err
		}
	}
	n.Section = sec
	return nil
}

// Build makes the node from its Spec and resolved password.
func (n Node) Build(log *slog.Logger) (adapters.Node, error) {
	if n.Spec == nil {
		return nil, fmt.Errorf("node %s: not loaded", n.ID)
	}
	return n.Spec.Build(n.Password.Reveal(), log)
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

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

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
	cfg.OIDC.applyEnv(getenv)
	applyDefaults(cfg)
	if err := resolveSecrets(cfg, getenv); err != nil {
		return nil, err
	}
	if err := resolveOut(cfg, getenv); err != nil {
		return nil, err
	}
	if err := cfg.OIDC.resolveSecret(getenv); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := decodeSections(cfg, getenv); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decodeSections hands each node's own keys to its kind, with the
// CALLBOARD_NODE_<ID>_<KEY> overrides the kind allows.
func decodeSections(cfg *Config, getenv func(string) string) error {
	for i := range cfg.Nodes {
		n := &cfg.Nodes[i]
		env := func(key string) string { return getenv(envKey(n.ID) + strings.ToUpper(key)) }
		spec, err := kit.Decode(n.Kind, n.Section, kit.Base{ID: n.ID, Password: n.Password.Reveal()}, env)
		if err != nil {
			return prefixed(fmt.Sprintf("nodes[%d]", i), err)
		}
		n.Spec = spec
	}
	return nil
}

// prefixed puts key before each of err's lines (a kind may report several
// keys at once), so every message names its full key: nodes[0].address: ...
func prefixed(key string, err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = key + "." + l
	}
	return errors.New(strings.Join(lines, "\n"))
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
	if err := c.OIDC.validate(); err != nil {
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
		if err := kit.CheckNodeID(n.ID); err != nil {
			return fmt.Errorf("%s.id: %w", key, err)
		}
		if seen[n.ID] {
			return fmt.Errorf("%s.id: %q is used by another node", key, n.ID)
		}
		seen[n.ID] = true
		if _, ok := kit.Lookup(n.Kind); !ok {
			if n.Kind == "" {
				return fmt.Errorf("%s.kind: missing (%s)", key, strings.Join(kit.Kinds(), " or "))
			}
			return fmt.Errorf("%s.kind: %q is not supported (%s)", key, n.Kind, strings.Join(kit.Kinds(), " or "))
		}
		if n.Password.IsZero() {
			return fmt.Errorf("%s: no password: set %sPASSWORD, password_env or password_file", key, envKey(n.ID))
		}
	}
	return nil
}
