//go:build !slimimage

package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuildWarnings(t *testing.T) {
	log := `#12 DONE 0.1s

 2 warnings found (use docker --debug to expand):
 - PipNoCache: added --no-cache-dir: pip's download and wheel cache is not needed in the image (line 6)
 - StageCopyCleanup: removed __pycache__ under /opt/venv before the copy (line 9)
`
	require.Equal(t, []string{
		"PipNoCache: added --no-cache-dir: pip's download and wheel cache is not needed in the image (line 6)",
		"StageCopyCleanup: removed __pycache__ under /opt/venv before the copy (line 9)",
	}, buildWarnings(log))
	colored := " \x1b[33m2 warnings found (use docker --debug to expand):\n\x1b[0m - A: b (line 5)\n - C: d (line 9)\n"
	require.Equal(t, []string{"A: b (line 5)", "C: d (line 9)"}, buildWarnings(colored), "buildx colours the header")
	require.Empty(t, buildWarnings("#1 [internal] load build definition\n#1 DONE\n - not a warning\n"))
	require.Equal(t, []string{"X: y (line 1)"}, buildWarnings("1 warning found:\n - X: y (line 1)\nsomething else\n - later bullet\n"))
}

func TestLogSinkPhases(t *testing.T) {
	var progress bytes.Buffer
	l, err := newLogSink(&progress, false)
	require.NoError(t, err)
	defer os.RemoveAll(l.dir)
	require.Nil(t, l.stream())

	ph := l.begin("stock build", "Dockerfile")
	ph.record("line one\nline two\n")
	require.NoError(t, ph.end(nil))
	data, err := os.ReadFile(l.dir + "/stock-build.log")
	require.NoError(t, err)
	require.Equal(t, "line one\nline two\n", string(data))

	ph = l.begin("slim build", "Dockerfile")
	err = ph.end(errors.New("boom"))
	require.ErrorContains(t, err, "boom")
	require.ErrorContains(t, err, l.dir+"/slim-build.log")

	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	require.Len(t, lines, 2, "one progress line per phase: %q", progress.String())
	require.Contains(t, lines[0], "stock build")
	require.Contains(t, lines[0], "stock-build.log")
	require.Contains(t, lines[1], "FAILED")

	var verbose bytes.Buffer
	v, err := newLogSink(&verbose, true)
	require.NoError(t, err)
	require.Equal(t, &verbose, v.stream())
}
