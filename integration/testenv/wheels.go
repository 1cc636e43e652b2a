package testenv

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Dist is one generated Python distribution (a pure-Python wheel). The
// manifest of what the index serves is a []Dist; grow it to give the tests
// realistically shaped packages.
type Dist struct {
	Name      string   // project name, e.g. "tinypkg"
	Version   string   // e.g. "1.0.0"
	Summary   string   // METADATA Summary
	Requires  []string // Requires-Dist values, e.g. "tinydep>=1.0"
	Package   string   // top-level import package; default: Name with - and . as _
	PayloadKB int      // generated module source, roughly this many KB
	Tests     bool     // ship a <package>/tests/ subpackage, as many wheels do
}

// TinyDists are the walking skeleton's packages: tinypkg depends on tinydep;
// tinydev is for dev-only dependency groups.
var TinyDists = []Dist{
	{Name: "tinypkg", Version: "1.0.0", Summary: "Test package with one dependency", Requires: []string{"tinydep>=1.0"}, PayloadKB: 300, Tests: true},
	{Name: "tinydep", Version: "1.0.0", Summary: "Dependency of tinypkg", PayloadKB: 200, Tests: true},
	{Name: "tinydev", Version: "1.0.0", Summary: "Development-only test package", PayloadKB: 100, Tests: true},
}

// wheelGenerator versions the wheel layout; bump it when BuildWheel changes.
const wheelGenerator = "slim-testenv-wheels/1"

func (d Dist) pkg() string {
	if d.Package != "" {
		return d.Package
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(d.Name)
}

// WheelName is the wheel's file name, e.g. tinypkg-1.0.0-py3-none-any.whl.
func (d Dist) WheelName() string {
	return d.pkg() + "-" + d.Version + "-py3-none-any.whl"
}

var normalizeRe = regexp.MustCompile(`[-_.]+`)

// NormalizeName is PEP 503's normalized project name.
func NormalizeName(n string) string { return strings.ToLower(normalizeRe.ReplaceAllString(n, "-")) }

// BuildWheel returns the wheel's bytes: deterministic (sorted entries, fixed
// mtimes, payload from a seeded generator), with a RECORD pip verifies.
func BuildWheel(d Dist) ([]byte, error) {
	files := d.sourceFiles()
	distInfo := d.pkg() + "-" + d.Version + ".dist-info/"
	files[distInfo+"METADATA"] = d.metadata()
	files[distInfo+"WHEEL"] = "Wheel-Version: 1.0\nGenerator: " + wheelGenerator + "\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	files[distInfo+"top_level.txt"] = d.pkg() + "\n"
	record := distInfo + "RECORD"
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
		hdr.SetMode(0o644)
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

func (d Dist) metadata() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n", d.Name, d.Version, d.Summary)
	for _, r := range d.Requires {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	return b.String()
}

// sourceFiles is the package's Python source: __init__ importing its
// dependencies (so a missing one fails at import, as in real packages), a
// core module, generated payload modules and, optionally, tests.
func (d Dist) sourceFiles() map[string]string {
	p := d.pkg()
	var init strings.Builder
	fmt.Fprintf(&init, "\"\"\"%s: %s.\"\"\"\n", d.Name, d.Summary)
	for _, r := range d.Requires {
		fmt.Fprintf(&init, "import %s  # noqa: F401\n", Dist{Name: requirementName(r)}.pkg())
	}
	fmt.Fprintf(&init, "from %s.core import hello  # noqa: F401\n\n__version__ = %q\n", p, d.Version)
	files := map[string]string{
		p + "/__init__.py": init.String(),
		p + "/core.py":     fmt.Sprintf("def hello():\n    return %q\n", d.Name+" "+d.Version),
	}
	rng := rand.New(rand.NewPCG(uint64(len(d.Name)), seed(d.Name+d.Version)))
	const chunk = 32 * 1024
	for i := 0; i*chunk < d.PayloadKB*1024; i++ {
		files[fmt.Sprintf("%s/_data%02d.py", p, i)] = payloadModule(rng, min(chunk, d.PayloadKB*1024-i*chunk))
	}
	if d.Tests {
		files[p+"/tests/__init__.py"] = ""
		files[p+"/tests/test_core.py"] = fmt.Sprintf("from %s import hello\n\n\ndef test_hello():\n    assert hello() == %q\n", p, d.Name+" "+d.Version)
	}
	return files
}

// payloadModule is about size bytes of Python assigning hex strings.
func payloadModule(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString("# Generated payload: gives the package a realistic size.\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "BLOB_%04d = \"%016x%016x%016x%016x\"\n", i, rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())
	}
	return b.String()
}

func seed(s string) uint64 {
	sum := sha256.Sum256([]byte(s))
	var v uint64
	for _, c := range sum[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// requirementName is the project name at the start of a requirement string.
func requirementName(req string) string {
	i := strings.IndexAny(req, " <>=!~;[(")
	if i < 0 {
		return req
	}
	return req[:i]
}

// writeWheels generates dists into <cache>/wheels/<key>/, keyed by the
// manifest and the generator version, unless already there.
func writeWheels(cacheDir string, dists []Dist) (string, bool, error) {
	manifest, err := json.Marshal(dists)
	if err != nil {
		return "", false, fmt.Errorf("wheels: %w", err)
	}
	final := filepath.Join(cacheDir, "wheels", contentKey(wheelGenerator, string(manifest)))
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
	for _, d := range dists {
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
