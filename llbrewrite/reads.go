package llbrewrite

import (
	"path"
	"strings"
)

// readLater reports how a later step of the build uses dir, which a rule
// wants to keep out of n's layer: a COPY --from that names a path inside it,
// or a RUN whose command mentions it. Such a cache is wanted, and making
// the step cache-less would break the build. "" when nothing does.
func readLater(g *Graph, n *Node, dir, home string) string {
	return g.facts().readLater(n, dir, home) // one pass per dir: model_reads.go
}

// spellings are the ways a script may name dir: as is, and with the home
// directory written as ~, $HOME or ${HOME}.
func spellings(dir, home string) []string {
	out := []string{dir}
	if rest, ok := strings.CutPrefix(dir, strings.TrimSuffix(home, "/")+"/"); ok {
		out = append(out, "~/"+rest, "$HOME/"+rest, "${HOME}/"+rest)
	}
	return out
}

// descendants returns every node that (transitively) reads n.
func descendants(g *Graph, n *Node) map[*Node]bool {
	return g.facts().descendants(n)
}

// within reports whether p is q or lies below it.
func within(p, q string) bool {
	p, q = path.Clean(p), path.Clean(q)
	return p == q || q == "/" || strings.HasPrefix(p, q+"/")
}
