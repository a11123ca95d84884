package history

// QueueLen is the number of history writes waiting (for /metrics).
func (r *Recorder) QueueLen() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending)
}
