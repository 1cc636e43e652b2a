package llbrewrite

import (
	"slices"
	"strings"
)

// readLater answers readLater (reads.go) for the whole graph at once per
// (dir, home): one reverse pass finds, for every node, the earliest later
// step that copies a path inside dir out of the node's result or a state
// built on it, or whose command names dir.
func (m *buildModel) readLater(n *Node, dir, home string) string {
	sp := m.spellings(dir, home)
	inside := func(src string) bool { return within(src, dir) }
	d := m.firstBelow(n, question{"read-later", dir, home}, func(x *Node) *Node {
		if m.mentions(x, sp) != "" {
			return x
		}
		return m.copiesOut(x, inside)
	})
	d = earlier(m.copiesOut(n, inside), d)
	switch {
	case d == nil:
		return ""
	case d.Op.GetFile() != nil:
		return CommandOf(d) + " copies " + m.copiedSrc(d, n, inside)
	}
	return CommandOf(d) + " reads " + m.mentions(d, sp)
}

// spellings memoizes spellings(dir, home) (reads.go).
func (m *buildModel) spellings(dir, home string) []string {
	k := [2]string{dir, home}
	sp, ok := m.spell[k]
	if !ok {
		sp = spellings(dir, home)
		m.spell[k] = sp
	}
	return sp
}

// commonTail is the tail every one of spellings (as spellings makes
// them) ends with: the dir below the home, or the dir itself.
func commonTail(spellings []string) string {
	last := spellings[len(spellings)-1]
	if len(spellings) == 1 {
		return last
	}
	return strings.TrimPrefix(last, "${HOME}/")
}

// copiedOut names the earliest later COPY that copies a path match accepts
// (the copy source up to its first wildcard) out of n's result or a state
// built on it: "COPY --from=… copies <src>", or "". q must identify match;
// the answers for every node come from one pass.
func (m *buildModel) copiedOut(n *Node, q question, match func(src string) bool) string {
	d := m.firstBelow(n, q, func(x *Node) *Node { return m.copiesOut(x, match) })
	d = earlier(m.copiesOut(n, match), d)
	if d == nil {
		return ""
	}
	return CommandOf(d) + " copies " + m.copiedSrc(d, n, match)
}

// copiesOut returns the earliest reader of s that copies a path match
// accepts out of it (s is the copy's source, not the state copied into),
// or nil.
func (m *buildModel) copiesOut(s *Node, match func(src string) bool) *Node {
	for _, d := range m.readersOf(s) {
		f := d.Op.GetFile()
		if f == nil {
			continue
		}
		for _, a := range f.Actions {
			cp := a.GetCopy()
			si := int(a.SecondaryInput)
			if cp != nil && si >= 0 && si < len(d.Inputs) && d.Inputs[si] == s && match(walkRoot(cp.Src)) {
				return d // consumers are in definition order
			}
		}
	}
	return nil
}

// copiedSrc is the source path of d's first copy of a path match accepts
// out of n or a state after it. (A state after n, not merely built on it:
// the Dockerfile frontend gives every COPY one source.)
func (m *buildModel) copiedSrc(d, n *Node, match func(src string) bool) string {
	for _, a := range d.Op.GetFile().Actions {
		cp := a.GetCopy()
		si := int(a.SecondaryInput)
		if cp == nil || si < 0 || si >= len(d.Inputs) || !match(walkRoot(cp.Src)) {
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
func (m *buildModel) mentions(x *Node, spellings []string) string {
	e := x.Op.GetExec()
	if e == nil || e.Meta == nil || m.isSlimStep(x) {
		return ""
	}
	// Every spelling ends with the part of the dir below the home; when
	// that part has no blank, an argv that holds none of it names none of
	// them, even joined. Most steps are rejected by this one search.
	if common := commonTail(spellings); !strings.Contains(common, " ") &&
		!slices.ContainsFunc(e.Meta.Args, func(a string) bool { return strings.Contains(a, common) }) {
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
