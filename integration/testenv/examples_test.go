package testenv

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExampleManifestIsConsistent checks the examples' manifest: every
// project once per version, every requirement served by the index, and the
// stand-ins that share a name with a Debian-made dist newer than it (so
// resolvers pick the deterministic stand-in for the apps).
func TestExampleManifestIsConsistent(t *testing.T) {
	dists := ExampleDists()
	seen := map[string]bool{}
	byName := map[string][]Dist{}
	for _, d := range dists {
		key := NormalizeName(d.Name) + "==" + d.Version
		require.False(t, seen[key], "%s twice", key)
		seen[key] = true
		byName[NormalizeName(d.Name)] = append(byName[NormalizeName(d.Name)], d)
		require.NotEmpty(t, d.Summary+d.Deb, "%s has no summary", d.Name)
		if d.Deb == "" {
			require.Equal(t, strings.ToLower(d.pkg()), d.pkg(), "%s: import packages are lower case (set Package)", d.Name)
			for _, s := range d.Scripts {
				_, target, _ := strings.Cut(s, "=")
				mod, _, _ := strings.Cut(strings.TrimSpace(target), ":")
				require.True(t, mod == d.pkg() || strings.HasPrefix(mod, d.pkg()+"."), "%s: script %s lies outside package %s", d.Name, s, d.pkg())
			}
		}
	}
	for _, d := range dists {
		for _, r := range d.Requires {
			require.Contains(t, byName, NormalizeName(requirementName(r)), "%s requires %s, which the index does not serve", d.Name, r)
		}
		if d.Deb != "" {
			for _, r := range d.Requires {
				require.Regexp(t, `^[A-Za-z0-9._-]+==\S+$`, r, "%s: Debian-made requirements are pinned", d.Name)
			}
			continue
		}
		for _, other := range byName[NormalizeName(d.Name)] {
			if other.Deb != "" {
				require.True(t, versionLess(other.Version, d.Version), "stand-in %s %s must be newer than Debian's %s", d.Name, d.Version, other.Version)
			}
		}
	}
	require.Regexp(t, `^http://127\.0\.0\.1:2\d{4}/simple$`, ExampleIndexURL())
	require.Equal(t, ExampleIndexURL(), ExampleIndexURL())
}

