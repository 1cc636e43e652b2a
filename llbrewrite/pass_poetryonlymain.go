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
	edit := commandEdit{
		rule:   r.Name(),
		script: shelledit.PoetryOnlyMain,
		argv:   shelledit.PoetryOnlyMainArgv,
		why:    "added --only main: the image being built runs no tests or linters after this install",
		guard: func(s execStep) string {
			if why := needsDevGroup(g, s.node, p.Target); why != "" {
				return why
			}
			return oldPoetry(s.node)
		},
		allOrNothing: true,
	}
	for _, s := range execSteps(g) {
		if strings.Contains(s.command(), "poetry") {
			edit.run(s, report)
		}
	}
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
	for _, c := range g.runtimeCommands() {
		for _, w := range strings.FieldsFunc(c.text, func(r rune) bool { return strings.ContainsRune(" \t\"',[]=", r) }) {
			if devTools[w] {
				return fmt.Sprintf("line %d runs %s in the image (%s)", c.line, w, c.text)
			}
		}
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
