package asterisk

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
)

// TalkThresholds are TALK_DETECT's parameters in milliseconds; zero leaves
// Asterisk's defaults (2500 ms silence, 160 ms talk energy window).
type TalkThresholds struct {
	Talk    int // dsp_talking_threshold
	Silence int // dsp_silence_threshold, ms
}

// Config describes one Asterisk node.
type Config struct {
	ID           string
	URL          string // ARI base URL, http://host:8088/ari
	WebsocketURL string // default: URL with ws(s) scheme + "/events"
	Username     string
	Password     string // never logged
	Application  string // Stasis application name
	SubscribeAll bool
	// TalkThresholds go into TALK_DETECT(set) on conference members.
	TalkThresholds TalkThresholds
	// UserEventName is the ChannelUserevent name of the default transcript
	// rule (used when Transcripts is empty).
	UserEventName string // default "transcription"
	// Transcripts are the user events carrying transcript lines; the first
	// rule whose Event is the user event's name wins. Default:
	// DefaultTranscripts(UserEventName).
	Transcripts []adapters.TranscriptRule
	// ConferenceBridges says which bridges are conferences; every other
	// bridge joins its parties into one call. Default: DefaultConferenceBridges.
	ConferenceBridges ConferenceBridges
	// ReconcileInterval is how often GET /channels and /bridges are compared
	// with the live state, a safety net for lost events (default 15 s;
	// negative disables it).
	ReconcileInterval time.Duration
	// Media maps allowlisted prompt names to sound: or recording: URIs.
	Media map[string]string
	// MOHClass is the music-on-hold class for conferences (default "default").
	MOHClass string
	// KickHangup also hangs up a kicked member's channel.
	KickHangup bool
	// RESTTimeout bounds every REST call (default 5 s).
	RESTTimeout time.Duration
	// HeartbeatInterval is how often a heartbeat user event checks that
	// events still flow (default 5 s); HeartbeatTimeout is how long one may
	// take to come back (default 3 s).
	HeartbeatInterval time.Duration
	HeartbeatTimeout  time.Duration
	// MaxQueue bounds events waiting for the consumer before callboard drops
	// them and resyncs (default 100000).
	MaxQueue int
	Logger   *slog.Logger
}

// Node is an Asterisk node. It implements adapters.Node.
type Node struct {
	cfg      Config
	log      *slog.Logger
	media    []string
	inflight chan struct{} // bounds abandoned REST calls
	rest     *http.Client

	mu     sync.Mutex
	client ari.Client // current native client, nil while disconnected
	inbox  *queue     // the running session's event queue, nil when not running
	state  *state     // shared with Do for identifier lookups
}

const maxInflight = 32

// New checks cfg and returns a node; it does no I/O.
func New(cfg Config) (*Node, error) {
	if err := validID(cfg.ID); err != nil {
		return nil, fmt.Errorf("asterisk node id: %w", err)
	}
	if err := validID(cfg.Application); err != nil {
		return nil, fmt.Errorf("asterisk node %s application: %w", cfg.ID, err)
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, fmt.Errorf("asterisk node %s: username and password are required", cfg.ID)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("asterisk node %s: ARI URL must be http(s)://host:port/ari", cfg.ID)
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if cfg.WebsocketURL == "" {
		cfg.WebsocketURL = "ws" + strings.TrimPrefix(cfg.URL, "http") + "/events"
	}
	if cfg.UserEventName == "" {
		cfg.UserEventName = "transcription"
	}
	if err := validID(cfg.UserEventName); err != nil {
		return nil, fmt.Errorf("asterisk node %s user event name: %w", cfg.ID, err)
	}
	if len(cfg.Transcripts) == 0 {
		cfg.Transcripts = DefaultTranscripts(cfg.UserEventName)
	}
	if err := checkTranscripts(cfg.Transcripts); err != nil {
		return nil, fmt.Errorf("asterisk node %s: %w", cfg.ID, err)
	}
	rule, err := cfg.ConferenceBridges.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("asterisk node %s: %w", cfg.ID, err)
	}
	cfg.ConferenceBridges = rule
	if cfg.ReconcileInterval == 0 {
		cfg.ReconcileInterval = 15 * time.Second
	}
	if cfg.MOHClass == "" {
		cfg.MOHClass = "default"
	}
	if cfg.RESTTimeout <= 0 {
		cfg.RESTTimeout = 5 * time.Second
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = 5 * time.Second
	}
	if cfg.HeartbeatTimeout <= 0 {
		cfg.HeartbeatTimeout = 3 * time.Second
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 100000
	}
	if cfg.TalkThresholds.Talk < 0 || cfg.TalkThresholds.Silence < 0 {
		return nil, fmt.Errorf("asterisk node %s: negative talk thresholds", cfg.ID)
	}
	media := make([]string, 0, len(cfg.Media))
	for name, uri := range cfg.Media {
		if !strings.HasPrefix(uri, "sound:") && !strings.HasPrefix(uri, "recording:") {
			return nil, fmt.Errorf("asterisk node %s media %q: URI must start with sound: or recording:", cfg.ID, name)
		}
		if strings.ContainsAny(uri, ",?&#% \t\r\n") {
			return nil, fmt.Errorf("asterisk node %s media %q: URI has forbidden characters", cfg.ID, name)
		}
		media = append(media, name)
	}
	slices.Sort(media)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	log = log.With("node", cfg.ID)
	st := newState(cfg.ID)
	st.rule, st.rules = cfg.ConferenceBridges, cfg.Transcripts
	n := &Node{cfg: cfg, log: log, media: media, inflight: make(chan struct{}, maxInflight), state: st}
	n.rest = &http.Client{Timeout: cfg.RESTTimeout}
	return n, nil
}

// ID is the configured node id.
func (n *Node) ID() string { return n.cfg.ID }

// Kind is adapters.KindAsterisk.
func (n *Node) Kind() adapters.Kind { return adapters.KindAsterisk }

// Actions lists what ARI can do (no lock/unlock).
func (n *Node) Actions() []adapters.ActionKind {
	return []adapters.ActionKind{
		adapters.ActMute, adapters.ActUnmute, adapters.ActDeaf, adapters.ActUndeaf,
		adapters.ActKick, adapters.ActPlayToMember, adapters.ActPlayToConference,
		adapters.ActHangup, adapters.ActMOHStart, adapters.ActMOHStop,
	}
}

// Media lists the allowlisted prompt names.
func (n *Node) Media() []string { return slices.Clone(n.media) }

var errBadID = errors.New("bad identifier")

// validID accepts identifiers safe to put in an ARI URL path segment:
// letters, digits and . _ : @ + - only.
func validID(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty: %w", errBadID, adapters.ErrInvalid)
	}
	if len(s) > 128 {
		return fmt.Errorf("%w: longer than 128 bytes: %w", errBadID, adapters.ErrInvalid)
	}
	if strings.Contains(s, "..") || s == "." {
		return fmt.Errorf("%w: %q contains a dot segment: %w", errBadID, s, adapters.ErrInvalid)
	}
	// An allowlist, not a denylist: what real channel ids (1795350955.1),
	// uuids and bridge names use, and nothing a URL or a shell gives meaning to.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._:@+-", c) >= 0) {
			return fmt.Errorf("%w: %q has a forbidden character at %d: %w", errBadID, s, i, adapters.ErrInvalid)
		}
	}
	return nil
}
