package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/org/slim/integration/testenv"
)

// storyDockerfile is a multi-stage Poetry build in the style of the story in
// the README: a builder with a dev group, COPY --from=builder /app /app, an
// explicitly copied cache subdirectory, and a test stage. XDG_CACHE_HOME puts
// pip's and Poetry's caches under /app, as some Dockerfiles do, so the stock
// image really carries them and the comparison means something.
const storyDockerfile = `# syntax=org/slim
FROM python:3.11-slim-poetry AS builder
ENV XDG_CACHE_HOME=/app/.cache POETRY_VIRTUALENVS_IN_PROJECT=true
WORKDIR /app
COPY pyproject.toml ./
RUN pip install tinydep
RUN poetry lock && poetry install --no-root
RUN mkdir -p /app/.cache/prisma && echo engine > /app/.cache/prisma/query-engine
COPY story ./story
COPY tests ./tests

FROM builder AS test
RUN poetry run python -c "import tinydev; print('dev group present')"

FROM python:3.11-slim-poetry AS production
COPY --from=builder /app /app
COPY --from=builder /app/.cache/prisma /root/.cache/prisma
CMD ["/app/.venv/bin/python", "-m", "story"]
`

const storyPyproject = `[tool.poetry]
name = "story"
version = "0.1.0"
description = "slim's story app"
authors = ["slim <slim@example.com>"]
packages = [{include = "story"}]

[tool.poetry.dependencies]
python = "^3.11"
tinypkg = "*"

[tool.poetry.group.dev.dependencies]
tinydev = "*"

[[tool.poetry.source]]
name = "local"
url = "INDEX_URL"
default = true

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
`

// smokeDockerfile runs in an image built FROM the one under test: it imports
// every top-level module of every distribution in the app's virtualenv and
// checks that pkg_resources and setuptools import.
const smokeDockerfile = `ARG IMAGE=scratch
FROM ${IMAGE}
RUN <<PY /app/.venv/bin/python
import importlib, importlib.metadata as md, pathlib, sys
import setuptools, pkg_resources  # first: setuptools must precede distutils
names = set()
for d in md.distributions():
    root = pathlib.Path(str(d.locate_file("")))
    if not str(root).startswith(sys.prefix):
        continue  # the system's own packages, not the app's
    top = d.read_text("top_level.txt")
    mods = top.split() if top else [d.metadata["Name"].replace("-", "_")]
    for m in mods:
        # a top_level.txt may name modules the wheel does not ship
        if m and not m.startswith("_") and ((root / m).is_dir() or (root / (m + ".py")).exists()):
            names.add(m)
for n in sorted(names):
    importlib.import_module(n)
    print("imported", n)
print("smoke ok:", len(names), "modules")
PY
`

