package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// buildkitd is a rootful buildkitd with the OCI worker (runc, overlayfs) whose
// docker.io mirror is the local registry.
type buildkitd struct {
	Root    string // --root
	Sock    string // unix socket path
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

const buildkitdConfig = `[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
[worker.containerd]
  enabled = false
[registry."docker.io"]
  mirrors = [%[1]q]
[registry.%[1]q]
  http = true
`

// Addr is the BUILDKIT_HOST address.
func (b *buildkitd) Addr() string { return "unix://" + b.Sock }

// startBuildkitd starts the daemon with its socket, config and log in dir and
// its state in root.
func startBuildkitd(ctx context.Context, tools *Tools, dir, root, registryAddr string) (*buildkitd, error) {
	if _, err := exec.LookPath("runc"); err != nil {
		return nil, fmt.Errorf("buildkitd: runc not found (apt-get install runc): %w", err)
	}
	b := &buildkitd{
		Root:    root,
		Sock:    filepath.Join(dir, "buildkitd.sock"),
		logPath: filepath.Join(dir, "buildkitd.log"),
		exited:  make(chan struct{}),
	}
	cfg := filepath.Join(dir, "buildkitd.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, buildkitdConfig, registryAddr), 0o644); err != nil {
		return nil, fmt.Errorf("buildkitd: %w", err)
	}
	logf, err := os.Create(b.logPath)
	if err != nil {
		return nil, fmt.Errorf("buildkitd: %w", err)
	}
	defer logf.Close()
	b.cmd = exec.Command(tools.Buildkitd, "--config", cfg, "--root", b.Root, "--addr", b.Addr())
	b.cmd.Stdout, b.cmd.Stderr = logf, logf
	// Own process group, so Close can signal runc children too; SIGTERM if we
	// die without closing (a test timeout panics past every defer).
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("buildkitd: start: %w", err)
	}
	go func() { b.waitErr = b.cmd.Wait(); close(b.exited) }()
	if err := b.waitReady(ctx, tools, time.Minute); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// waitReady polls `buildctl debug workers` until it answers, the daemon
// exits, or the deadline passes.
func (b *buildkitd) waitReady(ctx context.Context, tools *Tools, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		if exists(b.Sock) {
			pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
			out, err := exec.CommandContext(pctx, tools.Buildctl, "--addr", b.Addr(), "debug", "workers").CombinedOutput()
			pcancel()
			if err == nil {
				return nil
			}
			lastErr = fmt.Errorf("%w: %s", err, out)
		}
		select {
		case <-b.exited:
			return fmt.Errorf("buildkitd exited before it was ready (%v):\n%s", b.waitErr, b.logTail())
		case <-ctx.Done():
			return fmt.Errorf("buildkitd not ready after %s (last probe: %v): %w\n%s", timeout, lastErr, ctx.Err(), b.logTail())
		case <-tick.C:
		}
	}
}

func (b *buildkitd) logTail() string {
	out, _ := os.ReadFile(b.logPath)
	return tail(out, 3000)
}

// Close stops the daemon's whole process group (SIGTERM, then SIGKILL after a
// deadline) and detaches any mount it left under its root.
func (b *buildkitd) Close() error {
	if b.cmd == nil || b.cmd.Process == nil {
		return nil
	}
	pgid := b.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-b.exited
	}
	// Children that outlived the daemon (runc shims) go too.
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("buildkitd: kill process group: %w", err)
	}
	if err := unmountUnder(b.Root); err != nil {
		return fmt.Errorf("buildkitd: %w", err)
	}
	return nil
}
