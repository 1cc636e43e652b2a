package llbrewrite

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// StageCopyCleanup removes __pycache__ and tests dirs of installed Python
// packages and package-manager caches. A copied path is worth a cleanup
// step, and a claim, only when it can hold one of these; that is judged
// here from what the copied stage did (see copySourceOf), never from the
// files, which the rewrite cannot see.

// rootKind says where below a root installed packages live.
type rootKind uint8

const (
	// rootPrefix is an install prefix or a virtualenv: packages live under
	// lib/pythonX.Y/, and bin/, include/, share/ hold none.
	rootPrefix rootKind = iota
	// rootTree holds packages anywhere below it: pip --target, a conda
	// prefix, a directory of virtualenvs.
	rootTree
	// rootCache is a package-manager cache the stage fills. A copy of it
	// is payload; only a copy of a parent takes it along as waste.
	rootCache
)

// pyRoot is a directory of the copied stage that holds what the cleanup
// removes.
type pyRoot struct {
	dir  string
	kind rootKind
	// weak roots are guesses (a name, a default): they count for copies
	// inside them, never for copies of a parent.
	weak bool
	// what + dir + whatAfter says what the root is, for reasons: "the
	// virtualenv " + "/opt/venv". (Kept apart: most roots a stage's steps
	// name are repeats, and then the sentence is never needed.)
	what, whatAfter string
}

// describe says what the root is: "the virtualenv /opt/venv".
func (r pyRoot) describe() string { return r.what + r.dir + r.whatAfter }

// copySource is what StageCopyCleanup knows about a copied state.
type copySource struct {
	// installer is the first command in the state's history that installs
	// Python packages; "" when none does, and then nothing else is known.
	installer string
	roots     []pyRoot
	// caches are the stage's cache dirs, by their environment: a copy of
	// one, or of a path inside one, is payload.
	caches []string

	// Scratch for copySourceOf: the homes whose dirs are recorded
	// already, the words of the command being read, memos of pip's cache
	// dir (for the environment of pipDirOf) and of path.Join.
	userHome, cacheHome   string
	words                 []string
	pipDir, poetryDir     string
	pipDirOf, poetryDirOf execStep
	joins                 [][3]string
}

var (
	libDirRe    = regexp.MustCompile(`^lib(32|64)?$`)
	pythonDirRe = regexp.MustCompile(`^python[0-9]+(\.[0-9]+)?t?$`)
)

// isLibDir and isPythonDir are libDirRe and pythonDirRe behind a prefix
// test, which most names fail.
func isLibDir(p string) bool    { return strings.HasPrefix(p, "lib") && libDirRe.MatchString(p) }
func isPythonDir(p string) bool { return strings.HasPrefix(p, "python") && pythonDirRe.MatchString(p) }

// judge decides whether a copy of src can carry something the cleanup
// removes. It returns what src is (ok) or why there is nothing to remove.
func (c copySource) judge(src string) (ok bool, why string) {
	src = path.Clean("/" + src)
	if slices.Contains(strings.Split(src, "/"), "node_modules") {
		return false, src + " holds Node packages, of which this rule removes nothing"
	}
	if what := packageShape(src); what != "" {
		return true, what
	}
	roots := c.roots
	if g, ok := venvGuess(src); ok {
		roots = append(slices.Clone(roots), g)
	}
	for _, r := range roots {
		if r.holdsInside(src) {
			return true, src + " is in " + r.describe()
		}
	}
	if cache := c.cacheAt(src); cache == src {
		return false, src + " is a cache dir: a copied cache is the payload, so it is copied whole"
	} else if cache != "" {
		return false, src + " is in the cache dir " + cache + ": a copied cache is the payload, so it is copied whole"
	}
	for _, r := range roots {
		if !r.weak && r.dir != src && within(r.dir, src) {
			return true, src + " holds " + r.describe()
		}
	}
	return false, src + " holds no installed Python packages and no package cache of the stage, so there is nothing of this rule's to remove"
}

// packageShape says why src lies where installers put packages whatever
// the prefix: site-packages, dist-packages, lib/pythonX.Y ("" if not).
func packageShape(src string) string {
	parts := strings.Split(src, "/")
	for i, p := range parts {
		if p == "site-packages" || p == "dist-packages" {
			return src + " is in " + p
		}
		if i > 0 && isLibDir(parts[i-1]) && isPythonDir(p) {
			return src + " is in a Python library dir"
		}
	}
	return ""
}

// holdsInside reports whether src, inside r, can hold r's packages.
func (r pyRoot) holdsInside(src string) bool {
	if r.kind == rootCache || !within(src, r.dir) {
		return false
	}
	if r.kind == rootTree || src == r.dir {
		return true
	}
	rel := strings.Split(strings.TrimPrefix(src, strings.TrimSuffix(r.dir, "/")+"/"), "/")
	return isLibDir(rel[0]) && (len(rel) == 1 || isPythonDir(rel[1]))
}

// cacheAt returns the cache dir src names or lies in ("" when none).
func (c copySource) cacheAt(src string) string {
	if d := cacheByName(src); d != "" {
		return d
	}
	for _, d := range c.caches {
		if within(src, d) {
			return d
		}
	}
	return ""
}

// venvGuess treats a path component named like a virtualenv (venv, .venv,
// virtualenv, app-venv, venv_py311) as one, and one named virtualenvs as a
// directory of them: a weak root, for copies inside it.
func venvGuess(src string) (pyRoot, bool) {
	parts := strings.Split(src, "/")
	for i, p := range parts {
		dir := strings.Join(parts[:i+1], "/")
		switch {
		case p == "virtualenvs":
			return pyRoot{dir: dir, kind: rootTree, weak: true, what: "the virtualenvs dir "}, true
		case venvName(p):
			return pyRoot{dir: dir, kind: rootPrefix, weak: true, what: "the virtualenv "}, true
		}
	}
	return pyRoot{}, false
}

func venvName(p string) bool {
	switch p {
	case "venv", ".venv", "virtualenv", ".virtualenv":
		return true
	}
	for _, affix := range []string{"-venv", "_venv"} {
		if strings.HasSuffix(p, affix) {
			return true
		}
	}
	return strings.HasPrefix(p, "venv-") || strings.HasPrefix(p, "venv_")
}
