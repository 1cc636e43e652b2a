package cleanup

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

const sp = "/app/.venv/lib/python3.11/site-packages"

// tree writes files (image path → content) under a temp root.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
	return root
}

func exists(root, p string) bool {
	_, err := os.Lstat(filepath.Join(root, p))
	return err == nil
}

func removedPaths(res Result) []string {
	var out []string
	for _, r := range res.Removed {
		out = append(out, r.Kind+" "+r.Path)
	}
	sort.Strings(out)
	return out
}

func TestRunRemovesJunkAndKeepsWhatIsNeeded(t *testing.T) {
	root := tree(t, map[string]string{
		sp + "/requests/__init__.py":                       "from .api import get  # tests patch this\n",
		sp + "/requests/__pycache__/api.cpython-311.pyc":   "xxxx",
		sp + "/requests/tests/test_api.py":                 "import requests\n",
		sp + "/numpy/core/tests/test_x.py":                 "",
		sp + "/selftest/__init__.py":                       "from .tests import fixtures\n",
		sp + "/selftest/tests/__init__.py":                 "",
		sp + "/selftest/tests/__pycache__/a.pyc":           "b",
		sp + "/selftest/tests/inner/tests/t.py":            "",
		sp + "/setuptools/tests/test_x.py":                 "",
		sp + "/pkg_resources/tests/data.txt":               "",
		sp + "/tests/__init__.py":                          "", // a top-level module named tests
		sp + "/requests-2.0.dist-info/RECORD":              "",
		sp + "/legacy/mod.pyc":                             "sourceless",
		sp + "/legacy/other.py":                            "",
		sp + "/legacy/other.pyc":                           "stale",
		"/app/tests/test_app.py":                           "",
		"/app/src/__pycache__/main.cpython-311.pyc":        "yy",
		"/app/.cache/pypoetry/cache/repositories/x":        "zzz",
		"/app/.cache/pypoetry/virtualenvs/keep/pyvenv.cfg": "",
		"/app/.cache/prisma/engine":                        "binary",
		"/app/.cache/pip/http/1":                           "c",
	})
	res, err := Run(Options{Root: root, Paths: []string{"/app"}, Keep: []string{"/app/.cache/prisma"}})
	require.NoError(t, err)
	require.Equal(t, []string{
		"cache /app/.cache/pip",
		"cache /app/.cache/pypoetry/cache",
		"pycache " + sp + "/legacy/other.pyc",
		"pycache " + sp + "/requests/__pycache__",
		"pycache " + sp + "/selftest/tests/__pycache__",
		"pycache /app/src/__pycache__",
		"tests " + sp + "/numpy/core/tests",
		"tests " + sp + "/requests/tests",
	}, removedPaths(res))
	for _, p := range []string{
		sp + "/selftest/tests/__init__.py", // imported by its own package
		sp + "/selftest/tests/inner/tests/t.py",
		sp + "/setuptools/tests/test_x.py",
		sp + "/pkg_resources/tests/data.txt",
		sp + "/tests/__init__.py",
		sp + "/requests-2.0.dist-info/RECORD",
		sp + "/legacy/mod.pyc", // no source beside it: the module itself
		"/app/tests/test_app.py",
		"/app/.cache/pypoetry/virtualenvs/keep/pyvenv.cfg",
		"/app/.cache/prisma/engine",
	} {
		require.True(t, exists(root, p), p)
	}
	require.Equal(t, int64(4+5+2+3+1+1+len("import requests\n")), res.Bytes(""))
	require.Contains(t, res.Kept, Kept{Path: sp + "/selftest/tests", Reason: "imported by " + sp + "/selftest/__init__.py"})
}

