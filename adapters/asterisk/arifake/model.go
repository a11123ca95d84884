package arifake

import (
	"crypto/rand"
	"fmt"
	"time"
)

// timeLayout is ARI's timestamp format: milliseconds and an offset without a colon.
const timeLayout = "2006-01-02T15:04:05.000-0700"

func stamp(t time.Time) string { return t.Format(timeLayout) }

// Party is a caller id as ARI shows it.
type Party struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

// Dialplan is a channel's dialplan location.
type Dialplan struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int    `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

// Channel is the ARI channel object, fields in Asterisk's order.
type Channel struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	State        string   `json:"state"`
	ProtocolID   string   `json:"protocol_id"`
	Caller       Party    `json:"caller"`
	Connected    Party    `json:"connected"`
	Accountcode  string   `json:"accountcode"`
	Dialplan     Dialplan `json:"dialplan"`
	Creationtime string   `json:"creationtime"`
	Language     string   `json:"language"`
}

// Bridge is the ARI bridge object, fields in Asterisk's order.
type Bridge struct {
	ID           string   `json:"id"`
	Technology   string   `json:"technology"`
	BridgeType   string   `json:"bridge_type"`
	BridgeClass  string   `json:"bridge_class"`
	Creator      string   `json:"creator"`
	Name         string   `json:"name"`
	Channels     []string `json:"channels"`
	Creationtime string   `json:"creationtime"`
	VideoMode    string   `json:"video_mode"`
}

// Playback is the ARI playback object.
type Playback struct {
	ID        string `json:"id"`
	MediaURI  string `json:"media_uri"`
	TargetURI string `json:"target_uri"`
	Language  string `json:"language"`
	State     string `json:"state"`
}

// channel is the fake's state for one channel.
type channel struct {
	Channel
	stasis     bool
	talkDetect bool
	vars       map[string]string
	muted      map[string]bool // "in", "out"
	bridge     string
	chain      []string     // channels that end together (Local pairs, a Dial call)
	held       bool         // POST /hold (no event: b1)
	pending    *pendingDial // made by /channels/create, not dialled yet
	snooped    string       // a snoop channel's target
	whisper    string       // a snoop channel's whisper direction
	snoops     []string     // snoop channels on this one
}

// bridge is the fake's state for one bridge.
type bridge struct {
	Bridge
	moh         string // music-on-hold class while playing
	autoDestroy bool   // a Dial bridge: destroyed when its last channel leaves
}

func (b *bridge) snapshot() Bridge {
	out := b.Bridge
	out.Channels = append([]string{}, b.Channels...)
	// Asterisk switches technology by itself once a third channel joins.
	if len(out.Channels) > 2 {
		out.Technology = "softmix"
	} else {
		out.Technology = "simple_bridge"
	}
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
