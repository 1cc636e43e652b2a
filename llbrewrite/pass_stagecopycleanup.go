package llbrewrite

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/cleanup"
)

// StageCopyCleanup strips __pycache__, tests directories inside installed
// packages and package-manager caches from what a cross-stage COPY reads.
//
// It inserts, between the builder stage and the COPY, an exec step that runs
// slim's own static binary (from the frontend image, so the builder needs no
// shell) on a snapshot of the builder's filesystem. Only the COPY reads the
// cleaned snapshot: the builder stage and every other consumer of it see
// exactly what they saw before. See docs/rules/StageCopyCleanup.md.
type StageCopyCleanup struct{}

// Name implements Pass.
func (StageCopyCleanup) Name() string { return "StageCopyCleanup" }

// cleanupMount is where the builder's filesystem is mounted in the step,
// and cleanupOutput the step's output that holds it afterwards.
const (
	cleanupMount  = "/slim-src"
	cleanupOutput = 1
)

// stageCopy is one COPY --from=<stage> action.
type stageCopy struct {
	node   *Node // the FileOp
	input  int   // index into node.Inputs of the stage state
	action *pb.FileActionCopy
}

// copyGroup is every stage copy reading the same output of the same op.
type copyGroup struct {
	src    *Node
	index  int64
	copies []stageCopy
}

// Run implements Pass.
func (r StageCopyCleanup) Run(g *Graph, p Policy, report func(Finding)) {
	for _, grp := range stageCopyGroups(g) {
		r.clean(g, p, grp, report)
	}
}

func (r StageCopyCleanup) clean(g *Graph, p Policy, grp copyGroup, report func(Finding)) {
	skip := ""
	switch {
	case devStageName(p.Target):
		skip = fmt.Sprintf("building the test/dev target %q: its copies are left whole", p.Target)
	case !runsInstaller(grp.src):
		skip = "the stage runs no Python or Node package installer, so there is nothing of this rule's to remove"
	}
	if skip != "" {
		for _, c := range grp.copies {
			report(findingAt(c.node, Finding{Rule: r.Name(), Action: ActionSkip, Before: CommandOf(c.node), Reason: skip}))
		}
		return
	}
	paths, keep := copyPaths(grp.copies)
	keepPyc, why := p.KeepPycache, "pycache=keep"
	if !keepPyc {
		if reason := compilesBytecode(grp.src); reason != "" {
			keepPyc, why = true, reason
		}
	}
	if p.CleanupImage == "" {
		r.fallback(g, p, grp, keepPyc, report)
		return
	}
	findings := make([]Finding, len(grp.copies))
	cleans := false
	for i, c := range grp.copies {
		findings[i] = r.finding(c, keep, keepPyc, why)
		cleans = cleans || findings[i].Action == ActionRewrite
	}
	if cleans {
		step := cleanupStep(g, p, grp, paths, keep, keepPyc)
		for _, c := range grp.copies {
			c.node.Inputs[c.input] = step
			c.node.Op.Inputs[c.input].Index = cleanupOutput
			c.node.MarkChanged()
		}
		g.InsertBefore(grp.copies[0].node, step)
	}
	for i, c := range grp.copies {
		report(findingAt(c.node, findings[i]))
	}
}

// finding describes what the cleanup means for one copy.
func (r StageCopyCleanup) finding(c stageCopy, keep []string, keepPyc bool, why string) Finding {
	src := walkRoot(c.action.Src)
	f := Finding{Rule: r.Name(), Before: CommandOf(c.node)}
	if slices.Contains(keep, src) || cleanup.KeptWhole(src) {
		f.Action, f.Reason = ActionSkip, src+" is named explicitly by this COPY, so it is copied whole"
		return f
	}
	what := "__pycache__, tests dirs of installed packages and package caches"
	if keepPyc {
		what = "tests dirs of installed packages and package caches (bytecode kept: " + why + ")"
	}
	f.Action = ActionRewrite
	f.After = f.Before + "  # without " + what
	f.Reason = "removed " + what + " under " + src + " before the copy; the stage itself is unchanged"
	var kept []string
	for _, k := range keep {
		if within(k, src) {
			kept = append(kept, k)
		}
	}
	if len(kept) > 0 {
		f.Reason += "; kept " + strings.Join(kept, ", ") + ", which another COPY names"
	}
	return f
}

