package llbrewrite

import (
	"slices"
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
ENV POETRY_VIRTUALENVS_IN_PROJECT=true
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

// checkCleanup runs the case through checkPass with StageCopyCleanup.
func checkCleanup(t *testing.T, tc passCase) (*pb.Definition, []Finding) {
	t.Helper()
	return checkPass(t, StageCopyCleanup, tc)
}

func TestStageCopyCleanupInsertsOneStepPerStage(t *testing.T) {
	out, findings := checkCleanup(t, passCase{dockerfile: storyDockerfile, policy: cleanupPolicy, golden: "story"})
	steps := cleanupSteps(t, out)
	require.Equal(t, [][]string{{
		"/bin/slim-frontend", "cleanup", "--root", "/slim-src",
		"--path", "/app", "--keep", "/app/.cache/prisma",
	}}, steps, "the copied Prisma cache is payload: kept inside /app, and not cleaned itself")
	fs := findings
	require.Len(t, fs, 2, "one finding per stage COPY; the context and image copies are not stage copies")
	require.Equal(t, 12, fs[0].Line)
	require.Equal(t, 13, fs[1].Line)
	require.Equal(t, "COPY --from=builder /app /app", fs[0].Before)
	require.Contains(t, fs[0].Reason, "kept /app/.cache/prisma")
	require.Equal(t, ActionRewrite, fs[0].Action)
	require.Equal(t, ActionSkip, fs[1].Action)
	require.Contains(t, fs[1].Reason, "/app/.cache/prisma is named explicitly by this COPY, so it is copied whole")
}

func TestStageCopyCleanupOnlyTheCopyReadsTheCleanedState(t *testing.T) {
	// The test stage runs on the builder itself and must see the builder
	// exactly as before. (The target's name is not a test/dev name: such a
	// target, also as the default last stage, leaves its copies whole.)
	df := storyDockerfile + "\nFROM test AS bundle\nCOPY --from=builder /app /copy\nRUN pytest /app\n"
	out, _ := checkCleanup(t, passCase{dockerfile: df, target: "bundle", policy: cleanupPolicy})
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
		"python runs, installs nothing": "FROM python AS b\nWORKDIR /app\nCOPY . .\nRUN python manage.py collectstatic --noinput\n" +
			"FROM python\nCOPY --from=b /app/static /static\n",
		"node chain": "FROM node:20 AS deps\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n" +
			"FROM node:20 AS builder\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nRUN npm run build\n" +
			"FROM node:20-slim\nCOPY --from=builder /app/.next/standalone ./\nCOPY --from=builder /app/public ./public\n",
	} {
		out, findings := checkCleanup(t, passCase{dockerfile: df, policy: cleanupPolicy})
		require.Empty(t, findings, "%s: no Python installed, nothing of the rule's, no finding", name)
		require.Empty(t, cleanupSteps(t, out), name)
	}
	// A copy of a cache the Dockerfile wants is not a cleanup job.
	df := "FROM python AS b\nRUN pip install x\nFROM python\nCOPY --from=b /root/.cache/pip /root/.cache/pip\n"
	out, findings := checkCleanup(t, passCase{dockerfile: df, policy: cleanupPolicy})
	require.Empty(t, cleanupSteps(t, out))
	require.Len(t, findings, 1)
	require.Equal(t, ActionSkip, findings[0].Action)
}

