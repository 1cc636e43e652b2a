package llbrewrite

import (
	"slices"
	"testing"

	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

// TestCopySourceOfKeepsEarlierReadings: asked for every step in turn,
// copySourceOf answers from what it read for the step before, exactly as a
// fresh reading does; after an edit it reads the steps again.
func TestCopySourceOfKeepsEarlierReadings(t *testing.T) {
	df := "FROM python AS b\nENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\nRUN python -m venv /opt/venv\n" +
		"RUN pip install a\nWORKDIR /app\nRUN POETRY_VIRTUALENVS_IN_PROJECT=1 poetry install\n" +
		"ENV XDG_CACHE_HOME=/cache\nRUN pip install --target /t b && uv sync\nRUN echo done\n" +
		"FROM python\nCOPY --from=b /opt/venv /opt/venv\n"
	def := convert(t, df, dfllb.Options{})
	g, err := Decode(def)
	require.NoError(t, err)
	steps := execSteps(g)
	require.Len(t, steps, 5)
	fresh := func(i int) copySource {
		g2, err := Decode(def)
		require.NoError(t, err)
		return copySourceOf(execSteps(g2)[i].node)
	}
	for i, s := range steps {
		got, want := copySourceOf(s.node), fresh(i)
		require.Equal(t, want.installer, got.installer, "step %d", i)
		require.Equal(t, want.roots, got.roots, "step %d", i)
		require.Equal(t, want.caches, got.caches, "step %d", i)
	}
	require.Len(t, g.facts().folds, len(steps), "one reading kept per step asked about")

	last := steps[len(steps)-1].node
	hasPipCache := func() bool {
		return slices.ContainsFunc(copySourceOf(last).roots, func(r pyRoot) bool { return r.dir == "/root/.cache/pip" })
	}
	require.True(t, hasPipCache())
	s := steps[1]
	s.exec.Meta.Args[s.script] = "pip install --no-cache-dir a"
	s.node.MarkChanged()
	require.False(t, hasPipCache(), "the edit is read")
}
