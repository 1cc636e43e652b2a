package llbrewrite

import (
	"fmt"
	"strings"

	"github.com/org/slim/llbrewrite/shelledit"
)

// PoetryOnlyMain makes `poetry install` production-only (`--only main`)
// where its result feeds the image being built. It never touches a build
// whose target, or a stage downstream of the install, is named like a test,
// dev or CI stage or runs a test runner or linter: those need the dev
// group. Only stages reachable from the target are in the graph, so the
// same Dockerfile built for its test target keeps the dev group. See
// docs/rules/PoetryOnlyMain.md.
type PoetryOnlyMain struct{}

// Name implements Pass.
func (PoetryOnlyMain) Name() string { return "PoetryOnlyMain" }

// Run implements Pass.
func (r PoetryOnlyMain) Run(g *Graph, p Policy, report func(Finding)) {
	for _, s := range execSteps(g) {
		if !strings.Contains(s.command(), "poetry") {
			continue
		}
		env := shelledit.Env(s.env())
		var notes []shelledit.Note
		if s.script >= 0 {
			_, notes = shelledit.PoetryOnlyMain(s.command(), env)
		} else {
			_, notes = shelledit.PoetryOnlyMainArgv(s.exec.Meta.Args, env)
		}
		if !hasRewrite(notes) {
			r.report(s, notes, report)
			continue
		}
		if why := needsDevGroup(g, s.node, p.Target); why != "" {
			for _, n := range notes {
				report(findingAt(s.node, Finding{Rule: r.Name(), Action: ActionSkip, Before: n.Before, Reason: why}))
			}
			continue
		}
		applyEdit(s, shelledit.PoetryOnlyMain, shelledit.PoetryOnlyMainArgv)
		r.report(s, notes, report)
	}
}

func (r PoetryOnlyMain) report(s execStep, notes []shelledit.Note, report func(Finding)) {
	for _, n := range notes {
		f := Finding{Rule: r.Name(), Action: n.Action, Before: n.Before, After: n.After, Reason: n.Reason}
		if n.Action == ActionRewrite {
			f.Reason = "installs only the main group: the image being built runs no tests or linters after this step"
		}
		report(findingAt(s.node, f))
	}
}

func hasRewrite(notes []shelledit.Note) bool {
	for _, n := range notes {
		if n.Action == shelledit.ActionRewrite {
			return true
		}
	}
	return false
}

// needsDevGroup explains why the install at n must keep the dev group, or
// returns "": the target is a test/dev stage, or n or a step that builds on
// it is in such a stage or runs a test runner or linter.
func needsDevGroup(g *Graph, n *Node, target string) string {
	if devStageName(target) {
		return fmt.Sprintf("the build target %q is a test/dev stage", target)
	}
	if st := StageOf(n); devStageName(st) {
		return fmt.Sprintf("stage %q is a test/dev stage", st)
	}
	below := descendants(g, n)
	for _, d := range append([]*Node{n}, g.Nodes...) {
		if d != n && !below[d] {
			continue
		}
		if st := StageOf(d); d != n && devStageName(st) {
			return fmt.Sprintf("stage %q builds on this install and is a test/dev stage", st)
		}
		e := d.Op.GetExec()
		if e == nil || e.Meta == nil || isCleanupStep(d) {
			continue
		}
		s := execStep{node: d, exec: e, script: shellScriptIndex(e.Meta.Args)}
		cmds, err := s.commands()
		if err != nil {
			continue
		}
		for _, c := range cmds {
			if tool := devTool(c); tool != "" {
				return fmt.Sprintf("%s runs %s after this install (stage %q)", lineRef(d), tool, StageOf(d))
			}
		}
	}
	return ""
}

func lineRef(n *Node) string {
	if loc := firstLocation(n); loc != nil {
		l, _ := lineSpan(loc)
		return fmt.Sprintf("line %d", l)
	}
	return "a later step"
}

// devTools are test runners, linters and type checkers that live in dev
// groups.
var devTools = map[string]bool{
	"pytest": true, "py.test": true, "tox": true, "nox": true, "mypy": true, "ruff": true,
	"flake8": true, "pylint": true, "black": true, "isort": true, "bandit": true,
	"coverage": true, "pyright": true, "unittest": true, "behave": true, "hypothesis": true,
}

// devTool returns the test or lint tool c runs, or "".
func devTool(c shelledit.Command) string {
	switch {
	case devTools[c.Name]:
		return c.Name
	case devTools[c.Module]:
		return "python -m " + c.Module
	case c.Name == "poetry" || c.Module == "poetry":
		// poetry run pytest: the wrapper is resolved by Commands, but a
		// `poetry check`/`poetry run` of a tool is caught here too.
		for _, a := range c.Args {
			if devTools[a.Value] {
				return "poetry run " + a.Value
			}
		}
	}
	return ""
}

// devStageName reports whether a stage or target name says test, dev, CI or
// lint in one of its -, _ or . separated words.
func devStageName(name string) bool {
	for w := range strings.FieldsFuncSeq(strings.ToLower(name), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		switch w {
		case "test", "tests", "testing", "dev", "devel", "develop", "development", "ci", "lint", "linting", "check", "checks", "qa":
			return true
		}
	}
	return false
}

// applyEdit runs a script or argv edit on the step and records the change.
func applyEdit(s execStep, script func(string, shelledit.Env) (string, []shelledit.Note), argv func([]string, shelledit.Env) ([]string, []shelledit.Note)) {
	env := shelledit.Env(s.env())
	args := append([]string{}, s.exec.Meta.Args...)
	if s.script >= 0 {
		args[s.script], _ = script(args[s.script], env)
	} else {
		args, _ = argv(args, env)
	}
	if strings.Join(args, "\x00") != strings.Join(s.exec.Meta.Args, "\x00") {
		s.exec.Meta.Args = args
		s.node.MarkChanged()
	}
}
