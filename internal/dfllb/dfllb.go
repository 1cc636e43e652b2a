// Package dfllb converts a Dockerfile to an LLB definition offline, the way
// BuildKit's Dockerfile frontend does inside a build, but without a daemon
// or a network: base image configs are not fetched (every base image counts
// as having an empty config, plus any BaseEnv). It is what `slim-frontend
// plan` and the tests rewrite. ConvertAssuming also converts Dockerfiles that
// need values only a real build has (a --build-arg for FROM, an ENV of the
// base image), with placeholders it reports.
package dfllb

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

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
	// BaseEnv is ENV every base image is assumed to set, besides PATH.
	BaseEnv map[string]string
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
		MetaResolver: offlineResolver{config: imageConfig(opt.BaseEnv)},
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

// offlineResolver answers every image lookup with config: a minimal one (the
// default PATH, linux/amd64) unless BaseEnv adds to it, and no digest, so the
// converted graph names images by tag, as a build with no registry access
// would see them.
type offlineResolver struct{ config []byte }

// minimalImage is the image config the resolver answers with. The converter
// treats an image with no layers as scratch and drops it from the graph, so
// it names one (made-up) layer.
type minimalImage struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		Env []string `json:"Env"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// imageConfig is the minimal config with env added after PATH, in name order.
func imageConfig(env map[string]string) []byte {
	img := minimalImage{Architecture: "amd64", OS: "linux"}
	img.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		img.Config.Env = append(img.Config.Env, k+"="+env[k])
	}
	img.RootFS.Type = "layers"
	img.RootFS.DiffIDs = []string{"sha256:" + strings.Repeat("0", 64)}
	dt, _ := json.Marshal(img) // a struct of strings always marshals
	return dt
}

func (r offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	return ref, "", r.config, nil
}