// TestStageCopyCleanupJudgesCopiedPaths: a copy gets the cleanup step (and
// a claim) only when its path can hold installed Python packages or a
// package cache of the copied stage; otherwise a skip, and no finding at
// all when the stage installed no Python packages.
func TestStageCopyCleanupJudgesCopiedPaths(t *testing.T) {
	const pip = "RUN pip install flask"
	for _, tc := range []struct {
		name, stage, src, want string // want: rewrite, skip or "" (no finding)
	}{
		{"venv made by python -m venv", "RUN python -m venv /opt/venv && /opt/venv/bin/pip install flask", "/opt/venv", ActionRewrite},
		{"venv by its name", pip, "/venv", ActionRewrite},
		{"in-project venv by its name", "WORKDIR /app\nRUN pip install uv && uv pip install --system flask", "/app/.venv", ActionRewrite},
		{"venv's library dir", pip, "/opt/venv/lib", ActionRewrite},
		{"venv's bin dir", pip, "/opt/venv/bin", ActionSkip},
		{"parent of a venv on PATH", "RUN python -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n" + pip, "/opt", ActionRewrite},
		{"parent of a venv by its name only", pip, "/opt", ActionSkip},
		{"VIRTUAL_ENV", "ENV VIRTUAL_ENV=/srv/env\nRUN python -m venv $VIRTUAL_ENV && $VIRTUAL_ENV/bin/pip install flask", "/srv", ActionRewrite},
		{"virtualenv", "RUN pip install virtualenv && virtualenv --python python3 /pyenv && /pyenv/bin/pip install flask", "/pyenv", ActionRewrite},
		{"uv venv", "RUN pip install uv && uv venv /env && uv pip install --python /env/bin/python flask", "/env", ActionRewrite},
		{"site-packages", pip, "/usr/local/lib/python3.11/site-packages", ActionRewrite},
		{"dist-packages", "RUN pip3 install --break-system-packages flask", "/usr/lib/python3/dist-packages", ActionRewrite},
		{"python lib dir", pip, "/usr/local/lib/python3.11", ActionRewrite},
		{"/usr/local", pip, "/usr/local", ActionRewrite},
		{"/", pip, "/", ActionRewrite},
		{"pip --user", "RUN pip install --user flask", "/root/.local", ActionRewrite},
		{"home of pip --user", "RUN pip install --user flask", "/root", ActionRewrite},
		{"--user of another user", "RUN useradd -m app\nUSER app\nRUN pip install --user flask", "/home/app/.local", ActionRewrite},
		{"PYTHONUSERBASE", "ENV PYTHONUSERBASE=/pyuser\nRUN pip install --user flask", "/pyuser", ActionRewrite},
		{"pip --target", "RUN pip install --target=/deps flask", "/deps", ActionRewrite},
		{"inside pip --target", "RUN pip install -t /deps flask", "/deps/flask", ActionRewrite},
		{"pip --prefix", "RUN pip install --prefix /install flask", "/install", ActionRewrite},
		{"pip --root", "RUN pip install --root /build flask", "/build", ActionRewrite},
		{"poetry in-project by env", "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\nWORKDIR /app\nRUN pip install poetry && poetry install", "/app", ActionRewrite},
		{"poetry in-project by config", "WORKDIR /code\nRUN pip install poetry && poetry config virtualenvs.in-project true && poetry install --no-root", "/code", ActionRewrite},
		{"poetry's own virtualenvs", "WORKDIR /app\nRUN pip install poetry && poetry install", "/root/.cache/pypoetry/virtualenvs", ActionRewrite},
		{"poetry project without in-project venv", "WORKDIR /app\nRUN pip install poetry && poetry install", "/app", ActionSkip},
		{"uv sync", "WORKDIR /app\nRUN pip install uv && uv sync --frozen", "/app", ActionRewrite},
		{"pipenv in project", "ENV PIPENV_VENV_IN_PROJECT=1\nWORKDIR /app\nRUN pip install pipenv && pipenv install --deploy", "/app", ActionRewrite},
		{"conda", "RUN conda install -y numpy", "/opt/conda", ActionRewrite},
		{"home holding pip's cache", "RUN pip install flask && cp -r ~/.cache/pip /wheels", "/root", ActionRewrite},
		{"home without packages or cache", pip, "/root", ActionSkip},
		{"app source tree", "WORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt", "/app", ActionSkip},
		{"console scripts", pip, "/usr/local/bin", ActionSkip},
		{"one file", pip, "/requirements.txt", ActionSkip},
		{"templates", "WORKDIR /app\nCOPY . .\n" + pip, "/app/templates", ActionSkip},
		{"a shared library", pip, "/usr/lib/x86_64-linux-gnu/libpq.so.5", ActionSkip},
		{"node_modules beside Python", "WORKDIR /app\nRUN pip install flask && npm ci", "/app/node_modules", ActionSkip},
		{"a copied cache", pip, "/root/.cache", ActionSkip},
		{"Prisma's engines in a cache", "RUN pip install prisma && prisma generate", "/root/.cache/prisma-python/binaries", ActionSkip},
		{"cache dir by env", "ENV PIP_CACHE_DIR=/wheels\n" + pip, "/wheels", ActionSkip},
		{"no Python installer", "RUN python -m venv /opt/venv", "/opt/venv", ""},
		{"node stage", "WORKDIR /app\nRUN npm ci && npm run build", "/app/dist", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			df := "FROM python:3.11-slim AS b\n" + tc.stage + "\nFROM python:3.11-slim\nCOPY --from=b " + tc.src + " /dst\n"
			out, fs := checkCleanup(t, passCase{dockerfile: df, policy: cleanupPolicy})
			if tc.want == "" {
				require.Empty(t, fs)
				require.Empty(t, cleanupSteps(t, out))
				return
			}
			require.Len(t, fs, 1)
			require.Equal(t, tc.want, fs[0].Action, fs[0].Reason)
			if tc.want == ActionRewrite {
				require.Len(t, cleanupSteps(t, out), 1)
			} else {
				require.Empty(t, cleanupSteps(t, out))
			}
		})
	}
}

