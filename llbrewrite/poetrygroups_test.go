package llbrewrite

import (
	"testing"

	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

func poetryOnlyMainFinding(t *testing.T, dockerfile string, p Policy) Finding {
	t.Helper()
	_, findings := rewrite(t, convert(t, dockerfile, dfllb.Options{}), p)
	var found []Finding
	for _, f := range findings {
		if f.Rule == "PoetryOnlyMain" {
			found = append(found, f)
		}
	}
	require.Len(t, found, 1, "findings: %v", findings)
	return found[0]
}

func TestDevGroup(t *testing.T) {
	for _, name := range []string{"dev", "Dev", "test", "tests", "lint", "typing", "docs", "dev-tools", "test_integration", "lint-and-format", "ci"} {
		require.True(t, DevGroup(name), name)
	}
	for _, name := range []string{"main", "storage", "tools", "vdb", "postgres", "server", "gpu", "devices", "testimony", "web"} {
		require.False(t, DevGroup(name), name)
	}
}

func TestPoetryGroupsEdit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		proj       *PoetryProject
		flag, val  string
		skipPrefix string
	}{
		{name: "unknown project: main and dev assumed", proj: nil, flag: "--only", val: "main"},
		{name: "main and dev", proj: &PoetryProject{Files: []string{"pyproject.toml"}, Groups: []string{"dev"}}, flag: "--only", val: "main"},
		{name: "dev-like groups only", proj: &PoetryProject{Files: []string{"pyproject.toml"}, Groups: []string{"dev", "lint", "test"}}, flag: "--only", val: "main"},
		{name: "runtime groups stay", proj: &PoetryProject{Files: []string{"api/pyproject.toml"}, Groups: []string{"dev", "lint", "storage", "tools", "vdb"}}, flag: "--without", val: "dev,lint"},
		{name: "no dev group", proj: &PoetryProject{Files: []string{"pyproject.toml"}, Groups: []string{"postgres"}}, skipPrefix: "pyproject.toml's groups (postgres)"},
		{name: "no group at all", proj: &PoetryProject{Files: []string{"pyproject.toml"}}, skipPrefix: "pyproject.toml has no dependency group besides main"},
		{name: "no pyproject in the context", proj: &PoetryProject{}, skipPrefix: "the build context has no pyproject.toml"},
		{name: "context unreadable", proj: &PoetryProject{Err: "permission denied"}, skipPrefix: "slim could not read pyproject.toml from the build context (permission denied)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, skip := poetryGroupsEdit(tc.proj)
			if tc.skipPrefix != "" {
				require.Contains(t, skip, tc.skipPrefix)
				return
			}
			require.Empty(t, skip)
			require.Equal(t, tc.flag, g.Flag)
			require.Equal(t, tc.val, g.Value)
			require.Contains(t, g.Reason, "added "+tc.flag+" "+tc.val)
		})
	}
}

func TestPoetryOnlyMainKeepsRuntimeGroups(t *testing.T) {
	dockerfile := "FROM python:3.12-slim\nRUN pip install poetry\nWORKDIR /app\nCOPY . .\nRUN poetry install --no-root\n"
	p := Policy{Poetry: &PoetryProject{Files: []string{"pyproject.toml"}, Groups: []string{"dev", "tools"}}}
	f := poetryOnlyMainFinding(t, dockerfile, p)
	require.Equal(t, ActionRewrite, f.Action)
	require.Equal(t, "poetry install --without dev --no-root", f.After)

	p.Poetry = &PoetryProject{Files: []string{"pyproject.toml"}, Groups: []string{"tools"}}
	f = poetryOnlyMainFinding(t, dockerfile, p)
	require.Equal(t, ActionSkip, f.Action)
	require.Contains(t, f.Reason, "not dev groups by name")
}
