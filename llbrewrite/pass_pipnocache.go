package llbrewrite

import (
	"path"
	"strings"

	"github.com/org/slim/llbrewrite/shelledit"
)

// PipNoCache adds --no-cache-dir to every pip install, so pip's HTTP and
// wheel cache never lands in a layer. The script is edited with a real
// shell parser and only the flag is inserted; see docs/rules/PipNoCache.md.
type PipNoCache struct{}

// Name implements Pass.
func (PipNoCache) Name() string { return "PipNoCache" }

// Run implements Pass.
func (r PipNoCache) Run(g *Graph, p Policy, report func(Finding)) {
	for _, s := range execSteps(g) {
		if !strings.Contains(s.command(), "pip") {
			continue
		}
		env := shelledit.Env(s.env())
		var notes []shelledit.Note
		if s.script >= 0 {
			_, notes = shelledit.PipNoCache(s.command(), env)
		} else {
			_, notes = shelledit.PipNoCacheArgv(s.exec.Meta.Args, env)
		}
		if !hasRewrite(notes) {
			r.report(s, notes, "", report)
			continue
		}
		dir := pipCacheDir(s)
		why := ""
		if s.cacheMountAt(dir) {
			why = "a cache mount on " + dir + " already keeps pip's cache out of the layer"
		} else if by := readLater(g, s.node, dir, s.home()); by != "" {
			why = "pip's cache " + dir + " is used later: " + by
		}
		if why == "" {
			applyEdit(s, shelledit.PipNoCache, shelledit.PipNoCacheArgv)
		}
		r.report(s, notes, why, report)
	}
}

// report turns the editor's notes into findings; skip, when set, overrides
// every rewrite with a skip for that reason.
func (r PipNoCache) report(s execStep, notes []shelledit.Note, skip string, report func(Finding)) {
	for _, n := range notes {
		f := Finding{Rule: r.Name(), Action: n.Action, Before: n.Before, After: n.After, Reason: n.Reason}
		if skip != "" && n.Action == ActionRewrite {
			f.Action, f.After, f.Reason = ActionSkip, "", skip
		}
		report(findingAt(s.node, f))
	}
}

// pipCacheDir is where pip caches for this step: PIP_CACHE_DIR, else
// $XDG_CACHE_HOME/pip, else ~/.cache/pip.
func pipCacheDir(s execStep) string {
	env := s.env()
	if d := env["PIP_CACHE_DIR"]; strings.HasPrefix(d, "/") {
		return path.Clean(d)
	}
	if d := env["XDG_CACHE_HOME"]; strings.HasPrefix(d, "/") {
		return path.Join(d, "pip")
	}
	return path.Join(s.home(), ".cache/pip")
}
