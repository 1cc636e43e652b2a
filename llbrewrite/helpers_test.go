package llbrewrite

import (
	"context"
	"testing"

	"github.com/moby/buildkit/solver/llbsolver"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
)

// convert turns a Dockerfile into a definition the way the frontend does.
func convert(t testing.TB, dockerfile string, opt dfllb.Options) *pb.Definition {
	t.Helper()
	def, err := dfllb.Convert(context.Background(), []byte(dockerfile), opt)
	require.NoError(t, err)
	return def
}

// rewrite runs Rewrite and checks the invariants every output must keep.
func rewrite(t testing.TB, def *pb.Definition, p Policy) (*pb.Definition, []Finding) {
	t.Helper()
	out, findings, err := Rewrite(def, p)
	require.NoError(t, err)
	requireValid(t, out)
	return out, findings
}

// requireValid asserts that def loads in BuildKit's solver and that its
// digests are consistent: every op's key is the digest of its bytes, every
// input names an op earlier in the list, metadata and locations only name
// ops that exist, and re-marshalling an op gives the same bytes (so BuildKit
// does not re-digest it).
func requireValid(t testing.TB, def *pb.Definition) {
	t.Helper()
	_, err := llbsolver.Load(context.Background(), def, nil)
	require.NoError(t, err, "rewritten definition must load")
	seen := map[string]bool{}
	for _, dt := range def.Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		for _, in := range op.Inputs {
			require.True(t, seen[in.Digest], "input %s precedes its consumer", in.Digest)
		}
		again, err := op.Marshal()
		require.NoError(t, err)
		require.Equal(t, dt, again, "op bytes are canonical")
		seen[string(digest.FromBytes(dt))] = true
	}
	for k := range def.Metadata {
		require.True(t, seen[k], "metadata key %s names an op", k)
	}
	if def.Source != nil {
		for k := range def.Source.Locations {
			require.True(t, seen[k], "location key %s names an op", k)
		}
	}
}

// execArgs returns the argv of every exec op, in definition order.
func execArgs(t testing.TB, def *pb.Definition) [][]string {
	t.Helper()
	var out [][]string
	for _, dt := range def.Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		if e := op.GetExec(); e != nil {
			out = append(out, e.Meta.Args)
		}
	}
	return out
}
