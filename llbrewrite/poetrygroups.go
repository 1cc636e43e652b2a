package llbrewrite

import (
	"slices"
	"strings"

	"github.com/org/slim/llbrewrite/shelledit"
)

// PoetryProject is what the frontend read from the build context's
// pyproject.toml files about Poetry's dependency groups. `--only main` drops
// every group but main, and some projects keep runtime dependencies in
// groups of their own (storage, tools, vdb…): PoetryOnlyMain may only drop
// groups that are dev groups by name.
type PoetryProject struct {
	// Files are the pyproject.toml files read (context-relative); empty
	// when the context has none.
	Files []string
	// Groups are the non-main group names of all of them, sorted.
	Groups []string
	// Err says why the context could not be read; the rule then skips.
	Err string
}

// devGroupWords are the first words of group names that hold development
// tools (dev, test-integration, lint_and_format…).
var devGroupWords = []string{
	"dev", "develop", "development", "test", "tests", "testing", "lint", "linting", "linters",
	"format", "formatting", "style", "typing", "types", "mypy", "docs", "doc", "documentation",
	"ci", "qa", "coverage", "debug", "bench", "benchmark", "benchmarks", "pre", "precommit",
}

// DevGroup reports whether a Poetry group name names development tools.
func DevGroup(name string) bool {
	first, _, _ := strings.Cut(strings.ToLower(name), "-")
	first, _, _ = strings.Cut(first, "_")
	return slices.Contains(devGroupWords, first)
}

// poetryGroupsEdit chooses what PoetryOnlyMain inserts, from what the
// frontend read of the project ("" skip reason to go ahead). Without
// project facts (llbrewrite on its own, as in unit tests) the groups are
// taken to be main and dev.
func poetryGroupsEdit(proj *PoetryProject) (shelledit.PoetryGroups, string) {
	onlyMain := shelledit.PoetryGroups{Flag: "--only", Value: "main",
		Reason: "added --only main: the image being built runs no tests or linters after this install"}
	if proj == nil {
		return onlyMain, ""
	}
	if proj.Err != "" {
		return onlyMain, "slim could not read pyproject.toml from the build context (" + proj.Err + "), so it cannot tell which dependency groups the image needs"
	}
	if len(proj.Files) == 0 {
		return onlyMain, "the build context has no pyproject.toml to read the dependency groups from, so slim cannot tell which groups the image needs"
	}
	var dev, other []string
	for _, g := range proj.Groups {
		if DevGroup(g) {
			dev = append(dev, g)
		} else {
			other = append(other, g)
		}
	}
	switch {
	case len(dev) == 0 && len(other) == 0:
		return onlyMain, "pyproject.toml has no dependency group besides main, so --only main would remove nothing"
	case len(other) == 0:
		return onlyMain, ""
	case len(dev) == 0:
		return onlyMain, "pyproject.toml's groups (" + strings.Join(other, ", ") + ") are not dev groups by name, so the image may need them; nothing to drop"
	}
	return shelledit.PoetryGroups{Flag: "--without", Value: strings.Join(dev, ","),
		Reason: "added --without " + strings.Join(dev, ",") + ": the image runs no tests or linters after this install; the groups " +
			strings.Join(other, ", ") + " may be runtime dependencies and stay"}, ""
}
