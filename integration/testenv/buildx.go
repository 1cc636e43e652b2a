package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Builder runs the real docker CLI with the buildx plugin against the
// environment's buildkitd through a private DOCKER_CONFIG; no Docker engine
// is involved.
type Builder struct {
	Docker       string // docker CLI binary
	DockerConfig string // private DOCKER_CONFIG with cli-plugins/docker-buildx
	Name         string // buildx builder name (remote driver)
	Registry     string // 127.0.0.1:PORT, the docker.io mirror
	Output       io.Writer

	ownsConfig bool // Remove deletes DockerConfig (RemoteBuilder's temp dir)
}

// dockerCLI finds the docker client binary.
func dockerCLI() (string, error) {
	if p, err := exec.LookPath("docker"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/docker", "/usr/local/bin/docker"} {
		if exists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("docker CLI not found on PATH or in /usr/bin, /usr/local/bin")
}

// createBuilder sets up DOCKER_CONFIG in dir and a remote-driver builder.
func createBuilder(ctx context.Context, tools *Tools, dir, buildkitAddr, registry string) (*Builder, error) {
	return newBuilder(ctx, tools.Buildx, filepath.Join(dir, "docker"), buildkitAddr, registry)
}

// newBuilder creates DOCKER_CONFIG cfg with the buildx plugin and a
// remote-driver builder for buildkitAddr in it.
func newBuilder(ctx context.Context, buildx, cfg, buildkitAddr, registry string) (*Builder, error) {
	docker, err := dockerCLI()
	if err != nil {
		return nil, fmt.Errorf("buildx: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(cfg, "cli-plugins"), 0o755); err != nil {
		return nil, fmt.Errorf("buildx: %w", err)
	}
	if err := os.Symlink(buildx, filepath.Join(cfg, "cli-plugins", "docker-buildx")); err != nil {
		return nil, fmt.Errorf("buildx: %w", err)
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	b := &Builder{Docker: docker, DockerConfig: cfg, Name: fmt.Sprintf("slim-%d-%s", os.Getpid(), hex.EncodeToString(suffix)), Registry: registry}
	if out, err := b.run(ctx, "", nil, "buildx", "create", "--name", b.Name, "--driver", "remote", buildkitAddr); err != nil {
		return nil, fmt.Errorf("docker buildx create: %w\n%s", err, out)
	}
	if out, err := b.Buildx(ctx, "", "inspect", "--bootstrap"); err != nil {
		return nil, fmt.Errorf("docker buildx inspect: %w\n%s", err, out)
	}
	return b, nil
}

// Env is the environment docker needs: the private config and the builder.
func (b *Builder) Env() []string {
	return []string{
		"DOCKER_CONFIG=" + b.DockerConfig,
		"BUILDX_BUILDER=" + b.Name,
		"BUILDKIT_PROGRESS=plain",
		"DOCKER_CLI_HINTS=false",
	}
}

// Buildx runs `docker buildx --builder NAME ARGS…` in dir and returns its
// combined output, also streamed to b.Output when set.
func (b *Builder) Buildx(ctx context.Context, dir string, args ...string) (string, error) {
	return b.run(ctx, dir, b.Output, append([]string{"buildx", "--builder", b.Name}, args...)...)
}

func (b *Builder) run(ctx context.Context, dir string, stream io.Writer, args ...string) (string, error) {
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if stream != nil {
		w = io.MultiWriter(&buf, stream)
	}
	cmd := exec.CommandContext(ctx, b.Docker, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), b.Env()...)
	cmd.Stdout, cmd.Stderr = w, w
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("docker %s: %w", strings.Join(args, " "), err)
	}
	return buf.String(), err
}

// FrontendRef is where PublishFrontend pushes; `# syntax=org/slim` resolves
// to it through the docker.io mirror.
func (b *Builder) FrontendRef() string { return b.Registry + "/org/slim:latest" }

// PublishFrontend builds the Dockerfile in contextDir (the repo root) and
// pushes it as org/slim:latest.
func (b *Builder) PublishFrontend(ctx context.Context, contextDir string) error {
	out, err := b.Buildx(ctx, contextDir, "build", "--push", "--provenance=false", "-t", b.FrontendRef(), ".")
	if err != nil {
		return fmt.Errorf("publish frontend from %s: %w\n%s", contextDir, err, tail([]byte(out), 6000))
	}
	return nil
}

// BuilderFromExports rebuilds a Builder from Exports() values, for a process
// other than the one that ran Up (slim-testenv publish).
func BuilderFromExports(exports []string) (*Builder, error) {
	docker, err := dockerCLI()
	if err != nil {
		return nil, err
	}
	b := &Builder{Docker: docker}
	for _, kv := range exports {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "DOCKER_CONFIG":
			b.DockerConfig = v
		case "BUILDX_BUILDER":
			b.Name = v
		case "SLIM_REGISTRY":
			b.Registry = v
		}
	}
	if b.DockerConfig == "" || b.Name == "" || b.Registry == "" {
		return nil, fmt.Errorf("exports lack DOCKER_CONFIG, BUILDX_BUILDER or SLIM_REGISTRY")
	}
	return b, nil
}

// RemoteBuilder is a Builder for an existing BuildKit daemon (a
// BUILDKIT_HOST address such as unix:///run/buildkit/buildkitd.sock or
// tcp://host:1234), in a private DOCKER_CONFIG that Remove deletes. It uses
// an installed docker-buildx plugin, else builds buildx from this module.
func RemoteBuilder(ctx context.Context, host string) (*Builder, error) {
	buildx, err := buildxPlugin(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := os.MkdirTemp("", "slim-docker-config-")
	if err != nil {
		return nil, fmt.Errorf("buildx: %w", err)
	}
	b, err := newBuilder(ctx, buildx, cfg, host, "")
	if err != nil {
		os.RemoveAll(cfg)
		return nil, err
	}
	b.ownsConfig = true
	return b, nil
}

// buildxPlugin finds an installed docker-buildx CLI plugin, else builds the
// tools from the module this process runs in.
func buildxPlugin(ctx context.Context) (string, error) {
	var dirs []string
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		dirs = append(dirs, filepath.Join(d, "cli-plugins"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".docker", "cli-plugins"))
	}
	dirs = append(dirs, "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
		"/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins")
	for _, d := range dirs {
		if p := filepath.Join(d, "docker-buildx"); exists(p) {
			return p, nil
		}
	}
	root, err := RepoRoot(ctx)
	if err != nil {
		return "", fmt.Errorf("no docker-buildx plugin installed, and cannot build one: %w", err)
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	tools, _, err := buildTools(ctx, root, cache)
	if err != nil {
		return "", err
	}
	return tools.Buildx, nil
}

// Remove deletes the builder, and the DOCKER_CONFIG that RemoteBuilder made;
// the daemon is left alone.
func (b *Builder) Remove(ctx context.Context) error {
	out, err := b.run(ctx, "", nil, "buildx", "rm", b.Name)
	if err != nil {
		err = fmt.Errorf("docker buildx rm: %w\n%s", err, out)
	}
	if b.ownsConfig {
		if rmErr := os.RemoveAll(b.DockerConfig); rmErr != nil && err == nil {
			err = fmt.Errorf("remove %s: %w", b.DockerConfig, rmErr)
		}
	}
	return err
}
