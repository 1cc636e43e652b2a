package llbrewrite

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/internal/benchdf"
	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

// modelDockerfiles have diamonds, copies of caches out of stages and into
// later ones, and RUNs that name cache dirs.
var modelDockerfiles = []string{
	storyDockerfile, testStageDockerfile, pipDockerfile, string(benchdf.Chain(3)),
	"FROM python AS a\nRUN pip install x\nFROM python AS b\nRUN pip install y\nFROM a AS c\nCOPY --from=b /root/.cache/pip /root/.cache/pip\nRUN pip install z\n" +
		"FROM python\nCOPY --from=c /root/.cache /cache\nCOPY --from=a /opt /opt\nRUN ls ~/.cache/pypoetry && pytest\n",
	"FROM python AS base\nRUN poetry install\nFROM base AS mid\nRUN echo $HOME/.cache/pip\nFROM mid AS qa-suite\nRUN true\nFROM python\nCOPY --from=mid /x /x\n",
}

// naiveDescendants and naiveReadLater are the definitions the model's
// memoized answers must agree with: a scan of the whole graph per question.
func naiveDescendants(g *Graph, n *Node) map[*Node]bool {
	out := map[*Node]bool{}
	for _, d := range g.Nodes {
		for _, in := range d.Inputs {
			if in == n || out[in] {
				out[d] = true
				break
			}
		}
	}
	return out
}

func naiveReadLater(g *Graph, n *Node, dir, home string) string {
	below := naiveDescendants(g, n)
	for _, d := range g.Nodes {
		if !below[d] {
			continue
		}
		if f := d.Op.GetFile(); f != nil {
			for _, a := range f.Actions {
				cp, si := a.GetCopy(), int(a.SecondaryInput)
				if cp != nil && si >= 0 && si < len(d.Inputs) && (d.Inputs[si] == n || below[d.Inputs[si]]) && within(walkRoot(cp.Src), dir) {
					return CommandOf(d) + " copies " + cp.Src
				}
			}
		}
		if e := d.Op.GetExec(); e != nil && e.Meta != nil && !isCleanupStep(d) {
			for _, sp := range spellings(dir, home) {
				if strings.Contains(strings.Join(e.Meta.Args, " "), sp) {
					return CommandOf(d) + " reads " + sp
				}
			}
		}
	}
	return ""
}

func TestModelAgreesWithGraphScans(t *testing.T) {
	dirs := []string{"/root/.cache/pip", "/root/.cache/pypoetry", "/root/.cache", "/opt/venv", "/"}
	for i, df := range modelDockerfiles {
		g, err := Decode(convert(t, df, dfllb.Options{}))
		require.NoError(t, err)
		m := g.facts()
		checked := 0
		for _, n := range g.Nodes {
			require.Equal(t, naiveDescendants(g, n), descendants(g, n), "dockerfile %d", i)
			for _, dir := range dirs {
				want := naiveReadLater(g, n, dir, "/root")
				require.Equal(t, want, readLater(g, n, dir, "/root"), "dockerfile %d, %s, %s", i, CommandOf(n), dir)
				if want != "" {
					checked++
				}
			}
			require.Equal(t, m.DevReason(n), m.devReason(n), "memoized")
		}
		require.NotZero(t, checked, "dockerfile %d: some later read must be found", i)
	}
}

func TestFirstAboveIsDepthFirst(t *testing.T) {
	// c reads a then b; both have evidence: a, the first input, wins, and
	// a node without evidence inherits its input's.
	a, b := &Node{}, &Node{}
	c := &Node{Inputs: []*Node{a, b}}
	d := &Node{Inputs: []*Node{c}}
	g := &Graph{Nodes: []*Node{a, b, c, d}}
	m := g.facts()
	names := map[*Node]string{a: "a", b: "b"}
	at := func(n *Node) string { return names[n] }
	require.Equal(t, "a", m.firstAbove(d, question{kind: "t"}, at))
	require.Equal(t, "b", m.firstAbove(b, question{kind: "t"}, at))
	require.Equal(t, "", m.firstAbove(&Node{}, question{kind: "t"}, at), "a node outside the model")
}

