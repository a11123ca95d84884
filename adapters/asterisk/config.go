package asterisk

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/CyCoreSystems/ari/v6"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/dialplan"
	"github.com/callboard/callboard/adapters/kit"
	"github.com/callboard/callboard/adapters/runloop"
)

// TalkThresholds are TALK_DETECT's parameters in milliseconds; zero leaves
// Asterisk's defaults (2500 ms silence, 160 ms talk energy window).
type TalkThresholds struct {
	Talk    int `yaml:"talk_threshold"` // dsp_talking_threshold
	Silence int `yaml:"silence_ms"`     // dsp_silence_threshold, ms
}

// Config describes one Asterisk node. It is also the node's YAML section
// (see adapters/kit): a field's yaml tag is its key in the config file, so a
// new per-node setting is one field here. Fields tagged "-" come from the
// common keys (id, password) or from the program.
type Config struct {
	ID           string `yaml:"-"`
	URL          string `yaml:"url"`           // ARI base URL, http://host:8088/ari
	WebsocketURL string `yaml:"websocket_url"` // default: URL with ws(s) scheme + "/events"
	Username     string `yaml:"username"`
	Password     string `yaml:"-"`           // never logged
	Application  string `yaml:"application"` // Stasis application name
	// SubscribeAll asks ARI for every channel's events; the YAML default is true.
	SubscribeAll bool `yaml:"subscribe_all"`
	// TalkThresholds go into TALK_DETECT(set) on conference members.
	TalkThresholds TalkThresholds `yaml:",inline"`
	// UserEventName is the ChannelUserevent name of the default transcript
	// rule (used when Transcripts is empty).
	UserEventName string `yaml:"user_event_name"` // default "transcription"
	// Transcripts are the user events carrying transcript lines; the first
	// rule whose Event is the user event's name wins. Default:
	// DefaultTranscripts(UserEventName).
	Transcripts []adapters.TranscriptRule `yaml:"transcripts"`
	// ConferenceBridges says which bridges are conferences; every other
	// bridge joins its parties into one call. Default: DefaultConferenceBridges.
	ConferenceBridges ConferenceBridges `yaml:"conference_bridges"`
	// ReconcileInterval is how often GET /channels and /bridges are compared
	// with the live state, a safety net for lost events (default 15 s;
	// negative disables it).
	ReconcileInterval time.Duration `yaml:"reconcile_interval"`
	// Media maps allowlisted prompt names to sound: or recording: URIs.
	Media map[string]string `yaml:"media"`
	// MOHClass is the music-on-hold class for conferences (default "default").
	MOHClass string `yaml:"moh_class"`
	// KickHangup also hangs up a kicked member's channel.
	KickHangup bool `yaml:"kick_hangup"`
	// Audio is how StartAudio streams a call on demand (media.go).
	Audio AudioConfig `yaml:"audio"`
	// RESTTimeout bounds every REST call (default 5 s).
	RESTTimeout time.Duration `yaml:"rest_timeout"`
	// HeartbeatInterval is how often a heartbeat user event checks that
	// events still flow (default 5 s); HeartbeatTimeout is how long one may
	// take to come back (default 3 s).
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	HeartbeatTimeout  time.Duration `yaml:"heartbeat_timeout"`
	// MaxQueue bounds events waiting for the consumer before callboard drops
	// them and resyncs (default 100000).
	MaxQueue int `yaml:"max_queue"`
	// BackoffMin and BackoffMax bound the delay between reconnect attempts
	// (defaults runloop.DefaultBackoffMin and DefaultBackoffMax, 2 s).
	BackoffMin time.Duration `yaml:"backoff_min"`
	BackoffMax time.Duration `yaml:"backoff_max"`
	// Dial says which endpoints and numbers originate, transfer and listen
	// may reach (adapters/dialplan): endpoint_template "PJSIP/{endpoint}"
	// (or "Local/{endpoint}@from-internal"), and context, the dialplan
	// context originate and transfer run the destination in (default
	// "default", ARI's own default). Numbers go to the dialplan as an
	// extension; number_template is not used on Asterisk.
	Dial   dialplan.Rules `yaml:"dial"`
	Logger *slog.Logger   `yaml:"-"`
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

	// onDelay, if set by a test, sees each reconnect delay.
	onDelay func(attempt int, d time.Duration)
}

