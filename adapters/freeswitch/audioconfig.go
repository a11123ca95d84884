package freeswitch

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"

	"github.com/callboard/callboard/adapters/sipaudio"
)

// AudioConfig is the node's `audio:` section: on-demand call audio through
// callboard's own SIP endpoint (audio.go). Absent: StartAudio says the node
// is unavailable for audio.
//
//	audio:
//	  sip_listen: "127.0.0.1:5099"    # UDP ip:port callboard answers SIP on (required)
//	  sip_advertise: "10.0.0.5:5099"  # ip[:port] FreeSWITCH calls, if not sip_listen's
//	  profile: internal               # sofia profile that places the call (default internal)
//	  codec: auto                     # auto (L16/16000, else PCMU) | l16 | pcmu
//	  sip_peers: ["10.0.0.7"]         # IPs/CIDRs allowed to send SIP; default the ESL address's IP
type AudioConfig struct {
	SIPListen    string   `yaml:"sip_listen"`
	SIPAdvertise string   `yaml:"sip_advertise"`
	Profile      string   `yaml:"profile"`
	Codec        string   `yaml:"codec"`
	SIPPeers     []string `yaml:"sip_peers"`
}

var profilePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// codecStrings are the absolute_codec_string sent per codec setting, so
// FreeSWITCH offers what the endpoint prefers (the vanilla profile would
// offer OPUS,G722,PCMU,PCMA). The comma needs the single quotes of the
// originate {...} block (as 'Agent One' in the call-control capture).
var codecStrings = map[string]string{
	sipaudio.CodecAuto: "'L16@16000h,PCMU'",
	sipaudio.CodecL16:  "L16@16000h",
	sipaudio.CodecPCMU: "PCMU",
}

func (a AudioConfig) withDefaults() AudioConfig {
	if a.Profile == "" {
		a.Profile = "internal"
	}
	if a.Codec == "" {
		a.Codec = sipaudio.CodecAuto
	}
	return a
}

// endpointConfig turns the section into the endpoint's config; eslAddress
// gives the default peer. Errors name the YAML key.
func (a AudioConfig) endpointConfig(eslAddress string) (sipaudio.Config, error) {
	a = a.withDefaults()
	var errs []string
	if a.SIPListen == "" {
		errs = append(errs, "audio.sip_listen: required (ip:port)")
	}
	if !profilePattern.MatchString(a.Profile) {
		errs = append(errs, fmt.Sprintf("audio.profile: %q must match %s", a.Profile, profilePattern))
	}
	if _, ok := codecStrings[a.Codec]; !ok {
		errs = append(errs, fmt.Sprintf("audio.codec: %q must be auto, l16 or pcmu", a.Codec))
	}
	cfg := sipaudio.Config{Listen: a.SIPListen, Advertise: a.SIPAdvertise, Codec: a.Codec}
	if a.SIPListen != "" {
		if err := cfg.Check(); err != nil {
			for _, e := range strings.Split(err.Error(), "\n") {
				errs = append(errs, "audio."+e)
			}
		}
	}
	for _, p := range a.SIPPeers {
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			ip, err2 := netip.ParseAddr(p)
			if err2 != nil {
				errs = append(errs, fmt.Sprintf("audio.sip_peers: %q is not an IP address or CIDR", p))
				continue
			}
			pre = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		cfg.Peers = append(cfg.Peers, pre.Masked())
	}
	if len(a.SIPPeers) == 0 {
		// The PBX's SIP normally comes from the host its ESL is on. A host
		// name is not resolved here: say which peers instead.
		host, _, _ := net.SplitHostPort(eslAddress)
		ip, err := netip.ParseAddr(host)
		if err != nil {
			errs = append(errs, fmt.Sprintf("audio.sip_peers: required when address %q is not an IP address", eslAddress))
		} else {
			cfg.Peers = []netip.Prefix{netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())}
		}
	}
	if len(errs) > 0 {
		return cfg, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return cfg, nil
}
