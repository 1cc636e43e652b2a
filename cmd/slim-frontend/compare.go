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
	target string
	manual string
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
Python index, and the frontend built from this repository.`,
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
	return cmd
}

func runCompare(ctx context.Context, out, progress io.Writer, path string, o compareOptions) error {
	job, err := newCompareJob(path, o)
	if err != nil {
		return err
	}
	b, closeEnv, err := compareBuilder(ctx, progress)
	if err != nil {
		return err
	}
	defer closeEnv()
	results, err := job.run(ctx, b, progress)
	if err != nil {
		return err
	}
	job.print(out, results)
	return nil
}

// compareBuilder returns a builder for BUILDKIT_HOST, or brings up the
// embedded environment and publishes the frontend from this repository.
func compareBuilder(ctx context.Context, progress io.Writer) (*testenv.Builder, func(), error) {
	if host := os.Getenv("BUILDKIT_HOST"); host != "" {
		b, err := testenv.RemoteBuilder(ctx, host)
		if err != nil {
			return nil, nil, err
		}
		b.Output = progress
		return b, func() { _ = b.Remove(context.Background()) }, nil
	}
	fmt.Fprintln(progress, "compare: BUILDKIT_HOST is not set; bringing up the embedded environment")
	env, err := testenv.Up(ctx, testenv.Options{Log: progress, Poetry: true, Dists: testenv.ExampleDists()})
	if err != nil {
		return nil, nil, fmt.Errorf("embedded environment: %w", err)
	}
	root, err := testenv.RepoRoot(ctx)
	if err == nil {
		fmt.Fprintln(progress, "compare: publishing the frontend from", root)
		err = env.PublishFrontend(ctx, root)
	}
	if err != nil {
		env.Close()
		return nil, nil, err
	}
	env.Builder.Output = progress
	return env.Builder, func() { env.Close() }, nil
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
