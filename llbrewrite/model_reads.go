package llbrewrite

import (
	"strings"
)

// readLater answers readLater (reads.go) for the whole graph at once per
// (dir, home): one reverse pass finds, for every node, the earliest later
// step that copies a path inside dir out of the node's result or a state
// built on it, or whose command names dir.
func (m *buildModel) readLater(n *Node, dir, home string) string {
	sp := spellings(dir, home)
	copier := func(s *Node) *Node { return m.copiesOut(s, dir) }
	d := m.firstBelow(n, "read-later\x00"+dir+"\x00"+home, func(x *Node) *Node {
		if mentions(x, sp) != "" {
			return x
		}
		return copier(x)
	})
	d = earlier(copier(n), d)
	if d == nil {
		return ""
	}
	if src := m.copiedSrc(d, n, dir); src != "" {
		return CommandOf(d) + " copies " + src
	}
	return CommandOf(d) + " reads " + mentions(d, sp)
}

// copiesOut returns the earliest reader of s that copies a path inside dir
// out of it (s is the copy's source, not the state copied into), or nil.
func (m *buildModel) copiesOut(s *Node, dir string) *Node {
	for _, d := range m.consumers[s] {
		f := d.Op.GetFile()
		if f == nil {
			continue
		}
		for _, a := range f.Actions {
			cp := a.GetCopy()
			si := int(a.SecondaryInput)
			if cp != nil && si >= 0 && si < len(d.Inputs) && d.Inputs[si] == s && within(walkRoot(cp.Src), dir) {
				return d // consumers are in definition order
			}
		}
	}
	return nil
}

// copiedSrc is the source path of d's first copy of a path inside dir out
// of n or a state after it, or "" when d copies none. (A state after n, not
// merely built on it: the Dockerfile frontend gives every COPY one source.)
func (m *buildModel) copiedSrc(d, n *Node, dir string) string {
	f := d.Op.GetFile()
	if f == nil {
		return ""
	}
	for _, a := range f.Actions {
		cp := a.GetCopy()
		si := int(a.SecondaryInput)
		if cp == nil || si < 0 || si >= len(d.Inputs) || !within(walkRoot(cp.Src), dir) {
			continue
		}
		if s := d.Inputs[si]; s == n || s.idx == 0 || s.idx > n.idx {
			return cp.Src
		}
	}
	return ""
}

// mentions returns the first of spellings that the exec step x names in
// its argv, or "" (also for other ops and slim's own steps).
func mentions(x *Node, spellings []string) string {
	e := x.Op.GetExec()
	if e == nil || e.Meta == nil || isCleanupStep(x) {
		return ""
	}
	var joined string
	for _, sp := range spellings {
		if strings.Contains(sp, " ") {
			if joined == "" {
				joined = strings.Join(e.Meta.Args, " ")
			}
			if strings.Contains(joined, sp) {
				return sp
			}
			continue
		}
		for _, a := range e.Meta.Args {
			if strings.Contains(a, sp) {
				return sp
			}
		}
	}
	return ""
}
