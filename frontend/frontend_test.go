package frontend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"github.com/org/slim/internal/dfllb"
	"github.com/org/slim/llbrewrite"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// fakeClient records what reaches the daemon.
type fakeClient struct {
	opts client.BuildOpts

	mu     sync.Mutex
	solved []*pb.Definition
	warns  []string
	urls   []string
	calls  []string
}

func (f *fakeClient) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeClient) Solve(_ context.Context, req client.SolveRequest) (*client.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.solved = append(f.solved, req.Definition)
	return client.NewResult(), nil
}

func (f *fakeClient) ResolveImageConfig(context.Context, string, sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	f.record("ResolveImageConfig")
	return "ref", "sha256:abc", []byte("{}"), nil
}

func (f *fakeClient) ResolveSourceMetadata(context.Context, *pb.SourceOp, sourceresolver.Opt) (*sourceresolver.MetaResponse, error) {
	f.record("ResolveSourceMetadata")
	return &sourceresolver.MetaResponse{}, nil
}

func (f *fakeClient) BuildOpts() client.BuildOpts { return f.opts }

func (f *fakeClient) Inputs(context.Context) (map[string]llb.State, error) {
	f.record("Inputs")
	return nil, nil
}

func (f *fakeClient) NewContainer(context.Context, client.NewContainerRequest) (client.Container, error) {
	f.record("NewContainer")
	return nil, errors.New("no containers here")
}

func (f *fakeClient) Warn(_ context.Context, _ digest.Digest, msg string, opts client.WarnOpts) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.warns = append(f.warns, msg)
	f.urls = append(f.urls, opts.URL)
	return nil
}

func newFake(opts map[string]string) *fakeClient {
	return &fakeClient{opts: client.BuildOpts{Opts: opts}}
}

const pipDockerfile = "FROM python:3.11-slim\nRUN pip install flask\n"

func buildDef(t *testing.T, df string) *pb.Definition {
	t.Helper()
	def, err := dfllb.Convert(context.Background(), []byte(df), dfllb.Options{})
	require.NoError(t, err)
	return def
}

func pipArgs(t *testing.T, def *pb.Definition) string {
	t.Helper()
	for _, dt := range def.Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		if e := op.GetExec(); e != nil {
			return e.Meta.Args[len(e.Meta.Args)-1]
		}
	}
	t.Fatal("no exec op")
	return ""
}

func TestSolveRewritesBuildGraphs(t *testing.T) {
	fc := newFake(nil)
	ic := newInterceptor(fc, llbrewrite.Rules())
	_, err := ic.Solve(context.Background(), client.SolveRequest{Definition: buildDef(t, pipDockerfile)})
	require.NoError(t, err)
	require.Len(t, fc.solved, 1)
	require.Equal(t, "pip install --no-cache-dir flask", pipArgs(t, fc.solved[0]))
	require.Len(t, fc.warns, 1)
	require.Contains(t, fc.warns[0], "PipNoCache")
	require.Contains(t, fc.warns[0], "line 2")
}

func TestSolveForwardsNonBuildDefinitions(t *testing.T) {
	fc := newFake(nil)
	ic := newInterceptor(fc, llbrewrite.Rules())
	ic.rewrite = func(*pb.Definition, llbrewrite.Policy) (*pb.Definition, []llbrewrite.Finding, error) {
		t.Fatal("context loads must not be rewritten")
		return nil, nil, nil
	}
	st := llb.Local("context")
	def, err := st.Marshal(context.Background())
	require.NoError(t, err)
	_, err = ic.Solve(context.Background(), client.SolveRequest{Definition: def.ToPB()})
	require.NoError(t, err)
	require.True(t, proto.Equal(def.ToPB(), fc.solved[0]))
	_, err = ic.Solve(context.Background(), client.SolveRequest{}) // e.g. a frontend request
	require.NoError(t, err)
	require.Len(t, fc.solved, 2)
}

