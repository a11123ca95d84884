package config

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// NATS configures publishing domain events (docs/events.md). Credentials
// are read from the environment or files, never from this file:
// CALLBOARD_NATS_URL, CALLBOARD_NATS_USER, CALLBOARD_NATS_PASSWORD,
// CALLBOARD_NATS_TOKEN override the keys below.
type NATS struct {
	URL          string        `yaml:"url"` // empty: NATS off
	User         string        `yaml:"user"`
	PasswordEnv  string        `yaml:"password_env"`
	PasswordFile string        `yaml:"password_file"`
	TokenEnv     string        `yaml:"token_env"`
	TokenFile    string        `yaml:"token_file"`
	CredsFile    string        `yaml:"creds_file"` // a NATS .creds file
	Prefix       string        `yaml:"prefix"`     // default callboard
	Stream       string        `yaml:"stream"`     // JetStream stream to create; empty: none
	StreamMaxAge time.Duration `yaml:"stream_max_age"`
	Buffer       int           `yaml:"buffer"` // events buffered before drops; default 8192

	Password Secret `yaml:"-"`
	Token    Secret `yaml:"-"`
}

// Metrics configures /metrics.
type Metrics struct {
	// Listen, when set, serves /metrics alone without auth on this address;
	// otherwise it is on the main listener for tokens with scope metrics:read.
	Listen string `yaml:"listen"`
}

// Alerts tunes delivery and seeds rules and destinations into the database
// (docs/alerts.md); what admins change in the UI is kept.
type Alerts struct {
	TelegramAPI    string             `yaml:"telegram_api"` // default https://api.telegram.org
	MaxAttempts    int                `yaml:"max_attempts"`
	BackoffBase    time.Duration      `yaml:"backoff_base"`
	BackoffMax     time.Duration      `yaml:"backoff_max"`
	RequestTimeout time.Duration      `yaml:"request_timeout"`
	Destinations   []AlertDestination `yaml:"destinations"`
	Rules          []AlertRule        `yaml:"rules"`
}

// AlertDestination is a seeded destination; its secret (HMAC key, bot
// token; a Slack URL may also come from url_env) from secret_env/secret_file.
type AlertDestination struct {
	Name       string `yaml:"name"`
	Kind       string `yaml:"kind"` // webhook, slack, telegram
	URL        string `yaml:"url"`
	URLEnv     string `yaml:"url_env"`
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`
	ChatID     string `yaml:"chat_id"`

	Secret Secret `yaml:"-"`
}

// AlertRule is a seeded rule.
type AlertRule struct {
	Name         string   `yaml:"name"`
	Kind         string   `yaml:"kind"`
	Severity     string   `yaml:"severity"`
	Pattern      string   `yaml:"pattern"`
	Regex        bool     `yaml:"regex"`
	Speaker      string   `yaml:"speaker"`
	Threshold    int64    `yaml:"threshold"`
	Destinations []string `yaml:"destinations"`
}

// secretFrom reads a secret from an environment variable or a file.
func secretFrom(key, envName, file string, getenv func(string) string) (Secret, error) {
	if envName != "" {
		if !envNamePattern.MatchString(envName) {
			return Secret{}, fmt.Errorf("%s_env: %q is not an environment variable name", key, envName)
		}
		v := getenv(envName)
		if v == "" {
			return Secret{}, fmt.Errorf("%s_env: environment variable %s is empty or unset", key, envName)
		}
		return NewSecret(v), nil
	}
	if file != "" {
		raw, err := os.ReadFile(file)
		if err != nil {
			return Secret{}, fmt.Errorf("%s_file: %w", key, err)
		}
		return NewSecret(strings.TrimRight(string(raw), "\r\n")), nil
	}
	return Secret{}, nil
}

// resolveOut applies the NATS environment and reads the outputs' secrets.
func resolveOut(cfg *Config, getenv func(string) string) error {
	n := &cfg.NATS
	for env, dst := range map[string]*string{"CALLBOARD_NATS_URL": &n.URL, "CALLBOARD_NATS_USER": &n.User} {
		if v := getenv(env); v != "" {
			*dst = v
		}
	}
	var err error
	if n.Password, err = secretFrom("nats.password", n.PasswordEnv, n.PasswordFile, getenv); err != nil {
		return err
	}
	if v := getenv("CALLBOARD_NATS_PASSWORD"); v != "" {
		n.Password = NewSecret(v)
	}
	if n.Token, err = secretFrom("nats.token", n.TokenEnv, n.TokenFile, getenv); err != nil {
		return err
	}
	if v := getenv("CALLBOARD_NATS_TOKEN"); v != "" {
		n.Token = NewSecret(v)
	}
	if strings.Contains(n.URL, "@") {
		return fmt.Errorf("nats.url: credentials do not belong in the URL; use user + password_env, token_env or creds_file")
	}
	if v := getenv("CALLBOARD_METRICS_LISTEN"); v != "" {
		cfg.Metrics.Listen = v
	}
	for i := range cfg.Alerts.Destinations {
		d := &cfg.Alerts.Destinations[i]
		key := fmt.Sprintf("alerts.destinations[%d].secret", i)
		if d.Secret, err = secretFrom(key, d.SecretEnv, d.SecretFile, getenv); err != nil {
			return err
		}
		if d.URLEnv != "" {
			if d.URL = getenv(d.URLEnv); d.URL == "" {
				return fmt.Errorf("alerts.destinations[%d].url_env: environment variable %s is empty or unset", i, d.URLEnv)
			}
		}
	}
	return nil
}
