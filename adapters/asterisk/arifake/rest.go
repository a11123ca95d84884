package arifake

import (
	"net/http"
	"strings"
	"time"
)

func (s *Server) route(w http.ResponseWriter, method string, p []string, params map[string]string, body map[string]any) {
	if s.callControl(w, method, p, params, body) {
		return
	}
	switch {
	case s.mediaRoute(w, method, p, params): // media.go
	case method == "GET" && len(p) == 2 && p[0] == "asterisk" && p[1] == "info":
		s.info(w)
	case p[0] == "channels" && len(p) >= 2 && len(p) <= 4:
		s.channelRoute(w, method, p[1:], params)
	case method == "GET" && len(p) == 1 && p[0] == "channels":
		s.mu.Lock()
		out := make([]Channel, 0, len(s.order))
		for _, id := range s.order {
			out = append(out, s.channels[id].Channel)
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case method == "GET" && len(p) == 1 && p[0] == "bridges":
		s.mu.Lock()
		out := make([]Bridge, 0, len(s.border))
		for _, id := range s.border {
			out = append(out, s.bridges[id].snapshot())
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	case p[0] == "bridges" && len(p) >= 2 && len(p) <= 4:
		s.bridgeRoute(w, method, p[1:], params)
	case method == "POST" && len(p) == 3 && p[0] == "events" && p[1] == "user":
		s.userEventREST(w, p[2], params, body)
	default:
		writeMessage(w, http.StatusNotFound, "Resource not found")
	}
}

func (s *Server) info(w http.ResponseWriter) {
	start := stamp(s.startedAt)
	writeJSON(w, http.StatusOK, map[string]any{
		"build":  map[string]string{"os": "Linux", "kernel": "6.18.44", "machine": "x86_64", "options": "OPTIONAL_API", "date": "2026-11-22 11:33:49 UTC", "user": "root"},
		"system": map[string]string{"version": "22.10.1", "entity_id": s.opts.EntityID},
		"config": map[string]any{"name": "", "default_language": "en", "setid": map[string]string{"user": "", "group": ""}},
		"status": map[string]string{"startup_time": start, "last_reload_time": start},
	})
}

func validDirection(d string) bool { return d == "in" || d == "out" || d == "both" }

func (s *Server) channelRoute(w http.ResponseWriter, method string, p []string, params map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[p[0]]
	if !ok {
		writeMessage(w, http.StatusNotFound, "Channel not found")
		return
	}
	op := ""
	if len(p) > 1 {
		op = p[1]
	}
	needsStasis := op != ""
	if needsStasis && !ch.stasis {
		writeMessage(w, http.StatusConflict, "Channel not in Stasis application")
		return
	}
	switch {
	case method == "GET" && op == "":
		writeJSON(w, http.StatusOK, ch.Channel)
	case method == "DELETE" && op == "":
		cause, txt := 16, "Normal Clearing"
		if params["reason"] == "busy" {
			cause, txt = 17, "User busy"
		}
		s.hangupLocked(ch, cause, txt, 32)
		w.WriteHeader(http.StatusNoContent)
	case op == "mute" && (method == "POST" || method == "DELETE") && len(p) == 2:
		dir := params["direction"]
		if dir == "" {
			dir = "both"
		}
		if !validDirection(dir) {
			writeMessage(w, http.StatusBadRequest, "Invalid direction specified")
			return
		}
		for _, d := range []string{"in", "out"} {
			if dir == d || dir == "both" {
				ch.muted[d] = method == "POST"
			}
		}
		w.WriteHeader(http.StatusNoContent)
	case op == "play" && method == "POST":
		pbID := params["playbackId"]
		if len(p) == 3 {
			pbID = p[2]
		}
		s.playLocked(w, "channel:"+ch.ID, pbID, params["media"], 1)
	case op == "variable" && method == "POST" && len(p) == 2:
		name := params["variable"]
		if name == "" {
			writeMessage(w, http.StatusBadRequest, "Variable name is required")
			return
		}
		if strings.HasPrefix(name, "TALK_DETECT(") {
			ch.talkDetect = name == "TALK_DETECT(set)"
		}
		ch.vars[name] = params["value"]
		w.WriteHeader(http.StatusNoContent)
	default:
		writeMessage(w, http.StatusNotFound, "Resource not found")
	}
}

func (s *Server) bridgeRoute(w http.ResponseWriter, method string, p []string, params map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bridges[p[0]]
	if !ok {
		writeMessage(w, http.StatusNotFound, "Bridge not found")
		return
	}
	op := ""
	if len(p) > 1 {
		op = p[1]
	}
	switch {
	case method == "GET" && op == "":
		writeJSON(w, http.StatusOK, b.snapshot())
	case method == "DELETE" && op == "":
		s.destroyBridgeLocked(b)
		w.WriteHeader(http.StatusNoContent)
	case method == "POST" && (op == "addChannel" || op == "removeChannel") && len(p) == 2:
		ids := strings.Split(params["channel"], ",")
		var chans []*channel
		for _, id := range ids {
			ch, ok := s.channels[id]
			if !ok || id == "" {
				writeMessage(w, http.StatusBadRequest, "Channel not found")
				return
			}
			if !ch.stasis {
				writeMessage(w, http.StatusUnprocessableEntity, "Channel not in Stasis application")
				return
			}
			if op == "removeChannel" && ch.bridge != b.ID {
				writeMessage(w, http.StatusUnprocessableEntity, "Channel not in this bridge")
				return
			}
			chans = append(chans, ch)
		}
		for _, ch := range chans {
			if op == "addChannel" {
				s.enterLocked(b, ch)
			} else {
				s.leaveLocked(b, ch)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	case op == "play" && method == "POST":
		pbID := params["playbackId"]
		if len(p) == 3 {
			pbID = p[2]
		}
		// Real Asterisk sends bridge playback events twice.
		s.playLocked(w, "bridge:"+b.ID, pbID, params["media"], 2)
	case op == "moh" && len(p) == 2 && method == "POST":
		b.moh = params["mohClass"]
		if b.moh == "" {
			b.moh = "default"
		}
		w.WriteHeader(http.StatusNoContent)
	case op == "moh" && len(p) == 2 && method == "DELETE":
		b.moh = ""
		w.WriteHeader(http.StatusNoContent)
	default:
		writeMessage(w, http.StatusNotFound, "Resource not found")
	}
}

// playLocked answers 201 with a queued playback, then sends PlaybackStarted
// and PlaybackFinished (copies times each) after the configured duration.
func (s *Server) playLocked(w http.ResponseWriter, target, id, media string, copies int) {
	if media == "" {
		writeMessage(w, http.StatusBadRequest, "Missing parameter media")
		return
	}
	if id == "" {
		id = newUUID()
	}
	pb := Playback{ID: id, MediaURI: strings.Split(media, ",")[0], TargetURI: target, Language: "en", State: "queued"}
	writeJSON(w, http.StatusCreated, pb)
	s.playbacks.Add(1)
	go func() {
		defer s.playbacks.Done()
		for _, st := range []struct{ typ, state string }{{"PlaybackStarted", "playing"}, {"PlaybackFinished", "done"}} {
			pb.State = st.state
			s.mu.Lock()
			for range copies {
				s.emitLocked(st.typ, map[string]any{"playback": pb})
			}
			s.mu.Unlock()
			if st.state == "playing" {
				time.Sleep(s.opts.PlaybackDuration)
			}
		}
	}()
}

func (s *Server) userEventREST(w http.ResponseWriter, name string, params map[string]string, body map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := params["application"]
	if app == "" {
		writeMessage(w, http.StatusBadRequest, "Missing parameter application")
		return
	}
	if !s.appConnectedLocked(app) {
		writeMessage(w, http.StatusNotFound, "Application not found")
		return
	}
	ev := map[string]any{"eventname": name}
	for _, src := range strings.Split(params["source"], ",") {
		if src == "" {
			continue
		}
		kind, id, _ := strings.Cut(src, ":")
		switch {
		case kind == "channel" && s.channels[id] != nil:
			ev["channel"] = s.channels[id].Channel
		case kind == "bridge" && s.bridges[id] != nil:
			ev["bridge"] = s.bridges[id].snapshot()
		default:
			writeMessage(w, http.StatusUnprocessableEntity, "Event source was not found")
			return
		}
	}
	vars, _ := body["variables"].(map[string]any)
	ue := map[string]any{}
	for k, v := range vars {
		ue[k] = v
	}
	ue["eventname"] = name
	ev["userevent"] = ue
	s.emitLocked("ChannelUserevent", ev)
	w.WriteHeader(http.StatusNoContent)
}
