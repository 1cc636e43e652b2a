// Package dfllb converts a Dockerfile to an LLB definition offline, the way
// BuildKit's Dockerfile frontend does inside a build, but without a daemon
// or a network: base image configs are not fetched (every base image counts
// as having an empty config). It is what `slim-frontend plan` and the tests
// rewrite.
package dfllb

import (
	"context"
	"fmt"
	"maps"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// Options select what to convert.
type Options struct {
	Target    string            // stage to build; "" for the last one
	BuildArgs map[string]string // --build-arg values
	Filename  string            // shown in source locations; default "Dockerfile"
}

// Convert turns the Dockerfile dt into a definition carrying the Dockerfile
// as source info and per-op source locations, as a real build does.
func Convert(ctx context.Context, dt []byte, opt Options) (*pb.Definition, error) {
	name := opt.Filename
	if name == "" {
		name = "Dockerfile"
	}
	// The real frontend marks the source map with the Dockerfile's local
	// load; an equivalent local state keeps the definitions alike.
	src := llb.Local("dockerfile", llb.SharedKeyHint(name), dockerui.WithInternalName("load build definition from "+name))
	smap := llb.NewSourceMap(&src, name, "Dockerfile", dt)
	res, err := dockerfile2llb.Dockerfile2LLB(ctx, dt, dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			Target:    opt.Target,
			BuildArgs: maps.Clone(opt.BuildArgs),
		},
		SourceMap:    smap,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		return nil, err
	}
	def, err := res.State.Marshal(ctx)
	if err != nil {
		return nil, fmt.Errorf("marshal LLB: %w", err)
	}
	return def.ToPB(), nil
}

// offlineResolver answers every image lookup with a minimal config (the
// default PATH, linux/amd64) and no digest, so the converted graph names
// images by tag, as a build with no registry access would see them.
type offlineResolver struct{}

// The converter treats an image with no layers as scratch and drops it from
// the graph, so the config names one (made-up) layer.
var defaultImageConfig = []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},` +
	`"rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}`)

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", defaultImageConfig, nil
}
