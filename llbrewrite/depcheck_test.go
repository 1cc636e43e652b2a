package llbrewrite

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// allowedDeps are the only non-standard packages llbrewrite may pull in
// (directly or through them): BuildKit's LLB protobufs, go-digest, protobuf
// and the shell parser. No gRPC, no BuildKit client, no I/O libraries.
var allowedDeps = []string{
	"github.com/org/slim/llbrewrite",
	"github.com/org/slim/cleanup", // standard library only: what the cleaner keeps
	"github.com/moby/buildkit/solver/pb",
	"github.com/moby/buildkit/util/apicaps", // imported by solver/pb
	"github.com/opencontainers/go-digest",
	"github.com/opencontainers/image-spec/specs-go",  // platform type in solver/pb
	"github.com/pkg/errors",                          // imported by apicaps
	"github.com/planetscale/vtprotobuf/protohelpers", // generated marshalers
	"google.golang.org/protobuf/",
	"mvdan.cc/sh/v3/",
}

func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	require.NoError(t, err)
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowedDeps {
			if pkg == a || strings.HasPrefix(pkg, strings.TrimSuffix(a, "/")+"/") {
				ok = true
				break
			}
		}
		require.True(t, ok, "llbrewrite must stay a pure graph library; it now depends on %s", pkg)
	}
}
