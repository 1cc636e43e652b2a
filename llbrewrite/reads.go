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
	below := descendants(g, n)
	for _, d := range g.Nodes {
		if !below[d] {
			continue
		}
		if f := d.Op.GetFile(); f != nil {
			for _, a := range f.Actions {
				cp := a.GetCopy()
				si := int(a.SecondaryInput)
				if cp == nil || si < 0 || si >= len(d.Inputs) || !(d.Inputs[si] == n || below[d.Inputs[si]]) {
					continue
				}
				if within(walkRoot(cp.Src), dir) {
					return CommandOf(d) + " copies " + cp.Src
				}
			}
		}
		if e := d.Op.GetExec(); e != nil && e.Meta != nil && !isCleanupStep(d) {
			cmd := strings.Join(e.Meta.Args, " ")
			for _, spelling := range spellings(dir, home) {
				if strings.Contains(cmd, spelling) {
					return CommandOf(d) + " reads " + spelling
				}
			}
		}
	}
	return ""
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