func TestOtherCallsAreForwarded(t *testing.T) {
	fc := newFake(nil)
	var c client.Client = newInterceptor(fc, llbrewrite.Rules())
	ctx := context.Background()
	_, _, _, err := c.ResolveImageConfig(ctx, "x", sourceresolver.Opt{})
	require.NoError(t, err)
	_, err = c.ResolveSourceMetadata(ctx, &pb.SourceOp{}, sourceresolver.Opt{})
	require.NoError(t, err)
	_, err = c.Inputs(ctx)
	require.NoError(t, err)
	_, err = c.NewContainer(ctx, client.NewContainerRequest{})
	require.Error(t, err)
	require.NoError(t, c.Warn(ctx, "", "hello", client.WarnOpts{}))
	require.Equal(t, []string{"ResolveImageConfig", "ResolveSourceMetadata", "Inputs", "NewContainer"}, fc.calls)
	require.Equal(t, []string{"hello"}, fc.warns)
}

func TestBuildOptsAlwaysCarryCmdline(t *testing.T) {
	in := map[string]string{"build-arg:BUILDKIT_SYNTAX": "docker/dockerfile:1"}
	fc := newFake(in)
	ic := newInterceptor(fc, llbrewrite.Rules())
	require.Equal(t, "slim", ic.BuildOpts().Opts["cmdline"], "without cmdline the stock builder would forward and bypass the rewrite")
	_, had := in["cmdline"]
	require.False(t, had, "the caller's options map is not mutated")

	fc = newFake(map[string]string{"cmdline": "org/slim"})
	require.Equal(t, "org/slim", newInterceptor(fc, llbrewrite.Rules()).BuildOpts().Opts["cmdline"])
}

func TestRewriteFailureFallsBack(t *testing.T) {
	boom := func(*pb.Definition, llbrewrite.Policy) (*pb.Definition, []llbrewrite.Finding, error) {
		return nil, nil, errors.New("boom")
	}
	def := buildDef(t, pipDockerfile)
	fc := newFake(nil)
	_, err := withRewrite(fc, boom).Solve(context.Background(), client.SolveRequest{Definition: def})
	require.NoError(t, err)
	require.True(t, proto.Equal(def, fc.solved[0]), "the unmodified definition is solved")
	require.Len(t, fc.warns, 1)
	require.Contains(t, fc.warns[0], "boom")

	fc = newFake(map[string]string{"build-arg:BUILDKIT_SLIM": "strict=true"})
	_, err = withRewrite(fc, boom).Solve(context.Background(), client.SolveRequest{Definition: def})
	require.ErrorContains(t, err, "boom")
	require.Empty(t, fc.solved)
}

// withRewrite is an interceptor whose rewrite is rw.
func withRewrite(c client.Client, rw rewriteFunc) *interceptor {
	ic := newInterceptor(c, llbrewrite.Rules())
	ic.rewrite = rw
	return ic
}

// panicRule panics inside its pass, on the graph, after PipNoCache has
// already edited it.
var panicRule = llbrewrite.Rule{
	Name:        "PanicsInItsPass",
	Description: "writes to a nil map",
	URL:         "docs/rules/PanicsInItsPass.md",
	Rewrite: func(g *llbrewrite.Graph, _ llbrewrite.Policy, _ func(llbrewrite.Finding)) {
		var seen map[*llbrewrite.Node]bool
		for _, n := range g.Nodes {
			seen[n] = true
		}
	},
}

func TestPanicInAPassFallsBack(t *testing.T) {
	def := buildDef(t, pipDockerfile)
	rules := append(llbrewrite.Rules(), panicRule)
	fc := newFake(nil)
	_, err := newInterceptor(fc, rules).Solve(context.Background(), client.SolveRequest{Definition: def})
	require.NoError(t, err)
	require.Len(t, fc.solved, 1)
	require.True(t, proto.Equal(def, fc.solved[0]), "the unmodified definition is solved, not PipNoCache's half-done one")
	require.Len(t, fc.warns, 1)
	require.Contains(t, fc.warns[0], "rule PanicsInItsPass panicked: assignment to entry in nil map")

	fc = newFake(map[string]string{"build-arg:BUILDKIT_SLIM": "strict=true"})
	_, err = newInterceptor(fc, rules).Solve(context.Background(), client.SolveRequest{Definition: def})
	require.ErrorContains(t, err, "rule PanicsInItsPass panicked")
	require.Empty(t, fc.solved)
}