func TestRunHonoursKeepAndScope(t *testing.T) {
	root := tree(t, map[string]string{
		"/root/.cache/pip/wheels/a.whl": "w",
		"/app/__pycache__/a.pyc":        "p",
		"/other/__pycache__/b.pyc":      "p",
	})
	res, err := Run(Options{Root: root, Paths: []string{"/app", "/root/.cache/pip"}, Keep: []string{"/root/.cache/pip"}, KeepPycache: true})
	require.NoError(t, err)
	require.Empty(t, res.Removed)
	require.True(t, exists(root, "/root/.cache/pip/wheels/a.whl"), "an explicitly copied cache stays")
	require.Contains(t, res.Kept, Kept{Path: "/root/.cache/pip", Reason: "named by a COPY"})

	res, err = Run(Options{Root: root, Paths: []string{"/root/.cache/pip/wheels"}})
	require.NoError(t, err)
	require.Empty(t, res.Removed, "a copied path inside a cache is kept")
	require.True(t, exists(root, "/app/__pycache__/a.pyc"), "pycache=keep")
	require.True(t, exists(root, "/other/__pycache__/b.pyc"), "outside the copied paths")
}

func TestRunMissingPathAndSymlinks(t *testing.T) {
	root := tree(t, map[string]string{"/app/real/__pycache__/x.pyc": "x"})
	require.NoError(t, os.Symlink("/app/real", filepath.Join(root, "app/link")))
	res, err := Run(Options{Root: root, Paths: []string{"/nope", "/app/link"}})
	require.NoError(t, err)
	require.Empty(t, res.Removed, "symlinks are not followed")
	require.True(t, exists(root, "/app/real/__pycache__/x.pyc"))
}

func TestTopmost(t *testing.T) {
	require.Equal(t, []string{"/app", "/opt/venv"}, topmost([]string{"/opt/venv", "/app/x", "/app", "/opt/venv/lib"}))
	require.Equal(t, []string{"/"}, topmost([]string{"/app", "/"}))
}

func TestRunTargetInstall(t *testing.T) {
	root := tree(t, map[string]string{
		"/deps/flask/__init__.py":            "",
		"/deps/flask/tests/test_x.py":        "x",
		"/deps/flask-3.0.dist-info/METADATA": "",
		"/app/pkg/tests/test_app.py":         "", // no dist-info beside /app/pkg: the app's own
	})
	res, err := Run(Options{Root: root, Paths: []string{"/deps", "/app"}})
	require.NoError(t, err)
	require.Equal(t, []string{"tests /deps/flask/tests"}, removedPaths(res))
	require.True(t, KeptWhole("/root/.cache/pip"))
	require.True(t, KeptWhole("/root/.cache/pip/wheels"))
	require.False(t, KeptWhole("/app"))
}

func TestRunTestsImportingEachOther(t *testing.T) {
	root := tree(t, map[string]string{
		// networkx-style: tests of one module import another module's tests.
		sp + "/nx/__init__.py":        "from .core import graph\n",
		sp + "/nx/a/tests/test_a.py":  "from nx.b.tests import helpers\n",
		sp + "/nx/b/tests/helpers.py": "",
		// kept chain: lib imports its tests at import time, and those
		// tests import a sibling's tests.
		sp + "/lib/__init__.py":                             "from .tests import fixtures\n",
		sp + "/lib/tests/fixtures.py":                       "from lib.extra.tests import data\n",
		sp + "/lib/extra/tests/data.py":                     "",
		sp + "/django-stubs/test/client.pyi":                "",
		sp + "/jedi/third_party/typeshed/stdlib/test/x.pyi": "",
		sp + "/typed/__init__.pyi":                          "from .tests import util as util\n",
		sp + "/typed/tests/util.pyi":                        "",
	})
	res, err := Run(Options{Root: root, Paths: []string{"/app"}})
	require.NoError(t, err)
	require.Equal(t, []string{
		"tests " + sp + "/nx/a/tests",
		"tests " + sp + "/nx/b/tests",
	}, removedPaths(res))
	for _, p := range []string{"/lib/tests/fixtures.py", "/lib/extra/tests/data.py", "/django-stubs/test/client.pyi", "/jedi/third_party/typeshed/stdlib/test/x.pyi", "/typed/tests/util.pyi"} {
		require.True(t, exists(root, sp+p), p)
	}
}
