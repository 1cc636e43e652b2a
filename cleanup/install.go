package cleanup

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
)

// Install says what to clean after one RUN that installs Python packages:
// the step InstallCleanup wraps with `slim-frontend install-cleanup`. The
// wrapper records what exists under these directories (Snapshot), runs the
// user's command, and when it succeeded removes what the command created of
// what the cleaner removes (Clean). A file that existed before is never
// removed: in a later layer that would only add a whiteout.
type Install struct {
	// Root is where the filesystem is: "/" inside the RUN, a temporary
	// directory in tests.
	Root string
	// Prefixes are install prefixes and virtualenvs (/usr/local,
	// /opt/venv, ~/.local): their lib*/python*/site-packages and
	// dist-packages directories are cleaned.
	Prefixes []string
	// Trees hold packages anywhere below them (pip --target, conda
	// prefixes, directories of virtualenvs): cleaned whole.
	Trees []string
	// Caches are package-manager caches the step fills: what is new in
	// them is removed.
	Caches []string
	// Keep are paths never entered or removed: the step's mounts.
	Keep []string
	// KeepPycache leaves bytecode alone.
	KeepPycache bool
}

// reasonMount keeps a mount of the step, and everything below it.
const reasonMount = "a mount of the step"

// Roots returns the directories Clean walks, as the image sees them: the
// package directories of Prefixes that exist now (symbolic links resolved,
// so lib64 -> lib is walked once) and Trees.
func (o Install) Roots() []string {
	root, err := filepath.EvalSymlinks(o.Root)
	if err != nil {
		root = o.Root
	}
	out := slices.Clone(o.Trees)
	for _, p := range o.Prefixes {
		for _, pat := range []string{"lib*/python*/site-packages", "lib*/python*/dist-packages"} {
			matches, _ := filepath.Glob(filepath.Join(root, p, pat))
			for _, m := range matches {
				real, err := filepath.EvalSymlinks(m)
				if err != nil || !within(real, root) {
					continue
				}
				out = append(out, imagePath(root, real))
			}
		}
	}
	for i, p := range out {
		out[i] = path.Clean("/" + p)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Manifest is what existed under an Install's directories before the step
// ran.
type Manifest struct {
	paths map[string]bool
	// opaque are directories that could not be read: everything below
	// them counts as having existed.
	opaque []string
}

// Has reports whether the image path img existed.
func (m Manifest) Has(img string) bool {
	if m.paths[img] {
		return true
	}
	return slices.ContainsFunc(m.opaque, func(d string) bool { return within(img, d) })
}

// Snapshot records what exists now under the roots and caches (not inside
// Keep), before the step runs.
func (o Install) Snapshot() Manifest {
	m := Manifest{paths: map[string]bool{}}
	for _, p := range append(o.Roots(), o.Caches...) {
		start := filepath.Join(o.Root, p)
		_ = filepath.WalkDir(start, func(full string, d fs.DirEntry, err error) error {
			img := imagePath(o.Root, full)
			if err != nil {
				if d != nil && d.IsDir() {
					m.opaque = append(m.opaque, img) // unreadable: assume it all existed
				}
				return nil
			}
			if slices.ContainsFunc(o.Keep, func(k string) bool { return within(img, k) }) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			m.paths[img] = true
			return nil
		})
	}
	return m
}

// Clean removes, under the roots and caches, the __pycache__ directories,
// tests directories of installed packages and package-manager caches that
// are not in before, with the same care as Run: setuptools, stubs and
// tests packages their package imports stay.
func (o Install) Clean(before Manifest) (Result, error) {
	c := newCleaner(Options{Root: o.Root, Paths: o.Roots(), Keep: o.Keep, KeepPycache: o.KeepPycache})
	c.existed = before.Has
	c.keepWhy = reasonMount
	var res Result
	for _, p := range topmost(c.opt.Paths) {
		if err := c.walk(p, &res); err != nil {
			return res, err
		}
	}
	for _, p := range o.Caches {
		if err := c.cleanCache(path.Clean("/"+p), &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// cleanCache removes what is new in the cache dir img.
func (c *cleaner) cleanCache(img string, res *Result) error {
	full := filepath.Join(c.opt.Root, img)
	info, err := os.Lstat(full)
	if err != nil || !info.IsDir() {
		return nil // not filled, or not a directory of the step's
	}
	if c.protected(img) {
		res.Kept = append(res.Kept, Kept{Path: img, Reason: c.keepWhy})
		return nil
	}
	n, removed, err := c.removeNew(full, img, fs.FileInfoToDirEntry(info))
	if err != nil {
		return err
	}
	if removed {
		res.Removed = append(res.Removed, Removal{Path: img, Kind: KindCache, Bytes: n})
	}
	return nil
}

// removeNew removes img when it did not exist before the step; a directory
// that did is entered, and only what is new inside it goes. It returns the
// bytes removed and whether anything was.
func (c *cleaner) removeNew(full, img string, d fs.DirEntry) (int64, bool, error) {
	if !c.existed(img) {
		n, err := remove(full, d)
		return n, true, err
	}
	if !d.IsDir() {
		return 0, false, nil
	}
	entries, err := os.ReadDir(full)
	if err != nil {
		return 0, false, nil // unreadable: leave it
	}
	var total int64
	var any bool
	for _, e := range entries {
		n, removed, err := c.removeNew(filepath.Join(full, e.Name()), path.Join(img, e.Name()), e)
		if err != nil {
			return total, any, err
		}
		total += n
		any = any || removed
	}
	return total, any, nil
}

// hasNew reports whether img, or anything below it, did not exist before
// the step.
func (c *cleaner) hasNew(img string) bool {
	found := false
	_ = filepath.WalkDir(filepath.Join(c.opt.Root, img), func(full string, _ fs.DirEntry, err error) error {
		if err == nil && !c.existed(imagePath(c.opt.Root, full)) {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}
