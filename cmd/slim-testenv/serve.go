package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/org/slim/integration/testenv"
)

// stateDir holds the background process's pid, log and exports.
type stateDir string

func (s stateDir) path(name string) string { return filepath.Join(string(s), name) }

func (s stateDir) exports() ([]string, error) {
	data, err := os.ReadFile(s.path("exports"))
	if err != nil {
		return nil, fmt.Errorf("no running environment in %s (run up): %w", s, err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n"), nil
}

// pid returns the serve process's pid if it is alive.
func (s stateDir) pid() (int, bool) {
	data, err := os.ReadFile(s.path("serve.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, syscall.Kill(pid, 0) == nil
}

// up starts `serve` detached (own session, output to serve.log) and waits
// until it has written the exports, relaying its progress lines to stderr.
func up(ctx context.Context, s stateDir, args []string) error {
	f, err := parseUpFlags("up", args)
	if err != nil {
		return err
	}
	if _, alive := s.pid(); alive {
		if exports, err := s.exports(); err == nil {
			fmt.Fprintln(os.Stderr, "slim-testenv: already up")
			printExports(exports)
			return nil
		}
		return fmt.Errorf("a serve process is starting or stuck; see %s, or run down", s.path("serve.log"))
	}
	if err := os.MkdirAll(string(s), 0o700); err != nil {
		return err
	}
	for _, n := range []string{"exports", "error", "serve.pid"} {
		os.Remove(s.path(n))
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.Create(s.path("serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(exe, append([]string{"-state", string(s), "serve"}, f.args()...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start serve: %w", err)
	}
	pid := cmd.Process.Pid
	if err := os.WriteFile(s.path("serve.pid"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return waitUp(ctx, s, exited)
}

func waitUp(ctx context.Context, s stateDir, exited <-chan error) error {
	relay := &logRelay{path: s.path("serve.log"), w: os.Stderr}
	deadline := time.After(30 * time.Minute)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		relay.copyNew()
		if exports, err := s.exports(); err == nil {
			printExports(exports)
			return nil
		}
		select {
		case err := <-exited:
			relay.copyNew()
			msg, _ := os.ReadFile(s.path("error"))
			return fmt.Errorf("environment failed to come up (%v): %s", err, msg)
		case <-deadline:
			return fmt.Errorf("environment not up after 30m; see %s", s.path("serve.log"))
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// logRelay copies the phase lines ("testenv: …") that the serve process
// appends to its log, complete lines only.
type logRelay struct {
	path   string
	offset int64
	w      io.Writer
}

func (r *logRelay) copyNew() {
	f, err := os.Open(r.path)
	if err != nil {
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.NewSectionReader(f, r.offset, 1<<40))
	if err != nil {
		return
	}
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return
	}
	r.offset += int64(end + 1)
	for _, line := range strings.SplitAfter(string(data[:end+1]), "\n") {
		if strings.HasPrefix(line, "testenv: ") {
			io.WriteString(r.w, line)
		}
	}
}

// serve is the background process: Up, publish, write exports, wait for a
// signal, Close.
func serve(s stateDir, args []string) error {
	f, err := parseUpFlags("serve", args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := testenv.Up(ctx, testenv.Options{Log: os.Stderr, BuildOutput: os.Stderr, Poetry: f.poetry, BuildkitRoot: f.buildkitRoot, Dists: testenv.ExampleDists(),
		BuildkitdVersion: f.buildkitdVersion})
	if err != nil {
		os.WriteFile(s.path("error"), []byte(err.Error()), 0o644)
		return err
	}
	defer func() {
		env.Close()
		os.Remove(s.path("exports"))
		os.Remove(s.path("serve.pid"))
	}()
	if err := publishOnUp(ctx, env, f); err != nil {
		os.WriteFile(s.path("error"), []byte(err.Error()), 0o644)
		return err
	}
	data := strings.Join(env.Exports(), "\n") + "\n"
	if err := os.WriteFile(s.path("exports.tmp"), []byte(data), 0o644); err != nil {
		return err
	}
	if err := os.Rename(s.path("exports.tmp"), s.path("exports")); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "testenv: serving; stop with: slim-testenv down")
	<-ctx.Done()
	return nil
}

func publishOnUp(ctx context.Context, env *testenv.Env, f upFlags) error {
	if f.noPublish {
		return nil
	}
	dir, err := frontendDir(ctx, f)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "testenv: no Dockerfile in %s: org/slim not published\n", dir)
		return nil
	}
	start := time.Now()
	err = env.PublishFrontend(ctx, dir)
	fmt.Fprintf(os.Stderr, "testenv: publish org/slim from %s %.1fs\n", dir, time.Since(start).Seconds())
	return err
}

// down signals the serve process and waits for it to finish tearing down.
func down(s stateDir) error {
	pid, alive := s.pid()
	if !alive {
		os.Remove(s.path("exports"))
		os.Remove(s.path("serve.pid"))
		fmt.Fprintln(os.Stderr, "slim-testenv: not running")
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal serve process %d: %w", pid, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			return fmt.Errorf("serve process %d did not stop in 60s; killed it (see %s)", pid, s.path("serve.log"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "slim-testenv: down")
	return nil
}
