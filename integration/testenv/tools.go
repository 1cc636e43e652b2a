package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Tools are the binaries built from the tool directives of the repo's go.mod.
type Tools struct {
	Dir                string
	Buildkitd          string
	Buildctl           string
	Buildx             string
	Crane              string
	DockerfileFrontend string // statically linked, for the frontend image
}

var dynamicTools = []string{
	"github.com/moby/buildkit/cmd/buildkitd",
	"github.com/moby/buildkit/cmd/buildctl",
	"github.com/docker/buildx/cmd/buildx",
	"github.com/google/go-containerregistry/cmd/crane",
}

const staticFrontendTool = "github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend"

func toolsIn(dir string) *Tools {
	return &Tools{
		Dir:                dir,
		Buildkitd:          filepath.Join(dir, "buildkitd"),
		Buildctl:           filepath.Join(dir, "buildctl"),
		Buildx:             filepath.Join(dir, "buildx"),
		Crane:              filepath.Join(dir, "crane"),
		DockerfileFrontend: filepath.Join(dir, "dockerfile-frontend"),
	}
}

// goCommand is the go binary: the one on PATH (go test puts its own first),
// else the standard install location.
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

// goEnv returns `go env NAME…` values, in order.
func goEnv(ctx context.Context, dir string, names ...string) ([]string, error) {
	cmd := exec.CommandContext(ctx, goCommand(), append([]string{"env"}, names...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go env %s: %w: %s", strings.Join(names, " "), err, stderr.String())
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(vals) != len(names) {
		return nil, fmt.Errorf("go env %s: got %d values", strings.Join(names, " "), len(vals))
	}
	return vals, nil
}

// RepoRoot is the directory of the main module's go.mod, as `go env GOMOD`
// sees it from the working directory.
func RepoRoot(ctx context.Context) (string, error) {
	vals, err := goEnv(ctx, "", "GOMOD")
	if err != nil {
		return "", err
	}
	if vals[0] == "" || vals[0] == os.DevNull {
		return "", fmt.Errorf("repo root: not inside a Go module (go env GOMOD is %q)", vals[0])
	}
	return filepath.Dir(vals[0]), nil
}

// buildTools builds the tool binaries into <cache>/bin/<key>, keyed by go.sum
// and the Go version, unless they are there already.
func buildTools(ctx context.Context, repoRoot, cacheDir string) (*Tools, bool, error) {
	sum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		return nil, false, fmt.Errorf("tools: %w", err)
	}
	ver, err := goEnv(ctx, repoRoot, "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		return nil, false, fmt.Errorf("tools: %w", err)
	}
	key := contentKey(append([]string{string(sum), staticFrontendTool}, append(ver, dynamicTools...)...)...)
	final := filepath.Join(cacheDir, "bin", key)
	if exists(final) {
		return toolsIn(final), true, nil
	}
	unlock, err := lockPath(final)
	if err != nil {
		return nil, false, fmt.Errorf("tools: %w", err)
	}
	defer unlock()
	if exists(final) {
		return toolsIn(final), true, nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-"+key+"-")
	if err != nil {
		return nil, false, fmt.Errorf("tools: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := goBuild(ctx, repoRoot, nil, append([]string{"-o", tmp + "/"}, dynamicTools...)); err != nil {
		return nil, false, err
	}
	static := []string{"CGO_ENABLED=0"}
	if err := goBuild(ctx, repoRoot, static, []string{"-o", filepath.Join(tmp, "dockerfile-frontend"), staticFrontendTool}); err != nil {
		return nil, false, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, false, fmt.Errorf("tools: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, false, fmt.Errorf("tools: install %s: %w", final, err)
	}
	return toolsIn(final), false, nil
}

func goBuild(ctx context.Context, dir string, env, args []string) error {
	cmd := exec.CommandContext(ctx, goCommand(), append([]string{"build"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, tail(out, 4000))
	}
	return nil
}

// tail returns the last n bytes of b, for error messages.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
