package llbrewrite

import (
	"context"
	"testing"

	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

// FuzzRewrite feeds Dockerfiles through the real converter and checks the
// invariants of every rewrite: it never fails on a definition BuildKit made,
// the output loads with consistent digests, it is deterministic, and a
// second rewrite changes nothing.
func FuzzRewrite(f *testing.F) {
	for _, seed := range []string{
		pipDockerfile, storyDockerfile, testStageDockerfile,
		"FROM python\nRUN pip install a && (cd x; pip3 install -r r.txt) || sh -c 'pip install b'\n",
		"FROM python AS b\nRUN poetry install\nFROM b AS t\nRUN pytest\nFROM python\nCOPY --from=b /app /app\nCOPY --from=b /root/.cache/pip /root/.cache/pip\n",
		"FROM python\nRUN <<EOF\npip install x\npoetry install\nEOF\n",
		"FROM python\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN pip install x | tee log\n",
		"FROM python\nRUN [\"/opt/venv/bin/pip\", \"install\", \"x\"]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, dockerfile string) {
		def, err := dfllb.Convert(context.Background(), []byte(dockerfile), dfllb.Options{})
		if err != nil || def == nil || len(def.Def) == 0 {
			t.Skip("not a Dockerfile BuildKit converts")
		}
		for _, p := range []Policy{{}, cleanupPolicy, {Caps: map[string]bool{}}} {
			once, _, err := Rewrite(def, p)
			require.NoError(t, err)
			requireValid(t, once)
			again, _, err := Rewrite(def, p)
			require.NoError(t, err)
			require.Equal(t, once.Def, again.Def, "deterministic")
			twice, _, err := Rewrite(once, p)
			require.NoError(t, err)
			require.Equal(t, once.Def, twice.Def, "idempotent")
		}
	})
}
