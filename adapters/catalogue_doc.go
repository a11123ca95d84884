package adapters

import (
	"fmt"
	"strings"
)

//go:generate env CALLBOARD_UPDATE_DOCS=1 go test -run ^TestProtocolDocMatchesCatalogue$ .

// Markers around the generated table in docs/protocol.md.
const (
	DocTableBegin = "<!-- action catalogue: generated from adapters/catalogue.go by `go generate ./adapters`; do not edit -->"
	DocTableEnd   = "<!-- end of action catalogue -->"
)

// CatalogueMarkdown renders the catalogue as docs/protocol.md's action table.
func CatalogueMarkdown() string {
	var b strings.Builder
	b.WriteString("| action | target | method and path | body | role | what it does |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, s := range catalogue {
		body := s.bodyShape()
		if body != "" {
			body = "`" + body + "`"
			for _, p := range s.Params {
				if p.Doc != "" {
					body += " (" + p.Name + ": " + p.Doc + ")"
				}
			}
		}
		role := string(s.Role)
		if s.Scope != "" {
			role += " or token scope `" + s.Scope + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s %s` | %s | %s | %s |\n", s.Name, s.Target, s.Method, s.DocPath(), body, role, s.Doc)
	}
	return b.String()
}