func TestStageCopyCleanupKeepsBytecodeCompiledOnPurpose(t *testing.T) {
	for name, run := range map[string]string{
		"compileall": "RUN pip install x && python -m compileall /opt/venv",
		"uv":         "ENV UV_COMPILE_BYTECODE=1\nRUN uv sync",
		"pip":        "RUN pip install --no-cache-dir --compile x",
		"uv pip":     "RUN uv pip install --compile-bytecode x",
	} {
		df := "FROM python AS b\n" + run + "\nFROM python\nCOPY --from=b /opt/venv /opt/venv\n"
		out, findings := checkCleanup(t, passCase{dockerfile: df, policy: cleanupPolicy})
		steps := cleanupSteps(t, out)
		require.Len(t, steps, 1, name)
		require.Contains(t, steps[0], "--keep-pycache", name)
		require.Len(t, findings, 1, name)
		require.Contains(t, findings[0].Reason, "bytecode kept", name)
	}
	df := "FROM python AS b\nRUN pip install x\nFROM python\nCOPY --from=b /usr/local /usr/local\n"
	for value, keep := range map[string]bool{"keep": true, "remove": false, "": false} {
		p := Policy{CleanupImage: cleanupImage}
		if value != "" {
			p.Options = map[string]string{PycacheOption.Key: value}
		}
		out, _ := checkCleanup(t, passCase{dockerfile: df, policy: p})
		steps := cleanupSteps(t, out)
		require.Len(t, steps, 1, value)
		require.Equal(t, keep, slices.Contains(steps[0], "--keep-pycache"), "pycache=%s", value)
	}
}

