package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/org/slim/integration/testenv"
)

const pipDockerfile = "FROM python:3.11-slim\nRUN pip install tinypkg\n"

// TestPipNoCacheThreeWays builds one pip Dockerfile with the stock frontend
// and twice with slim (the `# syntax=` line, and BUILDKIT_SYNTAX on an
// unchanged Dockerfile): slim's images hold no pip cache and otherwise the
// same files as the stock one.
func TestPipNoCacheThreeWays(t *testing.T) {
	e := requireEnv(t)
	viaSyntax := buildImage(t, e, "syntax-line", "# syntax=org/slim\n"+pipDockerfile)
	viaArg := buildImage(t, e, "build-arg", pipDockerfile, "--build-arg", "BUILDKIT_SYNTAX=org/slim")
	stock := buildImage(t, e, "stock", pipDockerfile)

	for name, img := range map[string]*testenv.Image{"syntax-line": viaSyntax, "build-arg": viaArg, "stock": stock} {
		for _, pkg := range []string{"tinypkg", "tinydep"} {
			require.NotEmpty(t, findPaths(img, "/dist-packages/"+pkg+"/__init__.py"), "%s: %s not installed", name, pkg)
		}
	}
	require.NotEmpty(t, pipCache(stock), "stock build has no pip cache: the comparison would prove nothing (see TESTENV pitfall 11)")
	require.Empty(t, pipCache(viaSyntax), "# syntax=org/slim build left pip's cache in the image")
	require.Empty(t, pipCache(viaArg), "BUILDKIT_SYNTAX=org/slim build left pip's cache in the image")
	requireSameFiles(t, "stock", stock, "syntax-line", viaSyntax)
	requireSameFiles(t, "syntax-line", viaSyntax, "build-arg", viaArg)
}

// buildImage builds dockerfile with `docker buildx build -o type=oci` and
// reads the image back. The syntax-line build's output is always logged.
func buildImage(t *testing.T, e *testenv.Env, name, dockerfile string, args ...string) *testenv.Image {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644))
	dest := filepath.Join(t.TempDir(), name+".tar")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	buildArgs := append([]string{"build", "-o", "type=oci,dest=" + dest}, args...)
	start := time.Now()
	out, err := e.Buildx(ctx, dir, append(buildArgs, ".")...)
	elapsed := time.Since(start)
	saveLog(t, name, out)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	if strings.Contains(dockerfile, "# syntax=org/slim") {
		t.Logf("%s: docker buildx %s\n%s", name, strings.Join(buildArgs, " "), out)
	}
	if name != "stock" {
		require.Contains(t, out, "docker.io/org/slim", "%s: the build did not go through the org/slim frontend", name)
	}
	img, err := testenv.ReadOCITarball(dest)
	require.NoError(t, err)
	t.Logf("%s: built in %.1fs; %d layers, %.1f MB compressed, %.1f MB in %d files",
		name, elapsed.Seconds(), len(img.Layers), mb(img.CompressedSize()), mb(img.FilesSize()), len(img.Files))
	return img
}

// saveLog writes a build's output to $SLIM_E2E_LOG_DIR, which .ci/run prints
// (go test hides a passing package's output).
func saveLog(t *testing.T, name, out string) {
	dir := os.Getenv("SLIM_E2E_LOG_DIR")
	if dir == "" {
		return
	}
	path := filepath.Join(dir, t.Name()+"-"+name+".log")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Logf("save build log: %v", err)
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// pipCache lists the image's files under pip's cache directory.
func pipCache(img *testenv.Image) []string {
	var out []string
	for p := range img.Files {
		if strings.HasPrefix(p, "root/.cache/pip/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// findPaths lists the image's paths ending in suffix.
func findPaths(img *testenv.Image, suffix string) []string {
	var out []string
	for p := range img.Files {
		if strings.HasSuffix("/"+p, suffix) {
			out = append(out, p)
		}
	}
	return out
}

// comparable drops what slim is meant to change: pip's cache (and the
// ~/.cache directory that held it), and what InstallCleanup removes from
// the packages this single-stage install creates: their __pycache__ and
// tests dirs (two or more levels below dist-packages).
func comparable(p string) bool {
	if p == "root/.cache" || p == "root/.cache/pip" || strings.HasPrefix(p, "root/.cache/pip/") {
		return false
	}
	if _, inside, ok := strings.Cut(p, "/dist-packages/"); ok {
		parts := strings.Split(inside, "/")
		return !slices.ContainsFunc(parts[1:], func(q string) bool { return q == "__pycache__" || q == "tests" || q == "test" })
	}
	return true
}

// requireSameFiles asserts that two images have the same set of comparable
// paths, showing the differences when not.
func requireSameFiles(t *testing.T, aName string, a *testenv.Image, bName string, b *testenv.Image) {
	t.Helper()
	onlyA, onlyB := diffPaths(a, b), diffPaths(b, a)
	require.Empty(t, onlyA, "paths only in the %s image (vs %s)", aName, bName)
	require.Empty(t, onlyB, "paths only in the %s image (vs %s)", bName, aName)
}

func diffPaths(a, b *testenv.Image) []string {
	var out []string
	for p := range a.Files {
		if _, ok := b.Files[p]; !ok && comparable(p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	if len(out) > 50 {
		out = append(out[:50], fmt.Sprintf("… and %d more", len(out)-50))
	}
	return out
}

// TestRemoteBuilder drives the environment's daemon through a Builder made
// from its address alone, as `slim-frontend compare` does with BUILDKIT_HOST.
func TestRemoteBuilder(t *testing.T) {
	e := requireEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var host string
	for _, kv := range e.Exports() {
		if v, ok := strings.CutPrefix(kv, "BUILDKIT_HOST="); ok {
			host = v
		}
	}
	b, err := testenv.RemoteBuilder(ctx, host)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3.11-slim AS py\nRUN python3 --version > /version\nFROM scratch\nCOPY --from=py /version /\n"), 0o644))
	out, err := b.Buildx(ctx, dir, "build", "-o", "type=local,dest="+filepath.Join(dir, "out"), ".")
	require.NoError(t, err, out)
	version, err := os.ReadFile(filepath.Join(dir, "out", "version"))
	require.NoError(t, err)
	require.Contains(t, string(version), "Python 3.11")
	require.NoError(t, b.Remove(ctx))
	require.NoDirExists(t, b.DockerConfig)
}