// fallback runs when the frontend image is unknown (e.g. plan without
// --image, or a frontend started without a source): without the binary the
// pass cannot look at files, so it only excludes what is always safe, with
// copy exclude patterns, and only when the daemon supports them.
func (r StageCopyCleanup) fallback(g *Graph, p Policy, grp copyGroup, keepPyc bool, report func(Finding)) {
	if !p.supports(capCopyExcludePatterns) {
		for _, c := range grp.copies {
			report(findingAt(c.node, Finding{Rule: r.Name(), Action: ActionSkip, Before: CommandOf(c.node),
				Reason: "the frontend image is unknown and the daemon lacks copy exclude patterns (" + capCopyExcludePatterns + ")"}))
		}
		return
	}
	patterns := []string{"**/.cache/pip", "**/.cache/pypoetry/cache", "**/.cache/pypoetry/artifacts", "**/.cache/uv"}
	if !keepPyc {
		patterns = append(patterns, "**/__pycache__")
	}
	for _, c := range grp.copies {
		add := slices.DeleteFunc(slices.Clone(patterns), func(s string) bool { return slices.Contains(c.action.ExcludePatterns, s) })
		if len(add) == 0 {
			continue
		}
		c.action.ExcludePatterns = append(c.action.ExcludePatterns, add...)
		c.node.MarkChanged()
		report(findingAt(c.node, Finding{Rule: r.Name(), Action: ActionRewrite, Before: CommandOf(c.node),
			After:  CommandOf(c.node) + " --exclude=" + strings.Join(add, " --exclude="),
			Reason: "the frontend image is unknown, so only caches and __pycache__ are excluded from the copy"}))
	}
}

const capCopyExcludePatterns = "file.copy.includeexcludepatterns"

// stageCopyGroups finds the copies whose source is a state this Dockerfile
// built (it ran something), as opposed to the build context, a named
// context or an external image, and groups them by the state they read.
func stageCopyGroups(g *Graph) []copyGroup {
	built := map[*Node]bool{}
	for _, n := range g.Nodes {
		built[n] = n.Op.GetExec() != nil
		for _, in := range n.Inputs {
			built[n] = built[n] || built[in]
		}
	}
	var groups []copyGroup
	idx := map[[2]any]int{}
	for _, n := range g.Nodes {
		f := n.Op.GetFile()
		if f == nil {
			continue
		}
		for _, a := range f.Actions {
			cp := a.GetCopy()
			si := int(a.SecondaryInput)
			if cp == nil || si < 0 || si >= len(n.Inputs) || !built[n.Inputs[si]] || isCleanupStep(n.Inputs[si]) {
				continue
			}
			if int(a.Input) == si {
				continue // copying within one state
			}
			key := [2]any{n.Inputs[si], n.Op.Inputs[si].Index}
			i, ok := idx[key]
			if !ok {
				i = len(groups)
				idx[key] = i
				groups = append(groups, copyGroup{src: n.Inputs[si], index: n.Op.Inputs[si].Index})
			}
			groups[i].copies = append(groups[i].copies, stageCopy{node: n, input: si, action: cp})
		}
	}
	return groups
}

// copyPaths returns the paths the copies read, and those to keep: a path
// that lies inside another copied path was named on purpose (COPY
// --from=builder /app/.cache/prisma …), and so was a copied cache dir.
func copyPaths(copies []stageCopy) (paths, keep []string) {
	for _, c := range copies {
		p := walkRoot(c.action.Src)
		if !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		for _, q := range paths {
			if p != q && strings.HasPrefix(p, strings.TrimSuffix(q, "/")+"/") {
				keep = append(keep, p)
				break
			}
		}
	}
	slices.Sort(paths)
	slices.Sort(keep)
	return paths, slices.Compact(keep)
}

// walkRoot is the directory a copy source names, up to its first wildcard.
func walkRoot(src string) string {
	p := path.Clean("/" + src)
	if i := strings.IndexAny(p, "*?["); i >= 0 {
		p = path.Dir(p[:i+1])
	}
	return p
}

