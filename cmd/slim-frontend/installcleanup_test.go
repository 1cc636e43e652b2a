package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/org/slim/cleanup"
	"github.com/stretchr/testify/require"
)

func TestRunChildPassesTheExitStatusThrough(t *testing.T) {
	var stderr bytes.Buffer
	require.Equal(t, 0, runChild([]string{"sh", "-c", "exit 0"}, &stderr))
	require.Equal(t, 3, runChild([]string{"sh", "-c", "exit 3"}, &stderr))
	require.Equal(t, 128+15, runChild([]string{"sh", "-c", "kill -TERM $$"}, &stderr))
	require.Equal(t, 127, runChild([]string{"/nonexistent/cmd"}, &stderr))
	require.Contains(t, stderr.String(), "/nonexistent/cmd")
}

func TestRunInstallCleanupCleansOnlyAfterSuccess(t *testing.T) {
	root := t.TempDir()
	sp := filepath.Join(root, "opt/venv/lib/python3.11/site-packages")
	require.NoError(t, os.MkdirAll(filepath.Join(sp, "old/__pycache__"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sp, "old/__pycache__/a.pyc"), []byte("base"), 0o644))
	o := cleanup.Install{Root: root, Prefixes: []string{"/opt/venv"}}
	// The command runs in the wrapper's working directory with its
	// environment: it writes where the test points it.
	install := `mkdir -p "$SP/new/__pycache__" "$SP/new/tests" && echo x > "$SP/new/__pycache__/n.pyc" && echo t > "$SP/new/tests/t.py" && echo y > "$SP/old/__pycache__/b.pyc"`
	t.Setenv("SP", sp)

	var stdout, stderr bytes.Buffer
	require.Equal(t, 1, runInstallCleanup(o, []string{"sh", "-c", install + " && exit 1"}, &stdout, &stderr))
	require.Empty(t, stdout.String(), "no cleanup after a failed command")
	require.FileExists(t, filepath.Join(sp, "new/__pycache__/n.pyc"))

	require.NoError(t, os.RemoveAll(filepath.Join(sp, "new")))
	require.NoError(t, os.Remove(filepath.Join(sp, "old/__pycache__/b.pyc")))
	require.Equal(t, 0, runInstallCleanup(o, []string{"sh", "-c", install}, &stdout, &stderr), stderr.String())
	require.NoFileExists(t, filepath.Join(sp, "new/__pycache__/n.pyc"))
	require.NoFileExists(t, filepath.Join(sp, "old/__pycache__/b.pyc"))
	require.FileExists(t, filepath.Join(sp, "old/__pycache__/a.pyc"), "the base image's bytecode stays")
	require.NoFileExists(t, filepath.Join(sp, "new/tests/t.py"))
	require.Contains(t, stdout.String(), "slim InstallCleanup: removed 2 pycache paths, 4 bytes\n")
	require.Contains(t, stdout.String(), "slim InstallCleanup: removed 1 tests paths, 2 bytes\n")
}

func TestMountPoints(t *testing.T) {
	f := filepath.Join(t.TempDir(), "mountinfo")
	require.NoError(t, os.WriteFile(f, []byte(
		"1 0 0:1 / / rw - overlay overlay rw\n"+
			"2 1 0:2 / /proc rw - proc proc rw\n"+
			"3 1 0:3 / /root/.cache/pip rw - overlay overlay rw\n"+
			"4 1 0:4 / /a\\040b rw - bind bind rw\n"), 0o644))
	require.Equal(t, []string{"/proc", "/root/.cache/pip", "/a b"}, mountPoints(f))
	require.Nil(t, mountPoints(filepath.Join(t.TempDir(), "missing")))
}
