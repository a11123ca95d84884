package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// validateSecurity checks the TLS, proxy and session keys.
func (c *Config) validateSecurity() error {
	if c.DataDir == "" {
		return errors.New("data_dir: must be a directory path")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("tls_cert and tls_key: set both or neither")
	}
	for i, p := range c.TrustedProxies {
		if err := validCIDR(p); err != nil {
			return fmt.Errorf("trusted_proxies[%d]: %w", i, err)
		}
	}
	if c.SessionMaxAge < time.Minute || c.SessionMaxAge > 30*24*time.Hour {
		return fmt.Errorf("session_max_age: %s must be between 1m and 720h", c.SessionMaxAge)
	}
	if c.SessionIdleTimeout < time.Minute || c.SessionIdleTimeout > c.SessionMaxAge {
		return fmt.Errorf("session_idle_timeout: %s must be between 1m and session_max_age", c.SessionIdleTimeout)
	}
	return nil
}

func validCIDR(v string) error {
	if strings.Contains(v, "/") {
		if _, _, err := net.ParseCIDR(v); err != nil {
			return fmt.Errorf("%q is not a CIDR", v)
		}
		return nil
	}
	if net.ParseIP(v) == nil {
		return fmt.Errorf("%q is neither a CIDR nor an IP address", v)
	}
	return nil
}
