package main

// The PBX kinds callboard knows. Each registers itself with adapters/kit
// (its YAML section, validation and constructor) when imported; adding a
// kind is one line here and its own package.
import (
	_ "github.com/callboard/callboard/adapters/asterisk"
	_ "github.com/callboard/callboard/adapters/freeswitch"
)
