package kit

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/callboard/callboard/adapters"
)

// Kind is what a PBX kind registers.
type Kind struct {
	// Name is the value of a node's `kind:` key.
	Name adapters.Kind
	// EnvKeys are section keys that CALLBOARD_NODE_<ID>_<KEY> overrides
	// (upper-cased key), e.g. "address" -> CALLBOARD_NODE_FS1_ADDRESS.
	EnvKeys []string
	// Decode reads the node's section (its mapping without the common keys)
	// with Strict, applies defaults and validates, without I/O. Its errors
	// name the key relative to the node ("address: ...") and never carry the
	// password, and the Spec it returns does not keep the password.
	Decode func(sec *yaml.Node, base Base) (Spec, error)
}

// Base is what every node has, whatever its kind.
type Base struct {
	ID       string
	Password string // resolved by internal/config from env or file
}

// Spec is one node's decoded and validated configuration. It never holds
// the password, so printing a loaded config cannot show it.
type Spec interface {
	// Build makes the node with the resolved password (no I/O); the node
	// logs to log.
	Build(password string, log *slog.Logger) (adapters.Node, error)
}

var (
	mu    sync.RWMutex
	kinds = map[adapters.Kind]Kind{}
)

// Register makes a kind available. Like sql.Register it panics on a
// duplicate or incomplete registration: that is a programming error.
func Register(k Kind) {
	mu.Lock()
	defer mu.Unlock()
	if k.Name == "" || k.Decode == nil {
		panic("kit: Register needs a Name and a Decode")
	}
	if _, dup := kinds[k.Name]; dup {
		panic("kit: Register called twice for kind " + string(k.Name))
	}
	kinds[k.Name] = k
}

// Lookup returns the registered kind named name.
func Lookup(name string) (Kind, bool) {
	mu.RLock()
	defer mu.RUnlock()
	k, ok := kinds[adapters.Kind(name)]
	return k, ok
}

// Kinds lists the registered kind names, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(kinds))
	for name := range kinds {
		out = append(out, string(name))
	}
	slices.Sort(out)
	return out
}

// Decode reads one node's section for the kind named kind: first the
// environment overrides of the kind's EnvKeys (env gives the value for a
// key, "" for none), then the kind's own decoding and validation.
func Decode(kind string, sec *yaml.Node, base Base, env func(key string) string) (Spec, error) {
	k, ok := Lookup(kind)
	if !ok {
		if kind == "" {
			return nil, fmt.Errorf("kind: missing (%s)", strings.Join(Kinds(), " or "))
		}
		return nil, fmt.Errorf("kind: %q is not supported (%s)", kind, strings.Join(Kinds(), " or "))
	}
	if sec == nil {
		sec = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	if env != nil {
		for _, key := range k.EnvKeys {
			if v := env(key); v != "" {
				setScalar(sec, key, v)
			}
		}
	}
	return k.Decode(sec, base)
}

// DecodeText is Decode for a section written as YAML text, for code that
// builds nodes itself (the demo) so that it goes through the same checks.
func DecodeText(kind adapters.Kind, section string, base Base) (Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(section), &doc); err != nil {
		return nil, fmt.Errorf("%s section: %w", kind, err)
	}
	var sec *yaml.Node
	if len(doc.Content) > 0 {
		sec = doc.Content[0]
	}
	return Decode(string(kind), sec, base, nil)
}

// setScalar sets key to the string v in the mapping sec.
func setScalar(sec *yaml.Node, key, v string) {
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		if sec.Content[i].Value == key {
			val.Line, val.Column = sec.Content[i+1].Line, sec.Content[i+1].Column
			sec.Content[i+1] = val
			return
		}
	}
	sec.Content = append(sec.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
}
