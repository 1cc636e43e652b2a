package frontend

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPoetryProjectFromFiles(t *testing.T) {
	proj := PoetryProjectFromFiles(map[string][]byte{
		"api/pyproject.toml":    []byte("[tool.poetry]\nname = \"api\"\n[tool.poetry.group.storage.dependencies]\nboto3 = \"1\"\n[tool.poetry.group.dev.dependencies]\npytest = \"8\"\n"),
		"old/pyproject.toml":    []byte("[tool.poetry]\nname = \"old\"\n[tool.poetry.dev-dependencies]\npytest = \"6\"\n"),
		"pep735/pyproject.toml": []byte("[project]\nname = \"x\"\n[dependency-groups]\nlint = [\"ruff\"]\n"),
		"plain/pyproject.toml":  []byte("[build-system]\nrequires = [\"setuptools\"]\n"),
		"bad/pyproject.toml":    []byte("[tool.poetry\n"),
	})
	require.Equal(t, []string{"api/pyproject.toml", "bad/pyproject.toml", "old/pyproject.toml", "pep735/pyproject.toml"}, proj.Files)
	require.Equal(t, []string{"(unparsable bad/pyproject.toml)", "dev", "lint", "storage"}, proj.Groups)

	empty := PoetryProjectFromFiles(nil)
	require.Empty(t, empty.Files)
	require.Empty(t, empty.Groups)
}

func TestPyprojectsInDir(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("pyproject.toml", "[tool.poetry]\n")
	write("services/api/pyproject.toml", "[tool.poetry]\n")
	write(".venv/lib/python3.11/site-packages/x/pyproject.toml", "vendored")
	write("node_modules/y/pyproject.toml", "vendored")
	files, err := PyprojectsInDir(dir)
	require.NoError(t, err)
	require.Len(t, files, 2)
	require.Contains(t, files, "pyproject.toml")
	require.Contains(t, files, "services/api/pyproject.toml")
}
