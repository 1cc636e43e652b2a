package cleanup

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const usp = "/usr/local/lib/python3.11/dist-packages"

// write adds files (image path → content) under root.
func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
}

func TestInstallCleanRemovesOnlyWhatTheStepCreated(t *testing.T) {
	root := tree(t, map[string]string{
		// the base image: a package with bytecode and tests, pip's cache
		usp + "/old/__init__.py":                   "",
		usp + "/old/__pycache__/a.cpython-311.pyc": "base",
		usp + "/old/tests/test_old.py":             "base",
		"/root/.cache/pip/http/old":                "base",
		"/app/__pycache__/x.pyc":                   "app",
	})
	o := Install{Root: root, Prefixes: []string{"/usr/local", "/usr"}, Caches: []string{"/root/.cache/pip", "/root/.cache/uv"}}
	before := o.Snapshot()
	write(t, root, map[string]string{
		usp + "/new/__init__.py":                      "from .core import x\n",
		usp + "/new/__pycache__/core.cpython-311.pyc": "12345",
		usp + "/new/tests/test_new.py":                "123",
		usp + "/old/__pycache__/b.cpython-311.pyc":    "12",
		usp + "/old/tests/test_added.py":              "1",
		usp + "/tables/__init__.py":                   "from .tests import common\n",
		usp + "/tables/tests/common.py":               "",
		usp + "/setuptools/tests/t.py":                "",
		usp + "/new-1.0.dist-info/RECORD":             "",
		"/root/.cache/pip/http/new":                   "1234567",
		"/app/__pycache__/y.pyc":                      "app",
		"/app/pkg/tests/test_app.py":                  "",
	})
	res, err := o.Clean(before)
	require.NoError(t, err)
	require.Equal(t, []string{
		"cache /root/.cache/pip",
		"pycache " + usp + "/new/__pycache__",
		"pycache " + usp + "/old/__pycache__",
		"tests " + usp + "/new/tests",
		"tests " + usp + "/old/tests",
	}, removedPaths(res))
	require.Equal(t, int64(5+3+2+1+7), res.Bytes(""))
	for _, p := range []string{
		usp + "/old/__pycache__/a.cpython-311.pyc", // the base image's: removing it would add a whiteout
		usp + "/old/tests/test_old.py",
		"/root/.cache/pip/http/old",
		usp + "/tables/tests/common.py", // imported by its package
		usp + "/setuptools/tests/t.py",
		usp + "/new-1.0.dist-info/RECORD",
		"/app/__pycache__/y.pyc", // outside the install's directories
		"/app/pkg/tests/test_app.py",
	} {
		require.True(t, exists(root, p), p)
	}
	for _, p := range []string{usp + "/old/__pycache__/b.cpython-311.pyc", usp + "/old/tests/test_added.py", "/root/.cache/pip/http/new", usp + "/new/tests"} {
		require.False(t, exists(root, p), p)
	}
}

func TestInstallCleanKeepsMountsAndBytecodeOnRequest(t *testing.T) {
	root := tree(t, map[string]string{"/opt/venv/pyvenv.cfg": ""})
	o := Install{Root: root, Prefixes: []string{"/opt/venv"}, Caches: []string{"/root/.cache/pip"},
		Keep: []string{"/root/.cache/pip", "/opt/venv/lib/python3.11/site-packages/mnt"}, KeepPycache: true}
	before := o.Snapshot()
	sp := "/opt/venv/lib/python3.11/site-packages"
	write(t, root, map[string]string{
		"/root/.cache/pip/wheels/a.whl":  "cache mount content",
		sp + "/pkg/__pycache__/a.pyc":    "kept: --keep-pycache",
		sp + "/pkg/tests/t.py":           "gone",
		sp + "/mnt/pkg/tests/t.py":       "a mount",
		sp + "/mnt/__pycache__/m.pyc":    "a mount",
		sp + "/pkg-1.0.dist-info/RECORD": "",
	})
	res, err := o.Clean(before)
	require.NoError(t, err)
	require.Equal(t, []string{"tests " + sp + "/pkg/tests"}, removedPaths(res))
	require.Contains(t, res.Kept, Kept{Path: "/root/.cache/pip", Reason: reasonMount})
	for _, p := range []string{"/root/.cache/pip/wheels/a.whl", sp + "/pkg/__pycache__/a.pyc", sp + "/mnt/pkg/tests/t.py", sp + "/mnt/__pycache__/m.pyc"} {
		require.True(t, exists(root, p), p)
	}
}

func TestInstallRootsAndTrees(t *testing.T) {
	root := tree(t, map[string]string{
		"/opt/venv/lib/python3.11/site-packages/a.py": "",
		"/usr/lib/python3/dist-packages/b.py":         "",
		"/deps/flask/__init__.py":                     "",
	})
	require.NoError(t, os.Symlink("lib", filepath.Join(root, "opt/venv/lib64")))
	o := Install{Root: root, Prefixes: []string{"/opt/venv", "/usr", "/nope"}, Trees: []string{"/deps"}}
	require.Equal(t, []string{"/deps", "/opt/venv/lib/python3.11/site-packages", "/usr/lib/python3/dist-packages"}, o.Roots(),
		"lib64 -> lib is walked once")

	before := o.Snapshot()
	write(t, root, map[string]string{
		"/deps/flask/tests/t.py":             "x",
		"/deps/flask-3.0.dist-info/METADATA": "",
	})
	res, err := o.Clean(before)
	require.NoError(t, err)
	require.Equal(t, []string{"tests /deps/flask/tests"}, removedPaths(res))
}

func TestInstallCleanOfANewPrefix(t *testing.T) {
	// The step creates the virtualenv: nothing of it existed before.
	root := t.TempDir()
	o := Install{Root: root, Prefixes: []string{"/app/.venv"}}
	before := o.Snapshot()
	sp := "/app/.venv/lib/python3.12/site-packages"
	write(t, root, map[string]string{
		sp + "/pkg/__init__.py":        "",
		sp + "/pkg/__pycache__/x.pyc":  "xx",
		sp + "/pkg/sub/tests/t.py":     "t",
		sp + "/pkg-2.dist-info/RECORD": "",
		sp + "/_pytest/__init__.py":    "",
		sp + "/tests/__init__.py":      "a top-level module named tests",
	})
	res, err := o.Clean(before)
	require.NoError(t, err)
	require.Equal(t, []string{"pycache " + sp + "/pkg/__pycache__", "tests " + sp + "/pkg/sub/tests"}, removedPaths(res))
	require.True(t, exists(root, sp+"/tests/__init__.py"))
}
