package integration

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/stretchr/testify/require"

	"github.com/org/slim/llbrewrite"
)

// TestDaemonFacts checks, against whatever buildkitd the environment runs
// (SLIM_BUILDKITD_VERSION), what the frontend relies on as a gateway
// client sees it: the first platform of the first worker is the native one
// (StageCopyCleanup's step runs there, see frontend/image.go), and it logs
// which of the LLB caps slim's rules use optionally the daemon has, one
// line that `slim-testenv compat` reads.
func TestDaemonFacts(t *testing.T) {
	e := requireEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var host string
	for _, kv := range e.Exports() {
		if v, ok := strings.CutPrefix(kv, "BUILDKIT_HOST="); ok {
			host = v
		}
	}
	c, err := client.New(ctx, host)
	require.NoError(t, err)
	defer c.Close()
	var opts gateway.BuildOpts
	_, err = c.Build(ctx, client.SolveOpt{}, "slim-integration", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
		opts = gc.BuildOpts()
		return gateway.NewResult(), nil
	}, nil)
	require.NoError(t, err)

	require.NotEmpty(t, opts.Workers, "the daemon reports no workers")
	require.NotEmpty(t, opts.Workers[0].Platforms, "the first worker reports no platforms")
	first := platforms.Normalize(opts.Workers[0].Platforms[0])
	native := platforms.Normalize(platforms.DefaultSpec())
	require.Equal(t, native.OS+"/"+native.Architecture, first.OS+"/"+first.Architecture,
		"the first platform of the first worker is not the native one (%s): the cleanup step would run elsewhere", runtime.GOARCH)

	var caps []string
	for _, id := range llbrewrite.OptionalCaps {
		cid := apicaps.CapID(id)
		has := opts.LLBCaps.Contains(cid) && opts.LLBCaps.Supports(cid) == nil
		caps = append(caps, fmt.Sprintf("%s=%t", id, has))
	}
	t.Logf("slim optional caps: %s", strings.Join(caps, " "))
}
