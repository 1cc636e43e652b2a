package llbrewrite

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"github.com/org/slim/internal/benchdf"
	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

// TestMarshalOpIsCanonical checks that marshalOp writes the bytes of
// BuildKit's deterministic (*pb.Op).Marshal for every op of the example
// and golden-plan Dockerfiles and the benchmark's, before and after a
// rewrite (tmpfs mounts, cleanup steps, edited argv), and for source ops
// with attributes.
func TestMarshalOpIsCanonical(t *testing.T) {
	dockerfiles := []string{pipDockerfile, storyDockerfile, testStageDockerfile, string(benchdf.Chain(3)),
		"FROM python\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x /x\nRUN --mount=type=cache,target=/root/.cache pip install x\n"}
	plans, err := filepath.Glob("../frontend/testdata/plans/*/Dockerfile")
	require.NoError(t, err)
	require.NotEmpty(t, plans)
	for _, f := range plans {
		dt, err := os.ReadFile(f)
		require.NoError(t, err)
		dockerfiles = append(dockerfiles, string(dt))
	}
	ops := 0
	for _, df := range dockerfiles {
		def, err := dfllb.Convert(t.Context(), []byte(df), dfllb.Options{})
		if err != nil {
			continue // a plan that needs build args
		}
		out, _ := rewrite(t, def, cleanupPolicy)
		for _, dt := range append(def.Def, out.Def...) {
			var op pb.Op
			require.NoError(t, op.Unmarshal(dt))
			want, err := op.Marshal()
			require.NoError(t, err)
			got, err := marshalOp(&op)
			require.NoError(t, err)
			require.Equal(t, want, got)
			ops++
		}
	}
	require.Greater(t, ops, 100)
	src := &pb.Op{Op: &pb.Op_Source{Source: &pb.SourceOp{Identifier: "git://x", Attrs: map[string]string{"a": "1", "b": "2", "c": "3"}}}}
	want, err := src.Marshal()
	require.NoError(t, err)
	for range 10 {
		got, err := marshalOp(src)
		require.NoError(t, err)
		require.Equal(t, want, got, "ops with several attributes are sorted")
	}
}

func TestDigestOf(t *testing.T) {
	for _, dt := range [][]byte{nil, []byte("x"), []byte(storyDockerfile)} {
		require.Equal(t, digest.FromBytes(dt), digestOf(dt))
	}
}
