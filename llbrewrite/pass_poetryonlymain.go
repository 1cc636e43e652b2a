package llbrewrite

import (
	"strings"

	"github.com/org/slim/llbrewrite/shelledit"
)

// PoetryOnlyMain makes `poetry install` production-only (`--only main`)
// where its result feeds the image being built. It never touches a build
// whose target, or a stage downstream of the install, is named like a test,
// dev or CI stage or runs a test runner or linter (DevReason): those need
// the dev group. Only stages reachable from the target are in the graph,
// so the same Dockerfile built for its test target keeps the dev group.
// See docs/rules/PoetryOnlyMain.md.
type PoetryOnlyMain struct{}

// Name implements Pass.
func (PoetryOnlyMain) Name() string { return "PoetryOnlyMain" }

// Run implements Pass.
func (r PoetryOnlyMain) Run(g *Graph, p Policy, report func(Finding)) {
	m := g.facts()
	edit := commandEdit{
		rule:   r.Name(),
		script: shelledit.PoetryOnlyMain,
		argv:   shelledit.PoetryOnlyMainArgv,
		why:    "added --only main: the image being built runs no tests or linters after this install",
		guard: func(s execStep) string {
			if why := m.DevReason(s.node); why != "" {
				return why
			}
			return m.oldPoetry(s.node)
		},
		allOrNothing: true,
	}
	for _, s := range execSteps(g) {
		if strings.Contains(s.command(), "poetry") {
			edit.run(s, report)
		}
	}
}
