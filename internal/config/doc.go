// Package config loads callboard's configuration: a YAML file (path by flag or
// CALLBOARD_CONFIG) with environment overrides, any number of PBX nodes, and
// secrets taken only from the environment or files. Load validates everything
// and names the offending key in its errors; secrets are never printed.
package config