// installers are the programs whose leftovers the cleanup removes.
var installers = []string{"pip", "poetry", "python", "uv", "pipenv", "conda", "npm", "yarn", "pnpm", "setup.py"}

// runsInstaller reports whether some RUN in n's history mentions a Python
// or Node package installer.
func runsInstaller(n *Node) bool {
	seen := map[*Node]bool{}
	var visit func(*Node) bool
	visit = func(n *Node) bool {
		if seen[n] {
			return false
		}
		seen[n] = true
		if e := n.Op.GetExec(); e != nil && e.Meta != nil && !isCleanupStep(n) {
			cmd := strings.Join(e.Meta.Args, " ")
			for _, w := range installers {
				if strings.Contains(cmd, w) {
					return true
				}
			}
		}
		for _, in := range n.Inputs {
			if visit(in) {
				return true
			}
		}
		return false
	}
	return visit(n)
}

// compilesBytecode reports why the state's history compiles bytecode on
// purpose ("" if it does not): then __pycache__ is the point, not junk.
func compilesBytecode(n *Node) string {
	seen := map[*Node]bool{}
	var reason string
	var visit func(*Node)
	visit = func(n *Node) {
		if seen[n] || reason != "" {
			return
		}
		seen[n] = true
		if e := n.Op.GetExec(); e != nil && e.Meta != nil {
			s := execStep{node: n, exec: e, script: shellScriptIndex(e.Meta.Args)}
			cmd := s.command()
			switch {
			case s.env()["UV_COMPILE_BYTECODE"] != "" && s.env()["UV_COMPILE_BYTECODE"] != "0":
				reason = "UV_COMPILE_BYTECODE is set"
			case strings.Contains(cmd, "compileall"):
				reason = "the stage runs compileall"
			case strings.Contains(cmd, "pip") && strings.Contains(cmd, "--compile") && !strings.Contains(cmd, "--no-compile"):
				reason = "pip runs with --compile"
			}
		}
		for _, in := range n.Inputs {
			visit(in)
		}
	}
	visit(n)
	return reason
}

// cleanupStep builds the exec node: the frontend image as root, the stage's
// filesystem at cleanupMount as the only output.
func cleanupStep(g *Graph, p Policy, grp copyGroup, paths, keep []string, keepPyc bool) *Node {
	img := g.sourceNode("docker-image://"+p.CleanupImage, p.CleanupPlatform)
	args := []string{"/bin/slim-frontend", "cleanup", "--root", cleanupMount}
	for _, q := range paths {
		args = append(args, "--path", q)
	}
	for _, k := range keep {
		args = append(args, "--keep", k)
	}
	if keepPyc {
		args = append(args, "--keep-pycache")
	}
	op := &pb.Op{
		Inputs: []*pb.Input{{Digest: string(img.Digest())}, {Digest: string(grp.src.Digest()), Index: grp.index}},
		Op: &pb.Op_Exec{Exec: &pb.ExecOp{
			Meta:    &pb.Meta{Args: args, Env: []string{"PATH=/bin"}, Cwd: "/"},
			Network: pb.NetMode_NONE,
			// The root must be writable (runc creates /proc, /dev … in
			// it; BuildKit mounts a root with no output read-only), so it
			// has an output too: a few empty directories, never read.
			Mounts: []*pb.Mount{
				{Input: 0, Dest: "/", Output: 0},
				{Input: 1, Dest: cleanupMount, Output: cleanupOutput},
			},
		}},
		Platform: p.CleanupPlatform,
	}
	n := &Node{Op: op, Inputs: []*Node{img, grp.src}}
	stage := StageOf(grp.src)
	n.Meta = &pb.OpMetadata{Description: map[string]string{
		descCustomName: fmt.Sprintf("[slim] StageCopyCleanup: clean %s before COPY --from=%s", strings.Join(paths, " "), stage),
		descCleanup:    "true",
	}}
	n.Locations = grp.copies[0].node.Locations
	return n
}

// descCleanup marks the steps this pass adds, so a second rewrite does not
// clean a cleaned state again.
const descCleanup = "slim.cleanup"

func isCleanupStep(n *Node) bool {
	return n.Meta != nil && n.Meta.Description[descCleanup] == "true"
}