const maxInflight = 32

// appNamePattern is what Stasis application and user event names look like.
var appNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg Config) withDefaults() Config {
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	if cfg.WebsocketURL == "" && strings.HasPrefix(cfg.URL, "http") {
		cfg.WebsocketURL = "ws" + strings.TrimPrefix(cfg.URL, "http") + "/events"
	}
	if cfg.UserEventName == "" {
		cfg.UserEventName = "transcription"
	}
	if len(cfg.Transcripts) == 0 {
		cfg.Transcripts = DefaultTranscripts(cfg.UserEventName)
	}
	cfg.ConferenceBridges, _ = cfg.ConferenceBridges.withDefaults() // a bad pattern is validate's to report
	if cfg.ReconcileInterval == 0 {
		cfg.ReconcileInterval = 15 * time.Second
	}
	if cfg.MOHClass == "" {
		cfg.MOHClass = "default"
	}
	if cfg.RESTTimeout == 0 {
		cfg.RESTTimeout = 5 * time.Second
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 5 * time.Second
	}
	if cfg.HeartbeatTimeout == 0 {
		cfg.HeartbeatTimeout = 3 * time.Second
	}
	if cfg.MaxQueue == 0 {
		cfg.MaxQueue = 100000
	}
	if cfg.BackoffMin == 0 {
		cfg.BackoffMin = runloop.DefaultBackoffMin
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = max(runloop.DefaultBackoffMax, cfg.BackoffMin)
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
	if err := validURL(cfg.URL, "http", "https"); err != nil {
		bad("url", "%v", err)
	}
	if err := validURL(cfg.WebsocketURL, "ws", "wss"); err != nil {
		bad("websocket_url", "%v", err)
	}
	if cfg.Username == "" {
		bad("username", "missing")
	}
	if cfg.Password == "" {
		bad("password", "missing")
	}
	if !appNamePattern.MatchString(cfg.Application) {
		bad("application", "%q must match %s", cfg.Application, appNamePattern)
	}
	if !appNamePattern.MatchString(cfg.UserEventName) {
		bad("user_event_name", "%q must match %s", cfg.UserEventName, appNamePattern)
	}
	if err := checkTranscripts(cfg.Transcripts); err != nil {
		bad("transcripts", "%v", err)
	}
	if _, err := cfg.ConferenceBridges.withDefaults(); err != nil {
		bad("conference_bridges", "%v", err)
	}
	if cfg.TalkThresholds.Talk < 0 || cfg.TalkThresholds.Silence < 0 {
		bad("talk_threshold/silence_ms", "must not be negative")
	}
	if err := kit.CheckMedia(cfg.Media, validMediaTarget); err != nil {
		errs = append(errs, err)
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"rest_timeout", cfg.RESTTimeout}, {"heartbeat_interval", cfg.HeartbeatInterval},
		{"heartbeat_timeout", cfg.HeartbeatTimeout}, {"backoff_min", cfg.BackoffMin}, {"backoff_max", cfg.BackoffMax},
	} {
		if d.v < 0 {
			bad(d.key, "must not be negative")
		}
	}
	if err := cfg.Dial.Compile(); err != nil {
		errs = append(errs, err)
	}
	if cfg.MaxQueue < 0 {
		bad("max_queue", "must not be negative")
	}
	if cfg.BackoffMax < cfg.BackoffMin {
		bad("backoff_max", "%s is below backoff_min %s", cfg.BackoffMax, cfg.BackoffMin)
	}
	return errors.Join(errs...)
}

// validMediaTarget is Asterisk's media rule: a sound: or recording: URI
// that is one token and adds no parameter to the play request.
func validMediaTarget(t string) error {
	if err := kit.OneToken(t); err != nil {
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

// validURL accepts scheme://host/... without credentials in it.
func validURL(raw string, schemes ...string) error {
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

// New checks cfg (errors name the key) and returns a node; it does no I/O.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("asterisk node %q: %w", cfg.ID, err)
	}
	media := slices.Sorted(maps.Keys(cfg.Media))
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
		adapters.ActOriginate, adapters.ActTransfer, adapters.ActHold, adapters.ActUnhold,
		adapters.ActListen, adapters.ActWhisper, adapters.ActBarge, adapters.ActStopListening,
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
