// Command slim-testenv runs the offline end-to-end environment (registry,
// buildkitd, stand-in images, loopback Python index, buildx builder) in the
// background, for building Dockerfiles against it by hand:
//
//	eval "$(go run ./cmd/slim-testenv up)"
//	docker buildx build -o type=oci,dest=/tmp/x.tar examples/…
//	go run ./cmd/slim-testenv publish   # after changing the frontend
//	go run ./cmd/slim-testenv down
//
// and runs the compatibility matrix against other BuildKit releases:
//
//	go run ./cmd/slim-testenv compat v0.12.5 v0.34.2
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/org/slim/integration/testenv"
)

const usage = `usage: slim-testenv [-state DIR] COMMAND [flags]

commands:
  up       start the environment in the background, print export lines
  down     stop it and remove its temporary files
  env      print the export lines of the running environment
  publish  rebuild the repo's Dockerfile and push it as org/slim:latest
  compat   run the end-to-end cases against other buildkitd releases and
           write COMPATIBILITY.md (compat -h)
`

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "slim-testenv:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("slim-testenv", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage); fs.PrintDefaults() }
	state := fs.String("state", defaultStateDir(), "state directory (pids, exports, log); $SLIM_TESTENV_STATE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("missing command")
	}
	s := stateDir(*state)
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "up":
		return up(ctx, s, rest)
	case "serve":
		return serve(s, rest)
	case "down":
		return down(s)
	case "env":
		exports, err := s.exports()
		if err != nil {
			return err
		}
		printExports(exports)
		return nil
	case "publish":
		return publish(ctx, s, rest)
	case "compat":
		return compat(ctx, rest)
	}
	fs.Usage()
	return fmt.Errorf("unknown command %q", cmd)
}

func defaultStateDir() string {
	if d := os.Getenv("SLIM_TESTENV_STATE"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("slim-testenv-state-%d", os.Getuid()))
}

// upFlags are shared by up and the serve process it starts.
type upFlags struct {
	poetry       bool
	noPublish    bool
	frontend     string
	buildkitRoot string
	// buildkitdVersion runs another buildkitd release (v0.12.5).
	buildkitdVersion string
}

func parseUpFlags(name string, args []string) (upFlags, error) {
	var f upFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.BoolVar(&f.poetry, "poetry", false, "also push python:3.11-slim-poetry")
	fs.BoolVar(&f.noPublish, "no-publish", false, "do not build and push org/slim from the repo's Dockerfile")
	fs.StringVar(&f.frontend, "frontend", "", "directory whose Dockerfile builds org/slim (default: the repo root)")
	fs.StringVar(&f.buildkitRoot, "buildkit-root", os.Getenv("SLIM_BUILDKIT_ROOT"),
		"keep buildkitd's state in this directory between runs ($SLIM_BUILDKIT_ROOT; default: temporary)")
	fs.StringVar(&f.buildkitdVersion, "buildkitd", os.Getenv("SLIM_BUILDKITD_VERSION"),
		"run this buildkitd release, built from the Go module proxy ($SLIM_BUILDKITD_VERSION; default: go.mod's)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.frontend != "" {
		abs, err := filepath.Abs(f.frontend)
		if err != nil {
			return f, err
		}
		f.frontend = abs
	}
	return f, nil
}

func (f upFlags) args() []string {
	var a []string
	if f.poetry {
		a = append(a, "-poetry")
	}
	if f.noPublish {
		a = append(a, "-no-publish")
	}
	if f.frontend != "" {
		a = append(a, "-frontend", f.frontend)
	}
	if f.buildkitRoot != "" {
		a = append(a, "-buildkit-root", f.buildkitRoot)
	}
	if f.buildkitdVersion != "" {
		a = append(a, "-buildkitd", f.buildkitdVersion)
	}
	return a
}

func publish(ctx context.Context, s stateDir, args []string) error {
	f, err := parseUpFlags("publish", args)
	if err != nil {
		return err
	}
	exports, err := s.exports()
	if err != nil {
		return err
	}
	b, err := testenv.BuilderFromExports(exports)
	if err != nil {
		return err
	}
	b.Output = os.Stderr
	dir, err := frontendDir(ctx, f)
	if err != nil {
		return err
	}
	return b.PublishFrontend(ctx, dir)
}

func frontendDir(ctx context.Context, f upFlags) (string, error) {
	if f.frontend != "" {
		return f.frontend, nil
	}
	return testenv.RepoRoot(ctx)
}

// printExports prints shell export lines with single-quoted values.
func printExports(exports []string) {
	for _, kv := range exports {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Printf("export %s='%s'\n", k, strings.ReplaceAll(v, "'", `'\''`))
	}
}
