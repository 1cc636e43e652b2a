package llbrewrite

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

const cleanupImage = "docker.io/org/slim:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000"

var cleanupPolicy = Policy{CleanupImage: cleanupImage}

const storyDockerfile = `FROM python:3.11-slim AS builder
WORKDIR /app
RUN pip install poetry
COPY . .
RUN poetry install

FROM builder AS test
RUN pytest

FROM python:3.11-slim
COPY --from=builder /app /app
COPY --from=builder /app/.cache/prisma /root/.cache/prisma
COPY requirements.txt /tmp/
COPY --from=python:3.11 /usr/local/bin/python3 /usr/bin/python3
`

// cleanupSteps returns the argv of every cleanup exec in def.
func cleanupSteps(t *testing.T, def *pb.Definition) [][]string {
	var out [][]string
	for _, a := range execArgs(t, def) {
		if len(a) > 1 && a[0] == "/bin/slim-frontend" && a[1] == "cleanup" {
			out = append(out, a)
		}
	}
	return out
}

func stageFindings(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == "StageCopyCleanup" {
			out = append(out, f)
		}
	}
	return out
}

func TestStageCopyCleanupInsertsOneStepPerStage(t *testing.T) {
	def := convert(t, storyDockerfile, dfllb.Options{})
	out, findings := rewrite(t, def, cleanupPolicy)
	steps := cleanupSteps(t, out)
	require.Equal(t, [][]string{{
		"/bin/slim-frontend", "cleanup", "--root", "/slim-src",
		"--path", "/app", "--path", "/app/.cache/prisma",
		"--keep", "/app/.cache/prisma",
	}}, steps)
	fs := stageFindings(findings)
	require.Len(t, fs, 2, "one finding per stage COPY; the context and image copies are not stage copies")
	require.Equal(t, 11, fs[0].Line)
	require.Equal(t, 12, fs[1].Line)
	require.Equal(t, "COPY --from=builder /app /app", fs[0].Before)
	require.Contains(t, fs[0].Reason, "kept /app/.cache/prisma")
	require.Equal(t, ActionRewrite, fs[0].Action)
}

func TestStageCopyCleanupOnlyTheCopyReadsTheCleanedState(t *testing.T) {
	// The test stage runs on the builder itself and must see the builder
	// exactly as before. (The target's name is not a test/dev name: such a
	// target, also as the default last stage, leaves its copies whole.)
	df := storyDockerfile + "\nFROM test AS bundle\nCOPY --from=builder /app /copy\nRUN pytest /app\n"
	def := convert(t, df, dfllb.Options{Target: "bundle"})
	out, _ := rewrite(t, def, cleanupPolicy)
	g, err := Decode(out)
	require.NoError(t, err)
	var cleanup, runPytest *Node
	for _, n := range g.Nodes {
		if isCleanupStep(n) {
			cleanup = n
		}
		if e := n.Op.GetExec(); e != nil && strings.Contains(strings.Join(e.Meta.Args, " "), "pytest /app") {
			runPytest = n
		}
	}
	require.NotNil(t, cleanup)
	require.NotNil(t, runPytest)
	builderState := cleanup.Inputs[1]
	var readers int
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in == cleanup {
				readers++
				require.NotNil(t, n.Op.GetFile(), "only a copy reads the cleaned state")
			}
		}
	}
	require.Equal(t, 1, readers)
	require.NotNil(t, builderState.Op.GetExec(), "the step reads the builder's last RUN")
}

