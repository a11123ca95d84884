package asterisk

import (
	"log/slog"

	"go.yaml.in/yaml/v3"

	"github.com/callboard/callboard/adapters"
	"github.com/callboard/callboard/adapters/kit"
)

// The kind registers itself; cmd/callboard imports this package for it.
func init() {
	kit.Register(kit.Kind{
		Name:    adapters.KindAsterisk,
		EnvKeys: []string{"url"}, // CALLBOARD_NODE_<ID>_URL
		Decode:  decodeSection,
	})
}

// decodeSection reads a node's YAML section straight into Config (its yaml
// tags are the keys) and checks it with the same rules as New.
func decodeSection(sec *yaml.Node, base kit.Base) (kit.Spec, error) {
	cfg := Config{SubscribeAll: true} // a file that does not say gets every channel
	if err := kit.Strict(sec, &cfg); err != nil {
		return nil, err
	}
	cfg.ID, cfg.Password = base.ID, base.Password
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.Password = "" // a Spec never holds the secret: configs get printed
	return cfg, nil
}

// Build makes the node; Config is its own kit.Spec.
func (cfg Config) Build(password string, log *slog.Logger) (adapters.Node, error) {
	cfg.Password, cfg.Logger = password, log
	return New(cfg)
}
