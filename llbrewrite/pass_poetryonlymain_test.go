package llbrewrite

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// poetryArgvs returns the whole argv of every exec op that runs poetry
// install, in definition order.
func poetryArgvs(out [][]string) [][]string {
	var s [][]string
	for _, a := range out {
		if strings.Contains(strings.Join(a, " "), "poetry install") {
			s = append(s, a)
		}
	}
	return s
}

// sh is the argv of a shell-form RUN.
func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

const testStageDockerfile = `FROM python:3.11-slim AS builder
WORKDIR /app
COPY . .
RUN poetry install --no-root

FROM builder AS test
RUN poetry run pytest

FROM python:3.11-slim AS production
COPY --from=builder /app /app
`

func TestPoetryOnlyMain(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile, target string
		want                     []string // the whole argv of the one poetry install
		action, reason           string
	}{
		{"production target", testStageDockerfile, "production", sh("poetry install --only main --no-root"), ActionRewrite, "added --only main"},
		{"test target", testStageDockerfile, "test", sh("poetry install --no-root"), ActionSkip, `the build target "test" is a test/dev stage`},
		{"same stage runs pytest", "FROM python\nRUN poetry install\nRUN python -m pytest\n", "", sh("poetry install"), ActionSkip, "line 3 runs python -m pytest"},
		{"downstream stage runs ruff", "FROM python AS b\nRUN poetry install\nFROM b AS image\nRUN ruff check .\n", "", sh("poetry install"), ActionSkip, "runs ruff"},
		{"dev stage", "FROM python AS dev\nRUN poetry install\n", "", sh("poetry install"), ActionSkip, `the build target "dev" (the last stage, built when no --target is given) is a test/dev stage`},
		{"dev stage, other target", "FROM python AS dev\nRUN poetry install\nFROM dev AS image\nRUN echo\n", "", sh("poetry install"), ActionSkip, `stage "dev" is a test/dev stage`},
		{"groups chosen", "FROM python\nRUN poetry install --with docs\n", "", sh("poetry install --with docs"), ActionSkip, "already chooses"},
		{"exec form", "FROM python\nRUN [\"poetry\", \"install\"]\n", "", []string{"poetry", "install", "--only", "main"}, ActionRewrite, "added --only main"},
		{"poetry 1.1 pinned", "FROM python\nRUN pip install poetry==1.1.12\nRUN poetry install\n", "", sh("poetry install"), ActionSkip, "older than 1.2"},
		{"poetry 1.1 by ARG", "FROM python\nARG POETRY_VERSION=1.1.15\nRUN pip install \"poetry==$POETRY_VERSION\"\nRUN poetry install\n", "", sh("poetry install"), ActionSkip, "POETRY_VERSION=1.1.15"},
		{"get-poetry", "FROM python\nRUN curl -sSL https://raw.githubusercontent.com/python-poetry/poetry/master/get-poetry.py | python\nRUN poetry install\n", "", sh("poetry install"), ActionSkip, "get-poetry.py"},
		{"bullseye apt", "FROM python:3.9-slim-bullseye\nRUN apt-get update && apt-get install -y python3-poetry\nRUN poetry install\n", "", sh("poetry install"), ActionSkip, "bullseye"},
		{"poetry 1.8 pinned", "FROM python\nRUN pip install poetry==1.8.3\nRUN poetry install\n", "", sh("poetry install --only main"), ActionRewrite, "added --only main"},
		{"image runs pytest", "FROM python\nRUN poetry install\nCMD [\"pytest\", \"-vv\"]\n", "", sh("poetry install"), ActionSkip, "runs pytest in the image"},
		{"script chooses", "FROM python\nARG DEV\nRUN if [ \"$DEV\" = 1 ]; then poetry install; else poetry install --only main; fi\n", "", sh("if [ \"$DEV\" = 1 ]; then poetry install; else poetry install --only main; fi"), ActionSkip, "chooses for itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden := ""
			if tc.name == "production target" {
				golden = "production-target"
			}
			out, findings := checkPass(t, PoetryOnlyMain, passCase{dockerfile: tc.dockerfile, target: tc.target, golden: golden})
			require.Equal(t, [][]string{tc.want}, poetryArgvs(execArgs(t, out)))
			require.Len(t, findings, 1)
			require.Equal(t, tc.action, findings[0].Action)
			require.Contains(t, findings[0].Reason, tc.reason)
		})
	}
}

func TestDevStageName(t *testing.T) {
	for name, want := range map[string]bool{
		"test": true, "unit-tests": true, "ci": true, "builder_dev": true, "lint": true,
		"builder": false, "production": false, "devtools": false, "latest": false, "": false,
	} {
		require.Equal(t, want, devStageName(name), name)
	}
}
