// Package integration holds slim's end-to-end tests: the real docker CLI and
// buildx build Dockerfiles against a real buildkitd in the offline
// environment of integration/testenv, with org/slim built from the repo's
// Dockerfile.
package integration

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/org/slim/integration/testenv"
)

var (
	// env is the package's environment, nil when the tests skip.
	env *testenv.Env
	// skipReason says why env is nil.
	skipReason string
)

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	flag.Parse()
	reason, err := missingPrerequisite()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	if reason != "" {
		if os.Getenv("SLIM_REQUIRE_E2E") == "1" {
			fmt.Fprintf(os.Stderr, "FAIL: SLIM_REQUIRE_E2E=1 but the end-to-end tests cannot run: %s\n", reason)
			return 1
		}
		skipReason = reason
		code := m.Run()
		summarizeSkips()
		return code
	}
	e, err := upWithSignals()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	root, err := testenv.RepoRoot(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	if err := statTree(root); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	start := time.Now()
	if err := e.PublishFrontend(ctx, root); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "testenv: publish org/slim from %s %.1fs\n", root, time.Since(start).Seconds())
	env = e
	return m.Run()
}

// statTree stats every file of the repo (the frontend's build context), so
// that go test's result cache, which tracks the files a test consults inside
// the module, reruns these tests when any of them changes: the package
// imports none of the code it tests.
func statTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		_, err = os.Stat(path)
		return err
	})
}

// missingPrerequisite says what keeps the end-to-end tests from running
// here, after installing what can be installed (as root, with apt-get).
// Provisioning that was possible and failed is an error, not a skip.
func missingPrerequisite() (string, error) {
	if testing.Short() {
		return "-short", nil
	}
	err := testenv.Provision(context.Background(), os.Stderr)
	if errors.Is(err, testenv.ErrCannotProvision) {
		return strings.TrimPrefix(err.Error(), testenv.ErrCannotProvision.Error()+": "), nil
	}
	return "", err
}

// skipped counts the tests requireEnv skipped.
var skipped atomic.Int32

// summarizeSkips prints one line saying how many end-to-end tests skipped and
// why. go test hides a passing package's output unless -v, so the line also
// goes to the terminal when there is one: a green run that skipped the
// product's real tests must not look like a full one.
func summarizeSkips() {
	n := skipped.Load()
	if n == 0 {
		return
	}
	line := fmt.Sprintf("integration: %d end-to-end tests skipped: %s; set SLIM_REQUIRE_E2E=1 to make this an error\n", n, skipReason)
	fmt.Print(line)
	if testing.Verbose() {
		return
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprint(tty, line)
		tty.Close()
	}
}

// upWithSignals runs testenv.Up, tearing the environment down (and exiting)
// on SIGINT or SIGTERM, during Up or during the tests.
func upWithSignals() (*testenv.Env, error) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		mu          sync.Mutex
		running     *testenv.Env
		interrupted bool
	)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		fmt.Fprintf(os.Stderr, "integration: %v: tearing down the environment\n", sig)
		cancel()
		mu.Lock()
		interrupted = true
		e := running
		mu.Unlock()
		if e != nil {
			e.Close()
			os.Exit(1)
		}
		// Up is still running: it fails on the cancelled context and cleans up.
	}()
	// SLIM_BUILDKIT_ROOT keeps buildkitd's state (and so the frontend build's
	// cache mounts) between runs; by default every run starts cold.
	// SLIM_BUILDKITD_VERSION runs another buildkitd release (slim-testenv
	// compat sets it per row of the compatibility matrix).
	e, err := testenv.Up(ctx, testenv.Options{Log: os.Stderr, BuildkitRoot: os.Getenv("SLIM_BUILDKIT_ROOT"), Poetry: true, Dists: testenv.ExampleDists(),
		BuildkitdVersion: os.Getenv("SLIM_BUILDKITD_VERSION")})
	if err != nil {
		return nil, fmt.Errorf("testenv up: %w", err)
	}
	mu.Lock()
	running = e
	wasInterrupted := interrupted
	mu.Unlock()
	if wasInterrupted {
		e.Close()
		return nil, fmt.Errorf("interrupted")
	}
	return e, nil
}

// requireEnv skips the test, with the reason, when there is no environment.
func requireEnv(t *testing.T) *testenv.Env {
	t.Helper()
	if env == nil {
		skipped.Add(1)
		t.Skipf("end-to-end environment not available: %s", skipReason)
	}
	return env
}
