package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDockerReleases(t *testing.T) {
	for v, want := range map[string]string{
		"v0.11.6": "24–25", "v0.12.5": "24–25", "v0.13.0": "26–27", "v0.17.3": "26–27",
		"v0.20.2": "28", "v0.23.2": "28", "v0.34.2": "newer than 28; standalone buildkitd", "0.12": "?",
	} {
		require.Equal(t, want, dockerReleases(v), v)
	}
}

func TestReadWarnings(t *testing.T) {
	dir := t.TempDir()
	logs := map[string]string{
		"TestPoetryStory-story-slim.log": "#12 DONE 0.1s\n\x1b[33m2 warnings found (use docker --debug to expand):\n\x1b[0m" +
			" - PoetryOnlyMain: added --only main: … (line 7)\n - StageCopyCleanup: removed … (line 16)\n",
		"TestPipNoCacheThreeWays-syntax-line.log": " - PipNoCache: added --no-cache-dir (line 2)\n - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n",
		"TestExamples-pip-venv-slim.log": " - slim: rewrite failed, building the unmodified Dockerfile: boom\n" +
			" - PoetryNoCache: skipped: the daemon does not support tmpfs mounts (exec.mount.tmpfs) (line 3)\n",
	}
	for name, text := range logs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	ran, fellBack, err := readWarnings(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"PipNoCache", "PoetryOnlyMain", "StageCopyCleanup"}, ran, "rule order, stock checks left out")
	require.Len(t, fellBack, 2)
	require.True(t, strings.HasPrefix(fellBack[0], "PoetryNoCache: skipped"), fellBack[0])
	require.True(t, strings.HasPrefix(fellBack[1], "slim: rewrite failed"), fellBack[1])
}

func TestRowCells(t *testing.T) {
	r := compatRow{results: map[string]testResult{}}
	for _, c := range compatCases {
		r.results[c.test] = testResult{action: "pass", elapsed: 12}
	}
	require.True(t, r.passed())
	require.Equal(t, "?", r.capsCell())
	r.caps = capsLine([]string{"=== RUN   TestDaemonFacts", "    daemon_test.go:59: slim optional caps: file.copy.includeexcludepatterns=true exec.mount.tmpfs=false"})
	require.Equal(t, "lacks `exec.mount.tmpfs`", r.capsCell())
	r.results["TestPoetryStory"] = testResult{action: "fail", elapsed: 3, output: []string{"    poetry_test.go:9: ", "        \tError:      \tboom"}}
	require.False(t, r.passed())
	require.Equal(t, "**FAIL** (3 s)", r.cell(compatCases[2]))
	require.Contains(t, r.failureLines(compatCases[2]), "boom")
}
