package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// buildkitModule is the module buildkitd is built from.
const (
	buildkitModule  = "github.com/moby/buildkit"
	buildkitdTarget = buildkitModule + "/cmd/buildkitd"
)

var releaseRe = regexp.MustCompile(`^v([0-9]+)\.([0-9]+)\.([0-9]+)$`)

// ParseBuildkitVersion checks that v is a BuildKit release tag (v0.12.5)
// and returns its major and minor numbers.
func ParseBuildkitVersion(v string) (major, minor int, err error) {
	m := releaseRe.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, fmt.Errorf("buildkitd version %q: want a release tag such as v0.12.5", v)
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	return major, minor, nil
}

// PinnedBuildkitVersion is the BuildKit version the repo's go.mod requires:
// the buildkitd the tools hold.
func PinnedBuildkitVersion(ctx context.Context, repoRoot string) (string, error) {
	out, err := goOutput(ctx, repoRoot, nil, "list", "-m", "-f", "{{.Version}}", buildkitModule)
	if err != nil {
		return "", fmt.Errorf("buildkit version in go.mod: %w", err)
	}
	return out, nil
}

// buildkitdAt returns a buildkitd binary of version: "" when go.mod pins
// that version (the tools' own is it), else one built from the Go module
// proxy into <cache>/bin/buildkitd-<version>-<key> (keyed by the version
// and the Go toolchain), in a scratch module, unless it is there already.
func buildkitdAt(ctx context.Context, repoRoot, cacheDir, version string) (string, bool, error) {
	if _, _, err := ParseBuildkitVersion(version); err != nil {
		return "", false, err
	}
	pinned, err := PinnedBuildkitVersion(ctx, repoRoot)
	if err != nil {
		return "", false, err
	}
	if version == pinned {
		return "", true, nil
	}
	ver, err := goEnv(ctx, repoRoot, "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		return "", false, fmt.Errorf("buildkitd %s: %w", version, err)
	}
	final := filepath.Join(cacheDir, "bin", "buildkitd-"+version+"-"+contentKey(append([]string{version, buildkitdTarget}, ver...)...))
	bin := filepath.Join(final, "buildkitd")
	if exists(bin) {
		return bin, true, nil
	}
	unlock, err := lockPath(final)
	if err != nil {
		return "", false, fmt.Errorf("buildkitd %s: %w", version, err)
	}
	defer unlock()
	if exists(bin) {
		return bin, true, nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".tmp-buildkitd-"+version+"-")
	if err != nil {
		return "", false, fmt.Errorf("buildkitd %s: %w", version, err)
	}
	defer os.RemoveAll(tmp)
	if err := buildBuildkitd(ctx, tmp, version); err != nil {
		return "", false, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", false, fmt.Errorf("buildkitd %s: %w", version, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", false, fmt.Errorf("buildkitd %s: install %s: %w", version, final, err)
	}
	return bin, false, nil
}

// buildBuildkitd builds buildkitd at version into dir/buildkitd, from a
// scratch module in dir (its go.mod and go.sum stay, a record of what was
// built). Modules come through the host's GOPROXY settings; the go line of
// the scratch module is the host toolchain's, so nothing is downloaded but
// modules.
func buildBuildkitd(ctx context.Context, dir, version string) error {
	env := []string{"GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod"}
	steps := [][]string{
		{"mod", "init", "slim-testenv/buildkitd"},
		{"get", buildkitdTarget + "@" + version},
		// The daemon reports its version (buildctl debug info), as a
		// release build does.
		{"build", "-trimpath", "-ldflags", "-X " + buildkitModule + "/version.Version=" + version,
			"-o", filepath.Join(dir, "buildkitd"), buildkitdTarget},
	}
	for _, args := range steps {
		if _, err := goOutput(ctx, dir, env, args...); err != nil {
			return fmt.Errorf("buildkitd %s: %w", version, err)
		}
	}
	return nil
}

// goOutput runs `go ARGS…` in dir with env added and returns its trimmed
// standard output; an error carries the tail of both streams.
func goOutput(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s%s", strings.Join(args, " "), err, tail(stdout.Bytes(), 1000), tail(stderr.Bytes(), 3000))
	}
	return strings.TrimSpace(stdout.String()), nil
}
