package llbrewrite

import (
	"strings"
	"testing"

	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

func TestReadsCacheDir(t *testing.T) {
	for _, tc := range []struct {
		copied, dir string
		want        bool
	}{
		{"/root/.cache/pip", "/root/.cache/pip", true},
		{"/root/.cache/pip/wheels", "/root/.cache/pip", true},
		{"/root/.cache", "/root/.cache/pip", true},
		{"/app/.cache", "/app/.cache/pip", true},
		{"/var/cache/pip", "/var/cache/pip/http", true},
		{"/root/.npm", "/root/.npm/_cacache", true},
		{"/root", "/root/.cache/pip", false},
		{"/", "/root/.cache/pip", false},
		{"/app", "/app/.cache/pip", false},
		{"/root/.cache/prisma-python/binaries", "/root/.cache/pip", false},
		{"/root/.cache/pypoetry/virtualenvs", "/root/.cache/pypoetry/cache", false},
	} {
		require.Equal(t, tc.want, readsCacheDir(tc.copied, tc.dir), "%s reads %s", tc.copied, tc.dir)
	}
}

// scriptOf returns the shell script of the last RUN whose script contains
// sub.
func scriptOf(t *testing.T, args [][]string, sub string) string {
	t.Helper()
	found := ""
	for _, a := range args {
		if s := a[len(a)-1]; strings.Contains(s, sub) {
			found = s
		}
	}
	require.NotEmpty(t, found, "no RUN contains %q", sub)
	return found
}

// TestCopiedCacheIsPayload: a builder fills pip's cache and the final stage
// copies it in for its own install. Neither install loses its cache, and
// the copy is not cleaned.
func TestCopiedCacheIsPayload(t *testing.T) {
	for _, copied := range []string{"/root/.cache", "/root/.cache/pip"} {
		df := "FROM python:3.11 AS builder\nRUN pip install --upgrade pip && pip download -d /wheels -r requirements.txt && pip install -r requirements.txt\n" +
			"FROM python:3.11-slim\nCOPY --from=builder " + copied + " " + copied + "\nRUN pip install -r requirements.txt\n"
		out, findings := rewrite(t, convert(t, df, dfllb.Options{}), cleanupPolicy)
		args := execArgs(t, out)
		require.NotContains(t, scriptOf(t, args, "--upgrade pip"), "--no-cache-dir", copied)
		require.Equal(t, "pip install --no-compile -r requirements.txt", scriptOf(t, args, "requirements.txt"), copied)
		require.Empty(t, cleanupSteps(t, out), copied)
		pip := ruleFindings(findings, "PipNoCache")
		require.Len(t, pip, 2, copied)
		require.Equal(t, ActionSkip, pip[0].Action)
		require.Contains(t, pip[0].Reason, "is used later: COPY --from=builder "+copied)
		require.Equal(t, ActionSkip, pip[1].Action)
		require.Contains(t, pip[1].Reason, "came into this stage by `COPY --from=builder "+copied)
		ic := ruleFindings(findings, "InstallCleanup")
		require.Len(t, ic, 1, copied)
		require.Contains(t, ic[0].Reason, "kept the cache /root/.cache/pip (it came into this stage by `COPY --from=builder "+copied)
		sc := stageFindings(findings)
		require.Len(t, sc, 1, copied)
		require.Equal(t, ActionSkip, sc[0].Action)
		require.Contains(t, sc[0].Reason, copied+" is", "the finding names the cache")
		require.Contains(t, sc[0].Reason, "so it is copied whole")
	}
}

func TestCopiedPoetryCacheIsPayload(t *testing.T) {
	df := "FROM python:3.11 AS builder\nRUN pip install poetry && poetry install --no-root\n" +
		"FROM python:3.11-slim\nCOPY --from=builder /root/.cache/pypoetry /root/.cache/pypoetry\nRUN pip install poetry && poetry install --no-root\n"
	out, findings := rewrite(t, convert(t, df, dfllb.Options{}), Policy{})
	require.Empty(t, tmpfsMounts(t, out))
	fs := ruleFindings(findings, "PoetryNoCache")
	require.Len(t, fs, 2)
	require.Contains(t, fs[0].Reason, "is used later")
	require.Contains(t, fs[1].Reason, "came into this stage")
}

// TestCopiedCacheOfAnotherTool: Prisma's engines sit in ~/.cache, but pip's
// cache is not what the copy reads: pip installs still go cache-less.
func TestCopiedCacheOfAnotherTool(t *testing.T) {
	df := "FROM python:3.11 AS builder\nRUN pip install prisma && prisma generate\n" +
		"FROM python:3.11-slim\nCOPY --from=builder /root/.cache/prisma-python/binaries /root/.cache/prisma-python/binaries\nRUN pip install prisma\n" +
		"FROM python:3.11-slim AS flat\nCOPY --from=builder / /\n"
	for _, target := range []string{"", "flat"} {
		out, findings := rewrite(t, convert(t, df, dfllb.Options{Target: target}), Policy{})
		for _, a := range execArgs(t, out) {
			require.Contains(t, a[len(a)-1], "--no-cache-dir", target)
		}
		for _, f := range ruleFindings(findings, "PipNoCache") {
			require.Equal(t, ActionRewrite, f.Action, f.Reason)
		}
	}
}
