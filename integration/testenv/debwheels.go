package testenv

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Poetry for `pip install poetry`: the index serves Debian bookworm's
// python3-poetry (1.3.2) and its dependency closure repackaged as wheels,
// made from the files apt installed in the poetry root filesystem (the one
// python:3.11-slim-poetry is made of). Debian strips most Requires-Dist
// from the metadata (and poetry's own lists versions Debian does not ship),
// so every wheel's Requires-Dist is replaced by its Debian dependencies,
// pinned to the versions Debian ships; the manifest (ExampleDists) spells
// them out and repackage checks them against the package relations.
// Debian's virtualenv seeds new environments from /usr/share/python-wheels;
// its wheel carries those wheels in virtualenv/seed/wheels/embed, as
// upstream's does.

// debRecipe versions the repackaging; bump it when repackage changes.
const debRecipe = "slim-debian-wheels/3"

const distPackages = "usr/lib/python3/dist-packages/"

type debianSource struct {
	pythonRootfs, poetryRootfs string // cached .tar.gz files
}

func hasDebian(dists []Dist) bool {
	return slices.ContainsFunc(dists, func(d Dist) bool { return d.Deb != "" })
}

// findDebianSource returns the root filesystems the Debian wheels come
// from, making them if needed (the same cached artifacts Up makes; a
// concurrent maker holds the lock and this waits for it).
func findDebianSource(ctx context.Context, cacheDir string) (*debianSource, error) {
	mirror, err := DebianMirror("bookworm")
	if err != nil {
		return nil, err
	}
	py, _, err := pythonRootfs(ctx, cacheDir, mirror)
	if err != nil {
		return nil, err
	}
	poetry, _, err := poetryRootfs(ctx, cacheDir, py)
	if err != nil {
		return nil, err
	}
	return &debianSource{pythonRootfs: py, poetryRootfs: poetry}, nil
}

// debPackage is one installed package of a dpkg status file.
type debPackage struct {
	name, version string
	depends       [][]string // clauses of alternatives, package names only
	provides      []string
}

// rootfsFiles are the files of a root filesystem under some prefixes.
type rootfsFiles map[string]string // "usr/lib/…" -> content

func readRootfs(tarGz string, prefixes ...string) (rootfsFiles, error) {
	f, err := os.Open(tarGz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tarGz, err)
	}
	out := rootfsFiles{}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tarGz, err)
		}
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		if hdr.Typeflag != tar.TypeReg || !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", tarGz, name, err)
		}
		out[name] = string(data)
	}
}

var depNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]*`)

// parseStatus reads the installed packages of a dpkg status file.
func parseStatus(status string) map[string]*debPackage {
	pkgs := map[string]*debPackage{}
	for _, stanza := range strings.Split(status, "\n\n") {
		fields := map[string]string{}
		key := ""
		for _, line := range strings.Split(stanza, "\n") {
			if strings.HasPrefix(line, " ") && key != "" {
				fields[key] += "\n" + line
				continue
			}
			if k, v, ok := strings.Cut(line, ":"); ok {
				key = k
				fields[k] = strings.TrimSpace(v)
			}
		}
		if fields["Package"] == "" || !strings.Contains(fields["Status"], " installed") {
			continue
		}
		p := &debPackage{name: fields["Package"], version: fields["Version"]}
		for _, clause := range splitList(fields["Pre-Depends"] + "," + fields["Depends"]) {
			var alts []string
			for _, alt := range strings.Split(clause, "|") {
				if n := depNameRe.FindString(strings.TrimSpace(alt)); n != "" {
					alts = append(alts, n)
				}
			}
			if len(alts) > 0 {
				p.depends = append(p.depends, alts)
			}
		}
		for _, prov := range splitList(fields["Provides"]) {
			if n := depNameRe.FindString(prov); n != "" {
				p.provides = append(p.provides, n)
			}
		}
		pkgs[p.name] = p
	}
	return pkgs
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// repackage writes the wheels of dists' Debian entries into dir.
func (s *debianSource) repackage(ctx context.Context, dists []Dist, dir string) error {
	files, err := readRootfs(s.poetryRootfs, distPackages, "usr/share/python-wheels/", "var/lib/dpkg/")
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	base, err := readRootfs(s.pythonRootfs, "var/lib/dpkg/status")
	if err != nil {
		return err
	}
	installed := parseStatus(files["var/lib/dpkg/status"])
	inBase := parseStatus(base["var/lib/dpkg/status"])
	byDeb := map[string]Dist{}
	for _, d := range dists {
		if d.Deb != "" {
			byDeb[d.Deb] = d
		}
	}
	for _, d := range dists {
		if d.Deb == "" {
			continue
		}
		p, ok := installed[d.Deb]
		if !ok {
			return fmt.Errorf("%s: Debian package %s is not installed in %s", d.Name, d.Deb, s.poetryRootfs)
		}
		if want, got := restoredRequires(p, installed, inBase, byDeb), slices.Sorted(slices.Values(d.Requires)); !slices.Equal(want, got) {
			return fmt.Errorf("%s: the manifest's Requires %q differ from the Debian relations of %s %s: %q", d.Name, got, d.Deb, p.version, want)
		}
		data, err := debWheel(d, files)
		if err != nil {
			return fmt.Errorf("%s (from %s %s): %w", d.WheelName(), d.Deb, p.version, err)
		}
		if err := os.WriteFile(filepath.Join(dir, d.WheelName()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// restoredRequires maps a Debian package's dependencies to the manifest's
// Debian-made dists, pinned: of each clause the first alternative that is
// installed (directly or as a provider); packages of the base image and
// non-Python packages drop out.
func restoredRequires(p *debPackage, installed, inBase map[string]*debPackage, byDeb map[string]Dist) []string {
	providers := map[string][]string{}
	for _, q := range installed {
		for _, v := range q.provides {
			providers[v] = append(providers[v], q.name)
		}
	}
	var out []string
	for _, clause := range p.depends {
		for _, alt := range clause {
			names := []string{alt}
			if _, ok := installed[alt]; !ok {
				names = slices.Sorted(slices.Values(providers[alt]))
			}
			if len(names) == 0 {
				continue
			}
			if _, ok := inBase[names[0]]; !ok {
				if d, ok := byDeb[names[0]]; ok {
					if r := d.Name + "==" + d.Version; !slices.Contains(out, r) {
						out = append(out, r)
					}
				}
			}
			break
		}
	}
	slices.Sort(out)
	return out
}

// debWheel makes the wheel of d from its Debian package's files.
func debWheel(d Dist, rootfs rootfsFiles) ([]byte, error) {
	list := rootfs["var/lib/dpkg/info/"+d.Deb+".list"]
	if list == "" {
		list = rootfs["var/lib/dpkg/info/"+d.Deb+":amd64.list"]
	}
	if list == "" {
		return nil, fmt.Errorf("no dpkg file list")
	}
	files := map[string]string{}
	meta := map[string]string{} // metadata dir entries by base name
	metaDir := ""
	hasExt := false
	for _, line := range strings.Split(list, "\n") {
		name := strings.TrimPrefix(line, "/")
		content, ok := rootfs[name]
		if !ok || !strings.HasPrefix(name, distPackages) {
			continue // a directory, or outside dist-packages (docs, /usr/bin)
		}
		rel := strings.TrimPrefix(name, distPackages)
		top, _, _ := strings.Cut(rel, "/")
		if strings.HasSuffix(top, ".dist-info") || strings.HasSuffix(top, ".egg-info") {
			// Prefer a .dist-info when a package has both.
			if metaDir == "" || (strings.HasSuffix(top, ".dist-info") && !strings.HasSuffix(metaDir, ".dist-info")) {
				if metaDir != top {
					clear(meta)
				}
				metaDir = top
			}
			if top == metaDir {
				base := path.Base(rel)
				if rel == top { // an egg-info file is PKG-INFO itself
					base = "PKG-INFO"
				}
				meta[base] = content
			}
			continue
		}
		if strings.HasSuffix(rel, ".so") {
			hasExt = true
		}
		files[rel] = content
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no files in %s", distPackages)
	}
	if hasExt != d.Binary {
		return nil, fmt.Errorf("manifest says Binary=%t, the package has compiled extensions: %t", d.Binary, hasExt)
	}
	header := meta["METADATA"]
	if header == "" {
		header = meta["PKG-INFO"]
	}
	if header == "" {
		// python3-cffi-backend ships only the extension module.
		header = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n", d.Name, d.Version, d.Summary)
	}
	metadata, err := restoreMetadata(d, header)
	if err != nil {
		return nil, err
	}
	if d.Name == "virtualenv" {
		if err := embedSeedWheels(files, rootfs); err != nil {
			return nil, err
		}
	}
	di := d.distInfo()
	files[di+"METADATA"] = metadata
	top := meta["top_level.txt"]
	if top == "" {
		top = topLevel(files)
	}
	files[di+"top_level.txt"] = top
	if ep := meta["entry_points.txt"]; ep != "" {
		files[di+"entry_points.txt"] = ep
	}
	return zipWheel(d, files)
}

// restoreMetadata checks name and version and replaces Requires-Dist (and
// the extras they served) with the manifest's.
func restoreMetadata(d Dist, orig string) (string, error) {
	head, body, _ := strings.Cut(orig, "\n\n")
	var b strings.Builder
	var name, version string
	for _, line := range strings.Split(head, "\n") {
		switch {
		case strings.HasPrefix(line, "Name: "):
			name = strings.TrimPrefix(line, "Name: ")
		case strings.HasPrefix(line, "Version: "):
			version = strings.TrimPrefix(line, "Version: ")
			// Right after Version: old PKG-INFO files carry the
			// Description as a (multi-line) header further down.
			b.WriteString(line + "\n")
			for _, r := range d.Requires {
				fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
			}
			continue
		case strings.HasPrefix(line, "Requires-Dist:"), strings.HasPrefix(line, "Provides-Extra:"):
			continue
		}
		b.WriteString(line + "\n")
	}
	if NormalizeName(name) != NormalizeName(d.Name) || version != d.Version {
		return "", fmt.Errorf("Debian ships %s %s, the manifest says %s %s: update ExampleDists", name, version, d.Name, d.Version)
	}
	if body != "" {
		b.WriteString("\n" + body)
	}
	return b.String(), nil
}

// embedSeedWheels puts the wheels Debian's virtualenv seeds from
// (/usr/share/python-wheels) into the package, as upstream virtualenv
// ships them, and points the bundle folder there.
func embedSeedWheels(files map[string]string, rootfs rootfsFiles) error {
	const embed = "virtualenv/seed/wheels/embed/"
	src := files[embed+"__init__.py"]
	const debian = "BUNDLE_FOLDER = Path('/usr/share/python-wheels')"
	if !strings.Contains(src, debian) {
		return fmt.Errorf("virtualenv: %s__init__.py has no %q", embed, debian)
	}
	const list = "for fn in os.listdir(BUNDLE_FOLDER)]"
	if !strings.Contains(src, list) {
		return fmt.Errorf("virtualenv: %s__init__.py has no %q", embed, list)
	}
	src = strings.Replace(src, debian, "BUNDLE_FOLDER = Path(__file__).absolute().parent", 1)
	files[embed+"__init__.py"] = strings.Replace(src, list, "for fn in os.listdir(BUNDLE_FOLDER) if fn.endswith('.whl')]", 1)
	n := 0
	for name, content := range rootfs {
		if rest, ok := strings.CutPrefix(name, "usr/share/python-wheels/"); ok && strings.HasSuffix(rest, ".whl") {
			files[embed+rest] = content
			n++
		}
	}
	if n < 3 {
		return fmt.Errorf("virtualenv: %d wheels in /usr/share/python-wheels, want pip, setuptools and wheel", n)
	}
	return nil
}

// topLevel lists the importable top-level names of a package's files.
func topLevel(files map[string]string) string {
	var names []string
	for rel := range files {
		top, _, nested := strings.Cut(rel, "/")
		if !nested {
			if !strings.HasSuffix(top, ".py") && !strings.HasSuffix(top, ".so") {
				continue // .pth files and other data
			}
			top, _, _ = strings.Cut(top, ".")
		}
		if top != "" && top != "__pycache__" && !slices.Contains(names, top) {
			names = append(names, top)
		}
	}
	slices.Sort(names)
	return strings.Join(names, "\n") + "\n"
}
