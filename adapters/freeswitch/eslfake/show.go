package eslfake

import (
	"bytes"
	"strconv"
	"strings"
)

var channelFields = strings.Split("uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,application,application_data,dialplan,context,read_codec,read_rate,read_bit_rate,write_codec,write_rate,write_bit_rate,secure,hostname,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,sent_callee_name,sent_callee_num,initial_cid_name,initial_cid_num,initial_ip_addr,initial_dest,initial_dialplan,initial_context", ",")

var callFields = strings.Split("uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,presence_id,presence_data,accountcode,callstate,callee_name,callee_num,callee_direction,call_uuid,hostname,sent_callee_name,sent_callee_num,b_uuid,b_direction,b_created,b_created_epoch,b_name,b_state,b_cid_name,b_cid_num,b_ip_addr,b_dest,b_presence_id,b_presence_data,b_accountcode,b_callstate,b_callee_name,b_callee_num,b_callee_direction,b_sent_callee_name,b_sent_callee_num,call_created_epoch", ",")

// channelRow is the channels-table row for ch (keys without b_ prefix).
func (s *Server) channelRow(ch *channel) map[string]string {
	c, ce := created(ch)
	calleeDir := ""
	if ch.direction == "outbound" {
		calleeDir = "RECV"
	}
	return map[string]string{
		"uuid": ch.uuid, "direction": ch.direction, "created": c, "created_epoch": ce,
		"name": ch.name, "state": ch.state, "cid_name": ch.caller.Name, "cid_num": ch.caller.Number,
		"dest": ch.dest, "application": ch.app, "application_data": ch.appData, "dialplan": "XML",
		"context": "default", "read_codec": "L16", "read_rate": "8000", "read_bit_rate": "128000",
		"write_codec": "L16", "write_rate": "8000", "write_bit_rate": "128000", "hostname": s.opts.Hostname,
		"callstate": ch.callState, "callee_name": ch.callee.Name, "callee_num": ch.callee.Number,
		"callee_direction": calleeDir, "call_uuid": ch.callUUID, "initial_cid_name": ch.caller.Name,
		"initial_cid_num": ch.caller.Number, "initial_dest": ch.dest, "initial_dialplan": "xml",
		"initial_context": "default",
	}
}

// show implements "show channels|calls [count] [as json]". Caller holds s.mu.
func (s *Server) show(arg string) string {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return "-USAGE: show <channels|calls|...>\n"
	}
	asJSON := strings.HasSuffix(arg, "as json")
	var fields []string
	var rows []map[string]string
	switch f[0] {
	case "channels":
		fields = channelFields
		for _, ch := range s.sortedChannels() {
			rows = append(rows, s.channelRow(ch))
		}
	case "calls":
		fields = callFields
		for _, ch := range s.sortedChannels() {
			// A bridged pair is one row, keyed by the older leg.
			if b := ch.bridgedTo; b != nil && b.sessionID < ch.sessionID {
				continue
			}
			row := s.channelRow(ch)
			if b := ch.bridgedTo; b != nil {
				for k, v := range s.channelRow(b) {
					row["b_"+k] = v
				}
				row["call_created_epoch"] = row["created_epoch"]
			}
			rows = append(rows, row)
		}
	default:
		return "-USAGE: show <channels|calls|...>\n"
	}
	if len(f) > 1 && f[1] == "count" {
		return "\n" + strconv.Itoa(len(rows)) + " total.\n"
	}
	if asJSON {
		if len(rows) == 0 {
			return "{\"row_count\": 0}\n"
		}
		var b bytes.Buffer
		b.WriteString(`{"row_count":` + strconv.Itoa(len(rows)) + `,"rows":[`)
		for i, r := range rows {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('{')
			for j, k := range fields {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(jsonString(k))
				b.WriteByte(':')
				b.Write(jsonString(r[k]))
			}
			b.WriteByte('}')
		}
		b.WriteString("]}\n")
		return b.String()
	}
	var b bytes.Buffer
	if len(rows) > 0 {
		b.WriteString(strings.Join(fields, ",") + "\n")
		for _, r := range rows {
			vals := make([]string, len(fields))
			for j, k := range fields {
				vals[j] = r[k]
			}
			b.WriteString(strings.Join(vals, ",") + "\n")
		}
	}
	b.WriteString("\n" + strconv.Itoa(len(rows)) + " total.\n")
	return b.String()
}
