package llbrewrite

import (
	"path"
	"strings"
)

// PipNoCache adds --no-cache-dir to pip installs, so pip's HTTP and wheel
// cache (tens of MB for a typical app) never lands in a layer.
type PipNoCache struct{}

// Name implements Pass.
func (PipNoCache) Name() string { return "PipNoCache" }

// Run implements Pass.
func (r PipNoCache) Run(g *Graph, p Policy, report func(Finding)) {
	for _, s := range execSteps(g) {
		env := s.env()
		if !mentionsPip(s.command()) {
			continue
		}
		f := Finding{Rule: r.Name(), Before: s.command()}
		switch {
		case env["PIP_NO_CACHE_DIR"] != "":
			f.Action, f.Reason = ActionSkip, "PIP_NO_CACHE_DIR is set in the step's environment"
		case env["PIP_CACHE_DIR"] != "":
			f.Action, f.Reason = ActionSkip, "PIP_CACHE_DIR is set: the Dockerfile chose where pip caches"
		case s.cacheMountAt(path.Join(s.home(), ".cache/pip")):
			f.Action, f.Reason = ActionSkip, "a cache mount already keeps pip's cache out of the layer"
		}
		if f.Action != "" {
			report(findingAt(s.node, f))
			continue
		}
		for _, n := range editPipNoCache(s) {
			report(findingAt(s.node, Finding{Rule: r.Name(), Action: n.Action, Before: n.Before, After: n.After, Reason: n.Reason}))
		}
	}
}

func mentionsPip(cmd string) bool { return strings.Contains(cmd, "pip") }

// editPipNoCache edits the step in place and returns one note per pip command.
func editPipNoCache(s execStep) []note {
	args := s.exec.Meta.Args
	var out []string
	var notes []note
	if s.script >= 0 {
		script, ns := pipNoCacheScript(args[s.script])
		notes = ns
		if script != args[s.script] {
			out = append([]string{}, args...)
			out[s.script] = script
		}
	} else {
		argv, ns := pipNoCacheArgv(args)
		notes = ns
		if argv != nil {
			out = argv
		}
	}
	if out != nil {
		s.exec.Meta.Args = out
		s.node.MarkChanged()
	}
	return notes
}