func TestUndecodableDefinitionFallsBack(t *testing.T) {
	def := buildDef(t, pipDockerfile)
	bad := proto.Clone(def).(*pb.Definition)
	bad.Def = append([][]byte{{0xff, 0xff}}, bad.Def...)
	fc := newFake(nil)
	_, err := newInterceptor(fc, llbrewrite.Rules()).Solve(context.Background(), client.SolveRequest{Definition: bad})
	require.NoError(t, err)
	require.True(t, proto.Equal(bad, fc.solved[0]))
	require.Len(t, fc.warns, 1)
	require.Contains(t, fc.warns[0], "rewrite failed")
}

func TestConfigFromDirectiveAndBuildArg(t *testing.T) {
	df := "# syntax=org/slim\n# slim=skip=PipNoCache\nFROM python:3.11-slim\nRUN pip install flask\n"
	fc := newFake(nil)
	_, err := newInterceptor(fc, llbrewrite.Rules()).Solve(context.Background(), client.SolveRequest{Definition: buildDef(t, df)})
	require.NoError(t, err)
	require.Equal(t, "pip install flask", pipArgs(t, fc.solved[0]), "skipped by the directive")

	fc = newFake(map[string]string{"build-arg:BUILDKIT_SLIM": "skip=none"})
	_, err = newInterceptor(fc, llbrewrite.Rules()).Solve(context.Background(), client.SolveRequest{Definition: buildDef(t, df)})
	require.NoError(t, err)
	require.Equal(t, "pip install --no-cache-dir flask", pipArgs(t, fc.solved[0]), "the build-arg wins")

	fc = newFake(map[string]string{"build-arg:BUILDKIT_SLIM": "skip=NoSuchRule"})
	_, err = newInterceptor(fc, llbrewrite.Rules()).Solve(context.Background(), client.SolveRequest{Definition: buildDef(t, pipDockerfile)})
	require.ErrorContains(t, err, `unknown rule "NoSuchRule"`)
	require.ErrorContains(t, err, "PipNoCache")
}

func TestConcurrentSolve(t *testing.T) {
	fc := newFake(nil)
	ic := newInterceptor(fc, llbrewrite.Rules())
	def := buildDef(t, pipDockerfile)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ic.Solve(context.Background(), client.SolveRequest{Definition: def})
			if err != nil {
				errs <- fmt.Errorf("solve %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, fc.solved, 16)
	for _, d := range fc.solved {
		require.Equal(t, fc.solved[0].Def, d.Def)
	}
	require.Len(t, fc.warns, 1, "a finding is reported once per build, not once per platform")
}

func TestStageCopyCleanupUsesTheFrontendImage(t *testing.T) {
	df := "FROM python:3.11-slim AS b\nRUN pip install flask\nFROM python:3.11-slim\nCOPY --from=b /usr/local /usr/local\n"
	fc := newFake(map[string]string{"source": "org/slim"})
	_, err := newInterceptor(fc, llbrewrite.Rules()).Solve(context.Background(), client.SolveRequest{Definition: buildDef(t, df)})
	require.NoError(t, err)
	var image string
	for _, dt := range fc.solved[0].Def {
		var op pb.Op
		require.NoError(t, op.Unmarshal(dt))
		if s := op.GetSource(); s != nil && s.Identifier != "docker-image://docker.io/library/python:3.11-slim" && op.GetSource().Identifier[:5] == "docke" {
			image = s.Identifier
		}
	}
	require.Equal(t, "docker-image://docker.io/org/slim:latest@sha256:abc", image)
	require.Contains(t, fc.calls, "ResolveImageConfig")
}

func TestMissingCapSkipsAreWarnings(t *testing.T) {
	skip := llbrewrite.Finding{Rule: "PoetryNoCache", Action: llbrewrite.ActionSkip, Reason: "the daemon does not support tmpfs mounts (exec.mount.tmpfs)"}
	require.True(t, namesMissingCap(skip))
	other := llbrewrite.Finding{Rule: "PoetryNoCache", Action: llbrewrite.ActionSkip, Reason: "a cache mount already keeps Poetry's cache out of the layer"}
	require.False(t, namesMissingCap(other))
	rw := skip
	rw.Action = llbrewrite.ActionRewrite
	require.False(t, namesMissingCap(rw), "a rewrite is warned as a rewrite")
}