func writeStory(t *testing.T, e *testenv.Env) string {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":        storyDockerfile,
		"pyproject.toml":    strings.ReplaceAll(storyPyproject, "INDEX_URL", e.IndexURL),
		"story/__init__.py": "",
		"story/__main__.py": "import tinypkg\nprint('story', tinypkg.__name__)\n",
		"tests/test_app.py": "def test_ok():\n    assert True\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

// buildDir builds dir with extra args and reads the OCI image back.
func buildDir(t *testing.T, e *testenv.Env, dir, name string, args ...string) (*testenv.Image, string) {
	t.Helper()
	dest := filepath.Join(t.TempDir(), name+".tar")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := e.Buildx(ctx, dir, append(append([]string{"build", "--progress=plain", "-o", "type=oci,dest=" + dest}, args...), ".")...)
	saveLog(t, name, out)
	require.NoError(t, err, "%s build:\n%s", name, out)
	img, err := testenv.ReadOCITarball(dest)
	require.NoError(t, err)
	t.Logf("%s: %d layers, %.1f MB compressed, %.1f MB in %d files", name, len(img.Layers), mb(img.CompressedSize()), mb(img.FilesSize()), len(img.Files))
	return img, out
}

// TestPoetryStory is the rules' end-to-end acceptance: the story's
// Dockerfile built with slim has no __pycache__, no package tests dirs, no
// pip/Poetry caches and no dev-group packages, keeps the explicit copy,
// setuptools and the app's tests, and every installed module imports; built
// for its test target it keeps the dev group; warnings carry the line.
func TestPoetryStory(t *testing.T) {
	e := requireEnv(t)
	dir := writeStory(t, e)
	stock, _ := buildDir(t, e, dir, "story-stock", "--target", "production", "--build-arg", "BUILDKIT_SYNTAX=docker/dockerfile:1")
	slim, out := buildDir(t, e, dir, "story-slim", "--target", "production")

	// What the COPY brought, /app, is what slim cleans; the base image's own
	// files are the same in both. The stock image has everything slim
	// removes, so the assertions below mean something.
	for _, suffix := range []string{"/__pycache__", "/.cache/pip", "/.cache/pypoetry/cache", "/tinydev/__init__.py"} {
		require.NotEmpty(t, appPaths(stock, suffix), "stock image lacks app/…%s", suffix)
	}
	require.NotEmpty(t, packageTests(stock), "stock image has no tests dirs in the app's site-packages")

	for _, suffix := range []string{"/__pycache__", "/.cache/pip", "/.cache/pypoetry/cache", "/.cache/pypoetry/artifacts", "/tinydev/__init__.py"} {
		require.Empty(t, appPaths(slim, suffix), "slim image still has app/…%s", suffix)
	}
	require.Empty(t, packageTests(slim), "slim image still has tests dirs in the app's site-packages")
	for _, p := range []string{"app/.cache/prisma/query-engine", "root/.cache/prisma/query-engine", "app/tests/test_app.py"} {
		require.Contains(t, slim.Files, p, "slim image lost %s", p)
	}
	require.NotEmpty(t, appPaths(slim, "/site-packages/pkg_resources/__init__.py"), "setuptools/pkg_resources must stay")
	require.NotEmpty(t, appPaths(slim, "/site-packages/tinypkg/__init__.py"))
	require.Less(t, slim.FilesSize(), stock.FilesSize())
	t.Logf("story: stock %.1f MB, slim %.1f MB (files)", mb(stock.FilesSize()), mb(slim.FilesSize()))

	for _, w := range []string{"PipNoCache", "PoetryNoCache", "PoetryOnlyMain", "StageCopyCleanup"} {
		require.Contains(t, out, w, "no %s warning in the build output", w)
	}
	require.Regexp(t, `PoetryOnlyMain: .*\(line 7\)`, out, "warnings name the Dockerfile line")

	smokeTest(t, e, dir)

	// The same Dockerfile for its test target keeps the dev group: the
	// test step imports it, so the build fails without it.
	_, testOut := buildDir(t, e, dir, "story-test", "--target", "test")
	require.Contains(t, testOut, "dev group present")
	require.NotContains(t, testOut, "added --only main")
}

// appPaths lists the paths under /app ending in suffix.
func appPaths(img *testenv.Image, suffix string) []string {
	var out []string
	for _, p := range findPaths(img, suffix) {
		if strings.HasPrefix(p, "app/") {
			out = append(out, p)
		}
	}
	return out
}

// packageTests lists tests dirs two or more levels inside the app's
// site-packages.
func packageTests(img *testenv.Image) []string {
	var out []string
	for p := range img.Files {
		_, after, ok := strings.Cut(p, "/site-packages/")
		if !strings.HasPrefix(p, "app/") {
			continue
		}
		if !ok {
			continue
		}
		parts := strings.Split(after, "/")
		for i := 1; i < len(parts); i++ {
			if parts[i] == "tests" || parts[i] == "test" {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// smokeTest pushes the slim production image and builds the smoke
// Dockerfile FROM it.
func smokeTest(t *testing.T, e *testenv.Env, dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ref := e.Registry + "/slim-e2e/story:slim"
	out, err := e.Buildx(ctx, dir, "build", "--progress=plain", "--provenance=false", "--target", "production", "--push", "-t", ref, ".")
	require.NoError(t, err, out)
	smoke := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(smoke, "Dockerfile"), []byte(smokeDockerfile), 0o644))
	out, err = e.Buildx(ctx, smoke, "build", "--progress=plain", "--no-cache", "--build-arg", "IMAGE="+ref, "-o", "type=cacheonly", ".")
	saveLog(t, "story-smoke", out)
	require.NoError(t, err, out)
	require.Contains(t, out, "smoke ok:")
	require.Contains(t, out, "imported tinypkg")
}
