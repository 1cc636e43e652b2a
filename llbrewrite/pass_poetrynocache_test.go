package llbrewrite

import (
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

// tmpfsMounts returns the tmpfs destinations of every exec op.
func tmpfsMounts(t *testing.T, def *pb.Definition) []string {
	var out []string
	for _, dt := range def.Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		if e := op.GetExec(); e != nil {
			for _, m := range e.Mounts {
				if m.MountType == pb.MountType_TMPFS {
					out = append(out, m.Dest)
				}
			}
		}
	}
	return out
}

func ruleFindings(fs []Finding, rule string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestPoetryNoCache(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile string
		mounts           []string
		action           string
	}{
		{"install", "FROM python\nRUN poetry install\n", []string{"/root/.cache/pypoetry/artifacts", "/root/.cache/pypoetry/cache"}, ActionRewrite},
		{"global option", "FROM python\nRUN poetry -C /app install --no-root\n", []string{"/root/.cache/pypoetry/artifacts", "/root/.cache/pypoetry/cache"}, ActionRewrite},
		{"chain and env", "FROM python\nENV POETRY_CACHE_DIR=/opt/pc\nRUN pip install poetry && poetry lock\n", []string{"/opt/pc/artifacts", "/opt/pc/cache"}, ActionRewrite},
		{"prefix env", "FROM python\nRUN POETRY_CACHE_DIR=/tmp/pc poetry install\n", []string{"/tmp/pc/artifacts", "/tmp/pc/cache"}, ActionRewrite},
		{"non-root user", "FROM python\nUSER app\nRUN poetry install\n", []string{"/home/app/.cache/pypoetry/artifacts", "/home/app/.cache/pypoetry/cache"}, ActionRewrite},
		{"exec form", "FROM python\nRUN [\"poetry\", \"install\"]\n", []string{"/root/.cache/pypoetry/artifacts", "/root/.cache/pypoetry/cache"}, ActionRewrite},
		{"cache mount", "FROM python\nRUN --mount=type=cache,target=/root/.cache/pypoetry poetry install\n", nil, ActionSkip},
		{"copied later", "FROM python AS b\nRUN poetry install\nFROM python\nCOPY --from=b /root/.cache/pypoetry/cache /c\n", nil, ActionSkip},
		{"read later", "FROM python\nRUN poetry install\nRUN ls ~/.cache/pypoetry\n", nil, ActionSkip},
		{"removed in the step", "FROM python\nENV POETRY_CACHE_DIR=/tmp/pc\nRUN poetry install --no-root && rm -rf $POETRY_CACHE_DIR\n", nil, ActionSkip},
		{"parent removed", "FROM python\nRUN poetry install && rm -rf ~/.cache/pypoetry\n", nil, ActionSkip},
		{"cache clear", "FROM python\nRUN poetry install && poetry cache clear --all pypi\n", nil, ActionSkip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden := ""
			if tc.name == "install" {
				golden = "install"
			}
			out, findings := checkPass(t, PoetryNoCache, passCase{dockerfile: tc.dockerfile, golden: golden})
			require.Equal(t, tc.mounts, tmpfsMounts(t, out))
			require.Len(t, findings, 1)
			require.Equal(t, tc.action, findings[0].Action, findings[0].Reason)
		})
	}
}

func TestPoetryNoCacheLeavesOthersAlone(t *testing.T) {
	for _, df := range []string{
		"FROM python\nRUN poetry --version\n",
		"FROM python\nRUN poetry export -f requirements.txt -o r.txt\n",
		"FROM python\nRUN echo poetry install\n",
	} {
		def := convert(t, df, dfllb.Options{})
		out, findings := checkPass(t, PoetryNoCache, passCase{dockerfile: df})
		require.Equal(t, def.Def, out.Def, df)
		require.Empty(t, findings, df)
	}
}

func TestPoetryNoCacheWithoutTmpfsCap(t *testing.T) {
	df := "FROM python\nRUN poetry install\n"
	out, findings := checkPass(t, PoetryNoCache, passCase{dockerfile: df, policy: Policy{Caps: map[string]bool{}, Skip: map[string]bool{"PoetryOnlyMain": true}}})
	require.Equal(t, convert(t, df, dfllb.Options{}).Def, out.Def)
	require.Len(t, findings, 1)
	require.Equal(t, ActionSkip, findings[0].Action)
	require.Contains(t, findings[0].Reason, capExecMountTmpfs)
}
