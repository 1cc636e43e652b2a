//go:build !slimimage

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/org/slim/integration/testenv"
	"github.com/spf13/cobra"
)

// The frontend image is built with -tags slimimage: it has no use for the
// commands that drive a daemon, nor for their dependencies.
func addHostCommands(root *cobra.Command) {
	root.AddCommand(newCompareCmd(), newBenchCmd())
}

type compareOptions struct {
	target  string
	manual  string
	verbose bool
}

func newCompareCmd() *cobra.Command {
	var o compareOptions
	cmd := &cobra.Command{
		Use:   "compare [flags] PATH",
		Short: "Build a Dockerfile with the stock and the slim frontend (and a hand-optimized twin) and compare image sizes",
		Long: `compare builds the Dockerfile in PATH (a directory, or a Dockerfile) twice —
with BuildKit's stock Dockerfile frontend and with slim — and, when there is a
hand-optimized Dockerfile.manual beside it (or --manual), a third time with the
stock frontend. It prints per-layer and total sizes, compressed and
uncompressed, and the bytes each rule saved where they can be attributed.

It builds against BUILDKIT_HOST when set (the daemon must be able to pull
org/slim and docker/dockerfile:1). Otherwise it brings up the embedded offline
environment: a local registry and buildkitd, stand-in base images, a local
Python index, and the frontend built from this repository. The first run
builds the tools and stand-in images (about 6 minutes on 2 cores) and caches
them under ~/.cache/slim ($SLIM_CACHE); later runs take about a minute.

It prints one line per phase with its time; the full logs go to files whose
paths it prints (--verbose streams them instead), then slim's warnings and
the size table.`,
		Example: `  slim-frontend compare examples/poetry-backend
  slim-frontend compare --target production --manual Dockerfile.prod ./service`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runCompare(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.target, "target", "", "Dockerfile stage to build (default: the last stage)")
	cmd.Flags().StringVar(&o.manual, "manual", "", "hand-optimized Dockerfile to compare too (default: Dockerfile.manual beside the Dockerfile, if present)")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "stream the environment and build logs instead of writing them to files")
	return cmd
}

func runCompare(ctx context.Context, out, progress io.Writer, path string, o compareOptions) error {
	job, err := newCompareJob(path, o)
	if err != nil {
		return err
	}
	logs, err := newLogSink(progress, o.verbose)
	if err != nil {
		return err
	}
	b, closeEnv, err := compareBuilder(ctx, progress, logs)
	if err != nil {
		return err
	}
	defer closeEnv()
	results, err := job.run(ctx, b, logs)
	if err != nil {
		return err
	}
	printWarnings(out, results)
	job.print(out, results)
	return nil
}

// compareBuilder returns a builder for BUILDKIT_HOST, or brings up the
// embedded environment and publishes the frontend from this repository, as
// one phase whose log goes to logs.
func compareBuilder(ctx context.Context, progress io.Writer, logs *logSink) (*testenv.Builder, func(), error) {
	if host := os.Getenv("BUILDKIT_HOST"); host != "" {
		ph := logs.begin("environment", "BUILDKIT_HOST="+host)
		b, err := testenv.RemoteBuilder(ctx, host)
		if err = ph.end(err); err != nil {
			return nil, nil, err
		}
		b.Output = logs.stream()
		return b, func() { _ = b.Remove(context.Background()) }, nil
	}
	// Installing runc/debootstrap (or saying how) comes first, in the open.
	if err := testenv.Provision(ctx, progress); err != nil {
		return nil, nil, err
	}
	ph := logs.begin("environment", "embedded: registry, buildkitd, stand-in images, org/slim from this repository")
	env, err := upAndPublish(ctx, ph.w)
	if err = ph.end(err); err != nil {
		return nil, nil, err
	}
	env.Builder.Output = logs.stream()
	return env.Builder, func() { env.Close() }, nil
}

func upAndPublish(ctx context.Context, log io.Writer) (*testenv.Env, error) {
	env, err := testenv.Up(ctx, testenv.Options{Log: log, BuildOutput: log, Poetry: true, Dists: testenv.ExampleDists()})
	if err != nil {
		return nil, fmt.Errorf("embedded environment: %w", err)
	}
	root, err := testenv.RepoRoot(ctx)
	if err == nil {
		fmt.Fprintln(log, "compare: publishing the frontend from", root)
		env.Builder.Output = log
		err = env.PublishFrontend(ctx, root)
	}
	if err != nil {
		env.Close()
		return nil, err
	}
	return env, nil
}

func absDockerfile(path string) (dir, file string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	if st.IsDir() {
		path = filepath.Join(path, "Dockerfile")
	}
	file, err = filepath.Abs(path)
	return filepath.Dir(file), file, err
}
