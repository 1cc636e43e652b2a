package llbrewrite

import (
	"slices"

	"github.com/moby/buildkit/solver/pb"
)

// copySourceOf reads, from the steps n's filesystem is built by, whether
// they install Python packages and where packages and caches end up: the
// virtualenvs they create or name, the dirs pip is pointed at, the
// in-project virtualenvs of project managers, the caches they fill.
//
// The reading of the steps up to a node is kept for the node asked about,
// until a rule edits the graph: InstallCleanup asks for every install of a
// stage in turn, and each then reads only the steps since the last.
func copySourceOf(n *Node) copySource {
	return factsOf(n).copyFoldOf(n).result()
}

// copyFold is what the steps up to a node say, before copySourceOf's
// last word (the project virtualenvs).
type copyFold struct {
	c     copySource
	proj  projectVenvs
	last  execStep // the last step read, for its environment
	stamp uint64   // the graph's edit count when it was made
}

func newCopyFold() *copyFold {
	return &copyFold{c: copySource{roots: []pyRoot{
		{dir: "/usr/local", kind: rootPrefix, whatAfter: ", where pip installs by default"},
		{dir: "/usr", kind: rootPrefix, weak: true, whatAfter: ", the distribution's Python prefix"},
		{dir: "/opt/conda", kind: rootTree, weak: true, what: "the conda prefix "},
	}}}
}

// copyFoldOf folds the steps n's filesystem is built by, earliest first,
// onto the fold kept for its nearest asked-about ancestor. A filesystem
// merged from several (merge and diff ops) is read whole, as walkRootfs
// visits it.
func (m *buildModel) copyFoldOf(n *Node) *copyFold {
	stamp := editsOf(n)
	var steps []execStep
	var base *copyFold
	for x := n; x != nil && base == nil; {
		if f := m.folds[x]; f != nil && f.stamp == stamp {
			base = f
			break
		}
		steps = m.appendStep(steps, x)
		ins, _ := rootfsInputs(x)
		switch len(ins) {
		case 0:
			x = nil
		case 1:
			x = ins[0]
		default:
			return m.foldWalk(n, stamp)
		}
	}
	f := newCopyFold()
	if base != nil {
		f = base.clone()
	}
	for i := len(steps) - 1; i >= 0; i-- {
		f.read(steps[i])
	}
	f.stamp = stamp
	if m.folds == nil {
		m.folds = map[*Node]*copyFold{}
	}
	m.folds[n] = f
	return f
}

// foldWalk reads every step walkRootfs visits from n, earliest first.
func (m *buildModel) foldWalk(n *Node, stamp uint64) *copyFold {
	var steps []execStep
	walkRootfs(n, func(d *Node, _ []*pb.FileActionCopy) { steps = m.appendStep(steps, d) })
	f := newCopyFold()
	for i := len(steps) - 1; i >= 0; i-- {
		f.read(steps[i])
	}
	f.stamp = stamp
	return f
}

// appendStep appends d's exec step, when d is one and not slim's own.
func (m *buildModel) appendStep(steps []execStep, d *Node) []execStep {
	if e := d.Op.GetExec(); e != nil && e.Meta != nil && len(e.Meta.Args) > 0 && !m.isSlimStep(d) {
		steps = append(steps, newExecStep(d, e))
	}
	return steps
}

// read folds in one step.
func (f *copyFold) read(s execStep) {
	if f.last.exec == nil || !s.sameEnv(f.last) {
		f.c.addEnv(s) // the steps of a stage mostly share one
	}
	f.last = s
	cmds, err := s.commands()
	if err != nil {
		return
	}
	for _, cmd := range cmds {
		f.c.addCommand(s, cmd, &f.proj)
	}
}

// clone is a copy of f that appends to none of f's arrays.
func (f *copyFold) clone() *copyFold {
	g := *f
	g.c.roots = slices.Clip(g.c.roots)
	g.c.caches = slices.Clip(g.c.caches)
	g.c.words = nil
	g.c.joins = slices.Clip(g.c.joins)
	g.proj.poetry = slices.Clip(g.proj.poetry)
	return &g
}

// result is copySourceOf's answer: nothing when no step installs Python
// packages, else the roots with the project virtualenvs.
func (f *copyFold) result() copySource {
	if f.c.installer == "" {
		return copySource{}
	}
	c := f.clone().c
	for _, r := range f.proj.roots() {
		c.add(r)
	}
	return c
}

// editsOf is the count of edits made so far to n's graph (see
// MarkChanged): a fold made at another count may describe the graph as
// it was.
func editsOf(n *Node) uint64 {
	if n.graph == nil {
		return 0
	}
	return n.graph.edits
}
