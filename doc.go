// Package callboard holds what is shared by the whole module at its root: the
// built web UI, embedded into the binary (UI is nil in builds tagged no_ui).
package callboard
