package sipaudio

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Config configures an Endpoint.
type Config struct {
	// Listen is the UDP "ip:port" SIP is received on; RTP uses ephemeral
	// ports on the same IP. Port 0 picks one (tests).
	Listen string
	// Advertise is the "ip" or "ip:port" FreeSWITCH is told to call and RTP
	// is announced on, when it differs from Listen (NAT, containers).
	// Default: Listen's address as bound.
	Advertise string
	// Codec is CodecAuto (default), CodecL16 or CodecPCMU.
	Codec string
	// Peers are the addresses allowed to send SIP (and RTP) at all; empty
	// allows any source, leaving the one-time token as the only guard.
	Peers []netip.Prefix
	// TTL is how long a token waits for its INVITE (default 15 s).
	TTL time.Duration
	// MaxCalls bounds expected plus answered calls (default 64).
	MaxCalls int
	Logger   *slog.Logger
}

// Check validates c without binding anything; errors name the field.
func (c Config) Check() error {
	var errs []error
	if _, err := hostPortIP(c.Listen, true); err != nil {
		errs = append(errs, fmt.Errorf("sip_listen: %w", err))
	}
	if c.Advertise != "" {
		if _, err := hostPortIP(c.Advertise, false); err != nil {
			errs = append(errs, fmt.Errorf("sip_advertise: %w", err))
		} else if ip, _ := hostPortIP(c.Advertise, false); ip.IsUnspecified() {
			errs = append(errs, fmt.Errorf("sip_advertise: %q is not an address FreeSWITCH can reach", c.Advertise))
		}
	} else if ip, err := hostPortIP(c.Listen, true); err == nil && ip.IsUnspecified() {
		errs = append(errs, fmt.Errorf("sip_advertise: required when sip_listen is %q", c.Listen))
	}
	switch c.Codec {
	case "", CodecAuto, CodecL16, CodecPCMU:
	default:
		errs = append(errs, fmt.Errorf("codec: %q must be auto, l16 or pcmu", c.Codec))
	}
	if c.TTL < 0 || c.MaxCalls < 0 {
		errs = append(errs, errors.New("ttl and max_calls must not be negative"))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Codec == "" {
		c.Codec = CodecAuto
	}
	if c.TTL == 0 {
		c.TTL = 15 * time.Second
	}
	if c.MaxCalls == 0 {
		c.MaxCalls = 64
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// hostPortIP parses "ip:port" (or "ip" when the port is optional) with a
// literal IP: a host name would make SIP and SDP depend on DNS.
func hostPortIP(s string, needPort bool) (net.IP, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		if needPort {
			return nil, fmt.Errorf("%q must be ip:port", s)
		}
		host, port = s, "0"
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return nil, fmt.Errorf("%q: %q is not an IP address", s, host)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return nil, fmt.Errorf("%q: port %q is not a number from 0 to 65535", s, port)
	}
	return ip, nil
}
