package frontend

import (
	"context"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/solver/pb"
)

// optSource is the option through which BuildKit tells a gateway frontend
// which image it was started from (`# syntax=org/slim` → "org/slim").
const optSource = "source"

// selfImage resolves the image this frontend runs from, pinned by digest,
// for StageCopyCleanup's exec step, once per build. It returns "" when the
// frontend was not started from an image reference.
func (ic *interceptor) selfImage(ctx context.Context) (string, *pb.Platform) {
	ic.selfOnce.Do(func() {
		ic.self, ic.selfPlatform, ic.selfErr = resolveSelf(ctx, ic.Client, ic.opts.Opts[optSource], ic.nativePlatform())
	})
	if ic.selfErr != nil {
		ic.warnOnce(ctx, nil, "slim: StageCopyCleanup cannot use the frontend image: "+ic.selfErr.Error())
	}
	return ic.self, ic.selfPlatform
}

func resolveSelf(ctx context.Context, c sourceresolver.ImageMetaResolver, source string, p *pb.Platform) (string, *pb.Platform, error) {
	if source == "" {
		return "", nil, nil
	}
	named, err := reference.ParseNormalizedNamed(source)
	if err != nil {
		return "", nil, fmt.Errorf("parse source %q: %w", source, err)
	}
	if _, pinned := named.(reference.Canonical); pinned {
		return named.String(), p, nil
	}
	named = reference.TagNameOnly(named)
	opt := sourceresolver.Opt{ImageOpt: &sourceresolver.ResolveImageOpt{}}
	if p != nil {
		opt.ImageOpt.Platform = &platforms.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
	}
	_, dgst, _, err := c.ResolveImageConfig(ctx, named.String(), opt)
	if err != nil {
		return "", nil, fmt.Errorf("resolve %s: %w", named, err)
	}
	if dgst == "" {
		return "", nil, fmt.Errorf("resolve %s: no digest", named)
	}
	return named.String() + "@" + dgst.String(), p, nil
}

// nativePlatform is the first platform of the first worker: where the
// cleanup step runs (it only deletes files, so the build's target platform
// does not matter).
func (ic *interceptor) nativePlatform() *pb.Platform {
	for _, w := range ic.opts.Workers {
		for _, p := range w.Platforms {
			return &pb.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
		}
	}
	return nil
}
