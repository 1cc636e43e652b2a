package llbrewrite

import (
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/org/slim/internal/dfllb"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

const pipDockerfile = `FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "app.py"]
`

func TestRewriteUntouchedDefinitionIsIdentical(t *testing.T) {
	def := convert(t, "FROM python:3.11-slim\nRUN echo hello\n", dfllb.Options{})
	out, findings := rewrite(t, def, Policy{})
	require.Empty(t, findings)
	require.True(t, proto.Equal(def, out), "a definition no rule touches must come back unchanged")
	require.Equal(t, def.Def, out.Def)
}

func TestRewriteIsDeterministicAndIdempotent(t *testing.T) {
	def := convert(t, pipDockerfile, dfllb.Options{})
	a, _ := rewrite(t, def, Policy{})
	b, _ := rewrite(t, def, Policy{})
	require.Equal(t, a.Def, b.Def, "same input, same bytes")
	ab, err := a.Marshal()
	require.NoError(t, err)
	bb, err := b.Marshal()
	require.NoError(t, err)
	require.Equal(t, len(ab), len(bb))

	twice, findings := rewrite(t, a, Policy{})
	require.Equal(t, a.Def, twice.Def, "Rewrite(Rewrite(x)) == Rewrite(x)")
	require.NotEmpty(t, findings, "the second rewrite sees the flag it added")
	for _, f := range findings {
		require.NotEqual(t, ActionRewrite, f.Action, "second rewrite changes nothing: %+v", f)
	}
}

func TestRewriteDoesNotModifyInput(t *testing.T) {
	def := convert(t, pipDockerfile, dfllb.Options{})
	before := proto.Clone(def).(*pb.Definition)
	rewrite(t, def, Policy{})
	require.True(t, proto.Equal(before, def))
}

func TestRewriteRekeysMetadataAndLocations(t *testing.T) {
	def := convert(t, pipDockerfile, dfllb.Options{})
	out, findings := rewrite(t, def, Policy{})
	require.Len(t, findings, 1)
	f := findings[0]
	require.Equal(t, 4, f.Line)
	require.NotNil(t, out.Metadata[string(f.Digest)], "the rewritten op keeps its metadata")
	require.NotNil(t, out.Source.Locations[string(f.Digest)], "the rewritten op keeps its source location")
	require.Len(t, out.Metadata, len(def.Metadata))
	require.Len(t, out.Source.Locations, len(def.Source.Locations))
}

func TestRewriteSkipsDisabledRules(t *testing.T) {
	def := convert(t, pipDockerfile, dfllb.Options{})
	out, findings := rewrite(t, def, Policy{Skip: map[string]bool{"PipNoCache": true}})
	require.Empty(t, findings)
	require.Equal(t, def.Def, out.Def)
}

// TestRewriteRecoversAPanicInARule: a rule that panics on the graph, after
// another rule edited it, makes Rewrite return an error naming the rule and
// no half-rewritten definition.
func TestRewriteRecoversAPanicInARule(t *testing.T) {
	ran := false
	panics := Rule{Name: "Panics", Description: "indexes past the end", URL: DocsURL + "Panics.md",
		Rewrite: func(g *Graph, _ Policy, _ func(Finding)) {
			ran = true
			_ = g.Nodes[len(g.Nodes)]
		}}
	def := convert(t, pipDockerfile, dfllb.Options{})
	out, findings, err := append(Rules(), panics).Rewrite(def, Policy{})
	require.True(t, ran)
	require.ErrorContains(t, err, "rule Panics panicked: runtime error: index out of range")
	require.Nil(t, out)
	require.Nil(t, findings)
}

func TestStageOf(t *testing.T) {
	for name, want := range map[string]string{
		"[builder 3/7] RUN pip install x":           "builder",
		"[linux/amd64 builder 3/7] RUN x":           "builder",
		"[linux/amd64->arm64 stage-1 2/2] COPY a b": "stage-1",
		"[ 3/7] RUN x": "",
		"internal load build definition from Dockerfile": "",
	} {
		n := &Node{Meta: &pb.OpMetadata{Description: map[string]string{descCustomName: name}}}
		require.Equal(t, want, StageOf(n), name)
	}
}