func TestStageCopyCleanupFallback(t *testing.T) {
	df := "FROM python AS b\nRUN pip install x\nFROM python\nCOPY --from=b /usr/local /usr/local\nCOPY --from=b /app/templates /app/templates\n"
	def := convert(t, df, dfllb.Options{})

	noPip := map[string]bool{"PipNoCache": true}
	out, findings := checkCleanup(t, passCase{dockerfile: df, policy: Policy{Caps: map[string]bool{}, Skip: noPip}})
	require.Equal(t, def.Def, out.Def, "no image and no exclude cap: nothing changes")
	require.Len(t, findings, 2)
	require.Equal(t, ActionSkip, findings[0].Action)
	require.Contains(t, findings[0].Reason, capCopyExcludePatterns)

	out, fs := checkCleanup(t, passCase{dockerfile: df, policy: Policy{Caps: map[string]bool{capCopyExcludePatterns: true}, Skip: noPip}, golden: "fallback"})
	require.Len(t, fs, 2)
	require.Equal(t, ActionRewrite, fs[0].Action)
	require.Equal(t, ActionSkip, fs[1].Action, "templates hold nothing of the rule's: no patterns either")
	require.Empty(t, cleanupSteps(t, out))
	excludes := map[string][]string{}
	for _, dt := range out.Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		if f := op.GetFile(); f != nil && f.Actions[0].GetCopy() != nil {
			excludes[f.Actions[0].GetCopy().Src] = f.Actions[0].GetCopy().ExcludePatterns
		}
	}
	require.Contains(t, excludes["/usr/local"], "**/__pycache__")
	require.Contains(t, excludes["/usr/local"], "**/.cache/pip")
	require.Empty(t, excludes["/app/templates"])
}

func TestStageCopyCleanupIdempotent(t *testing.T) {
	def := convert(t, storyDockerfile, dfllb.Options{})
	once, _ := rewrite(t, def, cleanupPolicy)
	twice, findings := rewrite(t, once, cleanupPolicy)
	require.Equal(t, once.Def, twice.Def)
	require.NotEmpty(t, stageFindings(findings), "the second rewrite still judges the copies")
	for _, f := range stageFindings(findings) {
		require.Equal(t, ActionSkip, f.Action, "a cleaned copy is not cleaned again: %s", f.Before)
	}
}

func TestStageCopyCleanupSkipsDevTargets(t *testing.T) {
	df := "FROM python AS builder\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install x\n" +
		"FROM python AS unit-tests\nCOPY --from=builder /opt/venv /opt/venv\nRUN pytest\n"
	out, fs := checkCleanup(t, passCase{dockerfile: df, target: "unit-tests", policy: cleanupPolicy})
	require.Empty(t, cleanupSteps(t, out))
	require.Len(t, fs, 1)
	require.Equal(t, ActionSkip, fs[0].Action)
	require.Contains(t, fs[0].Reason, "test/dev target")
}

func TestStageCopyCleanupIdempotentWithANestedCopyLeftWhole(t *testing.T) {
	// The /app copy lies inside the / copy, so the first rewrite leaves it
	// whole and cleans only /. The second must still count the / copy,
	// which now reads the cleanup step, and leave /app whole again.
	df := "FROM python AS builder\nWORKDIR app\nENV POETRY_VIRTUALENVS_IN_PROJECT=true\nRUN poetry install\n" +
		"FROM python\nCOPY --from=builder app /app\nCOPY --from=builder * /all/\n"
	once, findings := checkCleanup(t, passCase{dockerfile: df, policy: cleanupPolicy})
	require.Equal(t, [][]string{{
		"/bin/slim-frontend", "cleanup", "--root", "/slim-src", "--path", "/", "--keep", "/app",
	}}, cleanupSteps(t, once))
	twice, again := rewrite(t, once, cleanupPolicy)
	require.Equal(t, once.Def, twice.Def)
	fs, fs2 := stageFindings(findings), stageFindings(again)
	require.Len(t, fs, 2)
	require.Equal(t, ActionSkip, fs[0].Action)
	require.Len(t, fs2, 1, "the cleaned / copy is not reported again")
	require.Equal(t, fs[0].Before, fs2[0].Before)
	require.Equal(t, ActionSkip, fs2[0].Action)
	require.Equal(t, fs[0].Reason, fs2[0].Reason, "the /app copy is judged as in the first rewrite")
	require.Contains(t, fs2[0].Reason, "named explicitly")
}
