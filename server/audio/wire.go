package audio

import (
	"encoding/binary"
	"errors"
	"regexp"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// Close codes sent on the audio websockets. 4xxx mirror HTTP statuses so a
// relay's log line reads naturally.
const (
	CloseNormal       = websocket.CloseNormalClosure     // 1000: the peer closed
	CloseGoingAway    = websocket.CloseGoingAway         // 1001: server shutting down
	CloseTooBig       = websocket.CloseMessageTooBig     // 1009: frame over MaxFrameBytes
	CloseBadFrame     = 4400                             // odd byte count, bad side, id or rate
	CloseUnauthorized = 4401                             // no or unknown token
	CloseForbidden    = 4403                             // token lacks ScopeIngest
	CloseUnknownCall  = 4404                             // the call is not live
	CloseTooSlow      = 4408                             // listener fell a whole ring behind
	CloseStreamExists = 4409                             // that side already has a source
	CloseCallEnded    = 4410                             // the call ended
	CloseTooMany      = 4429                             // too many streams or listeners
	CloseNoSource     = 4503                             // on-demand source could not start
	closeInternal     = websocket.CloseInternalServerErr // 1011
)

// ScopeIngest is the API token scope the ingest endpoint requires.
const ScopeIngest = "ingest:audio"

// Errors an injected Authorizer returns.
var (
	ErrUnauthorized = errors.New("audio: no valid token")
	ErrForbidden    = errors.New("audio: token lacks scope " + ScopeIngest)
)

// idPattern is what node and call ids in audio URLs look like (the same
// shape as the transcript ingest's).
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$`)

// closeCode maps a hub error to a close code.
func closeCode(err error) int {
	switch {
	case errors.Is(err, ErrFrameSize), errors.Is(err, ErrRate):
		return CloseBadFrame
	case errors.Is(err, ErrStreamExists):
		return CloseStreamExists
	case errors.Is(err, ErrTooManyStreams), errors.Is(err, ErrTooManyListeners):
		return CloseTooMany
	case errors.Is(err, ErrDropped):
		return CloseTooSlow
	case errors.Is(err, ErrCallEnded):
		return CloseCallEnded
	case errors.Is(err, ErrNoSource):
		return CloseNoSource
	case errors.Is(err, ErrClosed):
		return CloseNormal
	case errors.Is(err, ErrUnauthorized):
		return CloseUnauthorized
	case errors.Is(err, ErrForbidden):
		return CloseForbidden
	}
	return closeInternal
}

// closeWith sends a close frame (reason cut to the 123 bytes a control
// frame allows) and closes the connection.
func closeWith(c *websocket.Conn, code int, reason string) {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = c.Close()
}

// HeaderSize is the size of a listener frame's header.
const HeaderSize = 8

// AppendFrame encodes a frame for a listener: version 1, side (1 left,
// 2 right, 3 mix), sample rate (uint16 LE), seq (uint32 LE), then the s16le
// PCM. The PCM starts at an even offset, so the browser can view it as an
// Int16Array without copying.
func AppendFrame(dst []byte, f Frame) []byte {
	dst = append(dst, 1, byte(sideIndex(f.Side)+1))
	dst = binary.LittleEndian.AppendUint16(dst, uint16(f.Rate))
	dst = binary.LittleEndian.AppendUint32(dst, f.Seq)
	return append(dst, f.PCM...)
}

// AppendLevel encodes a level message for a listener:
// {"type":"level","side":"left","rms":-20.5,"peak":-6.1}.
func AppendLevel(dst []byte, lv Level) []byte {
	dst = append(dst, `{"type":"level","side":"`...)
	dst = append(dst, lv.Side...)
	dst = append(dst, `","rms":`...)
	dst = strconv.AppendFloat(dst, lv.RMS, 'f', 1, 64)
	dst = append(dst, `,"peak":`...)
	dst = strconv.AppendFloat(dst, lv.Peak, 'f', 1, 64)
	return append(dst, '}')
}