func TestDevReason(t *testing.T) {
	for _, tc := range []struct{ dockerfile, target, want string }{
		{"FROM python AS base\nRUN poetry install\nFROM base AS test\nCMD [\"make\", \"tests\"]\n", "",
			`the build target "test" (the last stage, built when no --target is given) is a test/dev stage`},
		{"FROM python AS base\nRUN poetry install\nFROM base AS image\nCMD [\"make\", \"tests\"]\n", "",
			`line 4 runs make tests in the image (CMD ["make", "tests"])`},
		{"FROM python AS base\nRUN poetry install\nFROM base AS image\nENTRYPOINT [\"python\", \"manage.py\"]\nCMD [\"test\"]\n", "",
			"runs manage.py test in the image"},
		{"FROM python\nRUN poetry install\nRUN tox -e py311\n", "", "line 3 runs tox after this install"},
		{"FROM python\nRUN poetry install\nRUN ./scripts/test-unit.sh\n", "", "line 3 runs ./scripts/test-unit.sh after this install"},
		{"FROM python\nRUN poetry install\nRUN bash scripts/tests.sh\n", "", "runs bash scripts/tests.sh after this install"},
		{"FROM python\nRUN poetry install\nRUN python -m unittest discover\n", "", "runs python -m unittest after this install"},
		{"FROM python\nRUN poetry install\nRUN python manage.py test --noinput\n", "", "runs manage.py test after this install"},
		{"FROM python\nRUN poetry install\nRUN nox -s lint\n", "", "runs nox after this install"},
		{"FROM python\nRUN poetry install\nRUN make check\n", "", "runs make check after this install"},
		{"FROM python\nRUN poetry install\nRUN make install && ./manage.py collectstatic\n", "", ""},
		{"FROM python AS base\nRUN poetry install\nFROM base AS test\nRUN true\nFROM python\nCOPY --from=base /app /app\n", "", ""},
	} {
		t.Run(tc.dockerfile, func(t *testing.T) {
			def := convert(t, tc.dockerfile, dfllb.Options{Target: tc.target})
			g, err := Decode(def)
			require.NoError(t, err)
			g.model = newModel(g, Policy{Target: tc.target})
			var why string
			for _, s := range execSteps(g) {
				if strings.Contains(s.command(), "poetry install") {
					why = g.model.DevReason(s.node)
				}
			}
			if tc.want == "" {
				require.Empty(t, why)
			} else {
				require.Contains(t, why, tc.want)
			}
		})
	}
}

func TestInsertBeforeIsBatched(t *testing.T) {
	def := convert(t, string(benchdf.Chain(2)), dfllb.Options{})
	g, err := Decode(def)
	require.NoError(t, err)
	before := len(g.Nodes)
	at := g.Nodes[len(g.Nodes)-2]
	x, y := &Node{}, &Node{}
	g.InsertBefore(at, x)
	g.InsertBefore(x, y) // before a node that is itself pending
	g.settle()
	require.Len(t, g.Nodes, before+2)
	require.Equal(t, []*Node{y, x, at}, g.Nodes[before-2:before+1], fmt.Sprint(g.Nodes[before-2:]))
}

// naiveUsedLater is usedLater's cache-holding copy part as a scan of the
// whole graph per question (cachepayload.go before the model answered it).
func naiveUsedLater(g *Graph, n *Node, dir string) string {
	below := naiveDescendants(g, n)
	for _, d := range g.Nodes {
		f := d.Op.GetFile()
		if f == nil {
			continue
		}
		for _, a := range f.Actions {
			cp, si := a.GetCopy(), int(a.SecondaryInput)
			if cp != nil && si >= 0 && si < len(d.Inputs) && (d.Inputs[si] == n || below[d.Inputs[si]]) && readsCacheDir(walkRoot(cp.Src), dir) {
				return CommandOf(d) + " copies " + cp.Src
			}
		}
	}
	return ""
}

func TestCopiedOutAgreesWithGraphScan(t *testing.T) {
	checked := 0
	for i, df := range modelDockerfiles {
		g, err := Decode(convert(t, df, dfllb.Options{}))
		require.NoError(t, err)
		for _, n := range g.Nodes {
			for _, dir := range []string{"/root/.cache/pip", "/root/.cache/pypoetry", "/opt/venv"} {
				want := naiveUsedLater(g, n, dir)
				got := g.facts().copiedOut(n, question{"cache-holding", dir, ""}, func(src string) bool { return readsCacheDir(src, dir) })
				require.Equal(t, want, got, "dockerfile %d, %s, %s", i, CommandOf(n), dir)
				if want != "" {
					checked++
				}
			}
		}
	}
	require.NotZero(t, checked)
}

// naiveReceivedCache is receivedCache as a walk of n's filesystem history
// per question (cachepayload.go before the model answered it).
func naiveReceivedCache(n *Node, dir string) string {
	by := ""
	walkRootfs(n, func(d *Node, copies []*pb.FileActionCopy) {
		for _, cp := range copies {
			if by == "" && readsCacheDir(path.Clean("/"+cp.Dest), dir) {
				by = CommandOf(d)
			}
		}
	})
	return by
}

func TestReceivedCacheAgreesWithWalk(t *testing.T) {
	dfs := append(slices.Clone(modelDockerfiles),
		"FROM python AS b\nRUN pip download x\nFROM python AS c\nCOPY --from=b /root/.cache /root/.cache\nCOPY --link --from=b /root/.cache/pip /root/.cache/pip\nRUN pip install x\nFROM c\nRUN pip install y\n")
	checked := 0
	for i, df := range dfs {
		g, err := Decode(convert(t, df, dfllb.Options{}))
		require.NoError(t, err)
		for _, n := range g.Nodes {
			for _, dir := range []string{"/root/.cache/pip", "/root/.cache", "/cache"} {
				want := naiveReceivedCache(n, dir)
				require.Equal(t, want, receivedCache(n, dir), "dockerfile %d, %s, %s", i, CommandOf(n), dir)
				if want != "" {
					checked++
				}
			}
		}
	}
	require.NotZero(t, checked)
}
