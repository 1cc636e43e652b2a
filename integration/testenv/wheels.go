package testenv

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Dist is one Python distribution the loopback index serves: a wheel the
// harness generates to a realistic shape (pure Python modules, compiled
// extensions, tests, data, console scripts), or — when Deb is set — one
// repackaged from Debian bookworm's installed files (debwheels.go). The
// manifest of what the index serves is a []Dist; see ExampleDists.
type Dist struct {
	Name     string   // project name, e.g. "pandas"
	Version  string   // e.g. "2.1.3"
	Summary  string   // METADATA Summary
	Requires []string // Requires-Dist values, e.g. "numpy>=1.23"
	Package  string   // top-level import package; default: Name with - and . as _

	// PayloadKB is generated Python source (modules the package never
	// imports at import time; pip byte-compiles them), roughly this many KB.
	PayloadKB int `json:",omitempty"`
	// Tests ships a small <package>/tests/ subpackage, as many wheels do.
	Tests bool `json:",omitempty"`
	// TestsKB is a larger test suite of this many KB, spread over the
	// TestDirs (default "tests"), e.g. "tests/frame" as in pandas or
	// "core/tests" as in numpy.
	TestsKB  int      `json:",omitempty"`
	TestDirs []string `json:",omitempty"`
	// ExtKB is compiled extensions: .cpython-311-x86_64-linux-gnu.so files
	// of seeded pseudo-random bytes with an ELF header, compressible about
	// as well as real ones; the first is <package>/_core…so. Such a wheel is
	// tagged BinaryTag.
	ExtKB int `json:",omitempty"`
	// LibsKB is vendored shared libraries in a <package>.libs directory
	// beside the package, as auditwheel makes for numpy (OpenBLAS).
	LibsKB int `json:",omitempty"`
	// DataKB is package data of DataExt files in <package>/<DataDir>/:
	// "pyi" stubs (mypy's typeshed), "tzif" zone files (pytz, tzdata),
	// "pem", "json" and "bin" blobs.
	DataKB  int    `json:",omitempty"`
	DataExt string `json:",omitempty"`
	DataDir string `json:",omitempty"`

	// Scripts are console_scripts entry points, "name = module:function";
	// the functions exist (see Kind).
	Scripts []string `json:",omitempty"`
	// EntryPoints are other entry_points.txt sections' lines,
	// "[group] name = module:attr".
	EntryPoints []string `json:",omitempty"`
	// Kind gives the package working behaviour beyond hello():
	//   "pytest"  a test runner (pytest.console_main) that imports test_*.py
	//             files and calls their test_* functions;
	//   "mypy"    mypy.__main__.console_entry: parses the given sources;
	//   "ruff"    a bin/ruff script (from the wheel's .data/scripts) that
	//             byte-compiles the given sources, carrying ExtKB as its
	//             "binary" payload;
	//   "server"  <package>.cli:main runs `cmd [-A] module[:attr] [--selftest]`
	//             as uvicorn, gunicorn and celery do;
	//   "prisma"  `prisma generate` writes the query engine (EngineKB) into
	//             $XDG_CACHE_HOME/prisma-python (~/.cache when unset), and
	//             prisma.Prisma().connect() needs it there;
	//   "tables"  __init__ runs `from .tests import print_versions, test`,
	//             as PyTables does, so its tests dir must survive cleanup;
	//   "pkg_resources" __init__ runs `import pkg_resources`, as
	//             APScheduler 3 does.
	Kind     string `json:",omitempty"`
	EngineKB int    `json:",omitempty"`

	// Deb is the Debian package whose installed files make up the wheel;
	// Binary says whether they include compiled extensions (the wheel is
	// then tagged BinaryTag). See debwheels.go.
	Deb    string `json:",omitempty"`
	Binary bool   `json:",omitempty"`
}

// TinyDists are the walking skeleton's packages: tinypkg depends on tinydep;
// tinydev is for dev-only dependency groups.
var TinyDists = []Dist{
	{Name: "tinypkg", Version: "1.0.0", Summary: "Test package with one dependency", Requires: []string{"tinydep>=1.0"}, PayloadKB: 300, Tests: true},
	{Name: "tinydep", Version: "1.0.0", Summary: "Dependency of tinypkg", PayloadKB: 200, Tests: true},
	{Name: "tinydev", Version: "1.0.0", Summary: "Development-only test package", PayloadKB: 100, Tests: true},
}

// wheelGenerator versions the wheel layout; bump it when BuildWheel changes.
const wheelGenerator = "slim-testenv-wheels/3"

// PureTag and BinaryTag are the wheel tags: pure Python, and CPython 3.11
// x86-64 extensions in PyPI's manylinux2014 form (Debian bookworm's Python
// 3.11 accepts both).
const (
	PureTag   = "py3-none-any"
	BinaryTag = "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
)

const soSuffix = ".cpython-311-x86_64-linux-gnu.so"