// versionLess compares dotted numeric versions (enough for the manifest).
func versionLess(a, b string) bool {
	num := regexp.MustCompile(`\d+`)
	pa, pb := num.FindAllString(a, -1), num.FindAllString(b, -1)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if len(pa[i]) != len(pb[i]) {
			return len(pa[i]) < len(pb[i])
		}
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

// TestExampleWheelsHaveRealisticShape builds every generated wheel of the
// manifest twice (same bytes), and checks the shapes the examples rely on.
func TestExampleWheelsHaveRealisticShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds about 70 MB of wheels")
	}
	wheels := map[string]map[string][]byte{}
	for _, d := range ExampleDists() {
		if d.Deb != "" {
			_, err := BuildWheel(d)
			require.Error(t, err, "Debian-made wheels are not generated")
			continue
		}
		data, err := BuildWheel(d)
		require.NoError(t, err)
		if d.Name == "pandas" || d.Name == "tinypkg" {
			again, err := BuildWheel(d)
			require.NoError(t, err)
			require.Equal(t, data, again, "%s: same Dist, same bytes", d.Name)
		}
		files := unzip(t, data)
		wheels[d.Name] = files
		di := d.distInfo()
		require.Contains(t, files, di+"RECORD")
		require.Contains(t, string(files[di+"WHEEL"]), "Tag: ", d.Name)
		require.Contains(t, files, d.pkg()+"/__init__.py")
		for _, r := range d.Requires {
			require.Contains(t, string(files[d.pkg()+"/__init__.py"]), "import "+importName(r)+"  #", "%s imports its dependency %s", d.Name, r)
		}
		for _, s := range d.Scripts {
			require.Contains(t, string(files[di+"entry_points.txt"]), s+"\n")
			_, target, _ := strings.Cut(s, "=")
			mod, fn, _ := strings.Cut(strings.TrimSpace(target), ":")
			src := string(files[strings.ReplaceAll(mod, ".", "/")+".py"]) + string(files[strings.ReplaceAll(mod, ".", "/")+"/__init__.py"])
			require.Regexp(t, `(def |import .*\b)`+regexp.QuoteMeta(fn)+`\b`, src, "%s: console script %s has no %s", d.Name, s, fn)
		}
	}
	pandas := wheels["pandas"]
	var tests, total int
	for name, data := range pandas {
		total += len(data)
		if strings.HasPrefix(name, "pandas/tests/") {
			tests += len(data)
		}
	}
	require.Greater(t, float64(tests)/float64(total), 0.25, "pandas' tests are a big share of it, as in real pandas")
	require.Contains(t, pandas, "pandas/_core.cpython-311-x86_64-linux-gnu.so")
	require.True(t, bytes.HasPrefix(pandas["pandas/_core.cpython-311-x86_64-linux-gnu.so"], []byte("\x7fELF")))
	require.Contains(t, ExampleDists()[len(TinyDists)+1].WheelName(), "-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")

	require.Contains(t, string(wheels["tables"]["tables/__init__.py"]), "from .tests import print_versions, test")
	require.Contains(t, string(wheels["tables"]["tables/tests/__init__.py"]), "def print_versions")
	require.Contains(t, string(wheels["APScheduler"]["apscheduler/__init__.py"]), `__import__("pkg_resources")`)
	require.Contains(t, string(wheels["pytest"]["pytest/_runner.py"]), "def console_main")
	require.Contains(t, wheels["ruff"], "ruff-0.1.6.data/scripts/ruff")
	require.True(t, strings.HasPrefix(string(wheels["ruff"]["ruff-0.1.6.data/scripts/ruff"]), "#!python\n"))
	require.Contains(t, string(wheels["numpy"]["numpy-1.26.2.dist-info/entry_points.txt"]), "[console_scripts]\nf2py = numpy.f2py.f2py2e:main\n")
	require.Contains(t, wheels["numpy"], "numpy/core/tests/__init__.py", "numpy's tests sit in subpackages")
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		files[f.Name] = b
	}
	return files
}

func TestRestoredRequiresFromDebianRelations(t *testing.T) {
	status := `Package: python3-a
Status: install ok installed
Version: 1.0-1
Depends: python3-b (>= 2), python3-c | python3 (>> 3.8), python3:any, libc6, python3-api-min (<= 9)

Package: python3-b
Status: install ok installed
Version: 2.0-1

Package: python3-c
Status: install ok installed
Version: 3.0-1
Depends: python3-pkg-resources

Package: python3-pkg-resources
Status: install ok installed
Version: 66.1.1-1

Package: python3-backend
Status: install ok installed
Version: 1.15.1-5
Provides: python3-api-min (= 9729), python3-api-max (= 10495)
`
	installed := parseStatus(status)
	inBase := parseStatus("Package: python3-pkg-resources\nStatus: install ok installed\nVersion: 66.1.1-1\n")
	byDeb := map[string]Dist{
		"python3-a":       {Name: "a", Version: "1.0"},
		"python3-b":       {Name: "b", Version: "2.0"},
		"python3-c":       {Name: "c", Version: "3.0"},
		"python3-backend": {Name: "cffi", Version: "1.15.1"},
	}
	require.Equal(t, []string{"b==2.0", "c==3.0", "cffi==1.15.1"}, restoredRequires(installed["python3-a"], installed, inBase, byDeb))
	require.Empty(t, restoredRequires(installed["python3-c"], installed, inBase, byDeb), "the base image's packages drop out")

	meta, err := restoreMetadata(Dist{Name: "requests", Version: "2.28.1", Requires: []string{"idna==3.3"}},
		"Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nRequires-Dist: chardet (<6)\nProvides-Extra: socks\nDescription: x\n        y\n\nbody\n")
	require.NoError(t, err)
	require.Equal(t, "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nRequires-Dist: idna==3.3\nDescription: x\n        y\n\nbody\n", meta)
	_, err = restoreMetadata(Dist{Name: "requests", Version: "2.31.0"}, "Name: requests\nVersion: 2.28.1\n")
	require.ErrorContains(t, err, "update ExampleDists")
}