func TestStageCopyCleanupLeavesAlone(t *testing.T) {
	for name, df := range map[string]string{
		"context copy":        "FROM python\nCOPY . /app\n",
		"image copy":          "FROM python\nCOPY --from=python:3.11 /usr/local /usr/local\n",
		"stage without a run": "FROM python AS a\nCOPY . /x\nFROM python\nCOPY --from=a /x /x\n",
		"single stage":        "FROM python\nRUN pip install --no-cache-dir x\n",
		"go build stage":      "FROM golang AS b\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=b /out/app /app\n",
	} {
		def := convert(t, df, dfllb.Options{})
		out, findings := rewrite(t, def, cleanupPolicy)
		for _, f := range stageFindings(findings) {
			require.Equal(t, ActionSkip, f.Action, name)
		}
		require.Empty(t, cleanupSteps(t, out), name)
	}
	// A copy of a cache the Dockerfile wants is not a cleanup job.
	df := "FROM python AS b\nRUN pip install x\nFROM python\nCOPY --from=b /root/.cache/pip /root/.cache/pip\n"
	out, findings := rewrite(t, convert(t, df, dfllb.Options{}), cleanupPolicy)
	require.Empty(t, cleanupSteps(t, out))
	require.Equal(t, ActionSkip, stageFindings(findings)[0].Action)
}

func TestStageCopyCleanupKeepsBytecodeCompiledOnPurpose(t *testing.T) {
	for name, run := range map[string]string{
		"compileall": "RUN python -m compileall /app",
		"uv":         "ENV UV_COMPILE_BYTECODE=1\nRUN uv sync",
		"pip":        "RUN pip install --no-cache-dir --compile x",
	} {
		df := "FROM python AS b\n" + run + "\nFROM python\nCOPY --from=b /app /app\n"
		out, findings := rewrite(t, convert(t, df, dfllb.Options{}), cleanupPolicy)
		steps := cleanupSteps(t, out)
		require.Len(t, steps, 1, name)
		require.Contains(t, steps[0], "--keep-pycache", name)
		require.Contains(t, stageFindings(findings)[0].Reason, "bytecode kept", name)
	}
	out, _ := rewrite(t, convert(t, "FROM python AS b\nRUN pip install x\nFROM python\nCOPY --from=b /app /app\n", dfllb.Options{}), Policy{CleanupImage: cleanupImage, KeepPycache: true})
	require.Contains(t, cleanupSteps(t, out)[0], "--keep-pycache")
}

func TestStageCopyCleanupFallback(t *testing.T) {
	df := "FROM python AS b\nRUN pip install x\nFROM python\nCOPY --from=b /app /app\n"
	def := convert(t, df, dfllb.Options{})

	noPip := map[string]bool{"PipNoCache": true}
	out, findings := rewrite(t, def, Policy{Caps: map[string]bool{}, Skip: noPip})
	require.Equal(t, def.Def, out.Def, "no image and no exclude cap: nothing changes")
	require.Equal(t, ActionSkip, stageFindings(findings)[0].Action)
	require.Contains(t, stageFindings(findings)[0].Reason, capCopyExcludePatterns)

	out, findings = rewrite(t, def, Policy{Caps: map[string]bool{capCopyExcludePatterns: true}, Skip: noPip})
	require.Equal(t, ActionRewrite, stageFindings(findings)[0].Action)
	require.Empty(t, cleanupSteps(t, out))
	var excludes []string
	for _, dt := range out.Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		if f := op.GetFile(); f != nil && f.Actions[0].GetCopy() != nil {
			excludes = f.Actions[0].GetCopy().ExcludePatterns
		}
	}
	require.Contains(t, excludes, "**/__pycache__")
	require.Contains(t, excludes, "**/.cache/pip")
}

func TestStageCopyCleanupIdempotent(t *testing.T) {
	def := convert(t, storyDockerfile, dfllb.Options{})
	once, _ := rewrite(t, def, cleanupPolicy)
	twice, findings := rewrite(t, once, cleanupPolicy)
	require.Equal(t, once.Def, twice.Def)
	require.Empty(t, stageFindings(findings))
}

func TestStageCopyCleanupSkipsDevTargets(t *testing.T) {
	def := convert(t, testStageDockerfile+"\nFROM python AS unit-tests\nCOPY --from=builder /app /app\n", dfllb.Options{Target: "unit-tests"})
	out, findings := rewrite(t, def, Policy{CleanupImage: cleanupImage, Target: "unit-tests"})
	require.Empty(t, cleanupSteps(t, out))
	fs := stageFindings(findings)
	require.Len(t, fs, 1)
	require.Equal(t, ActionSkip, fs[0].Action)
	require.Contains(t, fs[0].Reason, "test/dev target")
}