func (d Dist) pkg() string {
	if d.Package != "" {
		return d.Package
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(d.Name)
}

// escapedName is the project name as wheel file and .dist-info names spell it.
func (d Dist) escapedName() string { return regexp.MustCompile(`[-_.]+`).ReplaceAllString(d.Name, "_") }

func (d Dist) binary() bool { return d.Binary || d.ExtKB > 0 || d.LibsKB > 0 }

// Tag is the wheel's compatibility tag.
func (d Dist) Tag() string {
	if d.binary() {
		return BinaryTag
	}
	return PureTag
}

// WheelName is the wheel's file name, e.g. tinypkg-1.0.0-py3-none-any.whl.
func (d Dist) WheelName() string {
	return d.escapedName() + "-" + d.Version + "-" + d.Tag() + ".whl"
}

func (d Dist) distInfo() string { return d.escapedName() + "-" + d.Version + ".dist-info/" }

var normalizeRe = regexp.MustCompile(`[-_.]+`)

// NormalizeName is PEP 503's normalized project name.
func NormalizeName(n string) string { return strings.ToLower(normalizeRe.ReplaceAllString(n, "-")) }

// BuildWheel returns a generated Dist's wheel: deterministic (sorted
// entries, fixed mtimes, payload from a generator seeded by name and
// version), with a RECORD pip verifies.
func BuildWheel(d Dist) ([]byte, error) {
	if d.Deb != "" {
		return nil, fmt.Errorf("wheel %s: repackaged from Debian's %s, not generated", d.WheelName(), d.Deb)
	}
	files := d.sourceFiles()
	di := d.distInfo()
	files[di+"METADATA"] = d.metadata()
	files[di+"top_level.txt"] = d.pkg() + "\n"
	if ep := d.entryPoints(); ep != "" {
		files[di+"entry_points.txt"] = ep
	}
	return zipWheel(d, files)
}

// zipWheel adds WHEEL and RECORD to files and zips them.
func zipWheel(d Dist, files map[string]string) ([]byte, error) {
	di := d.distInfo()
	files[di+"WHEEL"] = wheelMetadata(d.Tag())
	record := di + "RECORD"
	var rec strings.Builder
	for _, name := range sortedKeys(files) {
		sum := sha256.Sum256([]byte(files[name]))
		fmt.Fprintf(&rec, "%s,sha256=%s,%d\n", name, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[name]))
	}
	fmt.Fprintf(&rec, "%s,,\n", record)
	files[record] = rec.String()

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: layerEpoch}
		mode := os.FileMode(0o644)
		if strings.Contains(name, ".data/scripts/") {
			mode = 0o755
		}
		hdr.SetMode(mode)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, fmt.Errorf("wheel %s: %w", d.WheelName(), err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			return nil, fmt.Errorf("wheel %s: %w", d.WheelName(), err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("wheel %s: %w", d.WheelName(), err)
	}
	return buf.Bytes(), nil
}

func wheelMetadata(tag string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Wheel-Version: 1.0\nGenerator: %s\nRoot-Is-Purelib: %t\n", wheelGenerator, tag == PureTag)
	parts := strings.Split(tag, "-")
	for _, plat := range strings.Split(parts[2], ".") {
		fmt.Fprintf(&b, "Tag: %s-%s-%s\n", parts[0], parts[1], plat)
	}
	return b.String()
}

func (d Dist) metadata() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\nRequires-Python: >=3.9\n", d.Name, d.Version, d.Summary)
	for _, r := range d.Requires {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	return b.String()
}

func (d Dist) entryPoints() string {
	var b strings.Builder
	if len(d.Scripts) > 0 {
		b.WriteString("[console_scripts]\n")
		for _, s := range d.Scripts {
			b.WriteString(s + "\n")
		}
	}
	group := ""
	for _, e := range d.EntryPoints {
		g, line, _ := strings.Cut(e, "] ")
		if g != group {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(g + "]\n")
			group = g
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// importName is the top-level package of a required project: its Package
// in the known manifests, else the project name as an identifier.
func importName(req string) string {
	name := NormalizeName(requirementName(req))
	for _, d := range knownDists() {
		if NormalizeName(d.Name) == name {
			return d.pkg()
		}
	}
	return Dist{Name: name}.pkg()
}

func knownDists() []Dist { return append(append([]Dist{}, TinyDists...), ExampleDists()...) }

// requirementName is the project name at the start of a requirement string.
func requirementName(req string) string {
	i := strings.IndexAny(req, " <>=!~;[(")
	if i < 0 {
		return req
	}
	return req[:i]
}

// writeWheels makes the wheels of dists in <cache>/wheels/<key>/, keyed by
// the manifest and the generator version (and, when some are repackaged
// from Debian, the Debian root filesystem they come from), unless already
// there. The root filesystems are the ones Up makes concurrently; this
// waits for them (on their cache locks).
func writeWheels(cacheDir string, dists []Dist) (string, bool, error) {
	return writeWheelsContext(context.Background(), cacheDir, dists)
}

func writeWheelsContext(ctx context.Context, cacheDir string, dists []Dist) (string, bool, error) {
	manifest, err := json.Marshal(dists)
	if err != nil {
		return "", false, fmt.Errorf("wheels: %w", err)
	}
	keyParts := []string{wheelGenerator, string(manifest)}
	var deb *debianSource
	if hasDebian(dists) {
		if deb, err = findDebianSource(ctx, cacheDir); err != nil {
			return "", false, fmt.Errorf("wheels: %w", err)
		}
		keyParts = append(keyParts, debRecipe, filepath.Base(deb.poetryRootfs))
	}
	final := filepath.Join(cacheDir, "wheels", contentKey(keyParts...))
	if exists(final) {
		return final, true, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", false, fmt.Errorf("wheels: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-")
	if err != nil {
		return "", false, fmt.Errorf("wheels: %w", err)
	}
	defer os.RemoveAll(tmp)
	if deb != nil {
		if err := deb.repackage(ctx, dists, tmp); err != nil {
			return "", false, fmt.Errorf("wheels: %w", err)
		}
	}
	for _, d := range dists {
		if d.Deb != "" {
			continue
		}
		data, err := BuildWheel(d)
		if err != nil {
			return "", false, err
		}
		if err := os.WriteFile(filepath.Join(tmp, d.WheelName()), data, 0o644); err != nil {
			return "", false, fmt.Errorf("wheels: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", false, fmt.Errorf("wheels: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil && !exists(final) {
		return "", false, fmt.Errorf("wheels: %w", err)
	}
	return final, false, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
