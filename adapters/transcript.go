package adapters

// TranscriptRule says which custom PBX event carries transcript lines and how
// to read it. A node has a list of rules; the first whose Event matches wins.
// Adapters ship defaults equal to what they understood before rules existed
// (FreeSWITCH: brain_stt and the *_transcribe modules, caller side; Asterisk:
// ChannelUserevent "transcription" with a speaker variable).
type TranscriptRule struct {
	// Event is the FreeSWITCH CUSTOM Event-Subclass (e.g.
	// "brain_stt::transcription") or the ARI ChannelUserevent eventname.
	Event string `yaml:"event" json:"event"`
	// Format is how the body is read: "auto" (the module's own format chosen by
	// the subclass, as before), "brain_stt", "google", "deepgram", "azure",
	// "aws", or "json" (a JSON object with at least "text"; optional "final",
	// "start"/"end" in ms, "speaker").
	Format string `yaml:"format" json:"format"`
	// Speaker is who said the lines when nothing in the event names one.
	Speaker Speaker `yaml:"speaker" json:"speaker"`
	// SpeakerField optionally names the event header, channel variable (ARI
	// userevent variable) or JSON body field that carries the speaker; its
	// value is mapped by SpeakerValues, else read as a Speaker name.
	SpeakerField string `yaml:"speaker_field" json:"speakerField,omitempty"`
	// SpeakerValues maps a value of SpeakerField to a speaker, e.g.
	// {"assistant": "bot", "user": "caller"}.
	SpeakerValues map[string]Speaker `yaml:"speaker_values" json:"speakerValues,omitempty"`
}
