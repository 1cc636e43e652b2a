package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"

	"github.com/org/slim/integration/testenv"
)

// multiArchPlatforms are the platforms the frontend image is published for,
// with the ELF machine each one's binary must be built for.
var multiArchPlatforms = map[string]elf.Machine{
	"linux/amd64": elf.EM_X86_64,
	"linux/arm64": elf.EM_AARCH64,
}

// TestMultiArch publishes the frontend image for linux/amd64 and linux/arm64
// from the repo's Dockerfile and checks the pushed index: one manifest per
// platform, each config naming its architecture, each binary compiled for
// it. The Dockerfile cross-compiles on the build platform (CI has no
// emulation: a RUN for the other architecture would fail there). Then a
// user's multi-platform build through that image: StageCopyCleanup's step
// is one vertex on the worker's native platform, and both platforms get
// the same cleaned layer.
func TestMultiArch(t *testing.T) {
	e := requireEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	root := repoRoot(t)
	ref := e.Registry + "/slim-e2e/slim-multiarch:latest"
	start := time.Now()
	out, err := e.Buildx(ctx, root, "build", "--progress=plain", "--provenance=false",
		"--platform", "linux/amd64,linux/arm64", "--push", "-t", ref, ".")
	saveLog(t, "publish", out)
	require.NoError(t, err, out)
	t.Logf("multi-platform publish in %.1fs", time.Since(start).Seconds())
	// BuildKit names a stage that runs on another platform than it builds
	// for "[linux/amd64->arm64 …]": the compiler ran natively.
	require.Regexp(t, `\[linux/[a-z0-9]+->[a-z0-9]+ build *[0-9]+/[0-9]+\] RUN .*go build`, out, "no binary was cross-compiled on the build platform")

	checkFrontendIndex(t, ref)
	multiPlatformUserBuild(t, e, ref)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	return filepath.Dir(examplesRoot(t))
}

// checkFrontendIndex reads ref from the registry: an index with exactly
// the expected platforms, each a gateway frontend image for its platform.
func checkFrontendIndex(t *testing.T, ref string) {
	t.Helper()
	r, err := name.ParseReference(ref)
	require.NoError(t, err)
	idx, err := remote.Index(r)
	require.NoError(t, err, "%s is not an image index", ref)
	im, err := idx.IndexManifest()
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, desc := range im.Manifests {
		require.NotNil(t, desc.Platform, "manifest %s has no platform", desc.Digest)
		plat := desc.Platform.OS + "/" + desc.Platform.Architecture
		machine, ok := multiArchPlatforms[plat]
		require.True(t, ok, "unexpected platform %s in the index", plat)
		require.False(t, seen[plat], "platform %s twice in the index", plat)
		seen[plat] = true

		img, err := idx.Image(desc.Digest)
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		require.Equal(t, desc.Platform.OS, cf.OS, "%s: config os", plat)
		require.Equal(t, desc.Platform.Architecture, cf.Architecture, "%s: config architecture", plat)
		require.Equal(t, []string{"/bin/slim-frontend"}, cf.Config.Entrypoint, "%s: entrypoint", plat)
		require.Contains(t, cf.Config.Labels["moby.buildkit.frontend.caps"], "moby.buildkit.frontend.subrequests", "%s: caps label", plat)

		got, err := binaryMachine(img, "bin/slim-frontend")
		require.NoError(t, err, plat)
		require.Equal(t, machine, got, "%s: /bin/slim-frontend is built for the wrong machine", plat)
		t.Logf("%s: %s, config %s/%s, /bin/slim-frontend %s", plat, desc.Digest, cf.OS, cf.Architecture, got)
	}
	require.Len(t, seen, len(multiArchPlatforms), "index platforms: %v", seen)
}

// binaryMachine returns the ELF machine of the file at path in img's layers.
func binaryMachine(img v1.Image, path string) (elf.Machine, error) {
	layers, err := img.Layers()
	if err != nil {
		return 0, err
	}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			return 0, err
		}
		head, found, err := readTarFileHead(rc, path, 64)
		rc.Close()
		if err != nil {
			return 0, err
		}
		if !found {
			continue
		}
		var hdr elf.Header64 // the machine field sits where it does in Header32
		if len(head) < binary.Size(hdr) || !bytes.HasPrefix(head, []byte(elf.ELFMAG)) {
			return 0, fmt.Errorf("%s is not an ELF file", path)
		}
		if err := binary.Read(bytes.NewReader(head), binary.LittleEndian, &hdr); err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		return elf.Machine(hdr.Machine), nil
	}
	return 0, fmt.Errorf("%s not found in the image", path)
}

// readTarFileHead returns the first n bytes of the entry named path.
func readTarFileHead(r io.Reader, path string, n int64) ([]byte, bool, error) {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if strings.TrimPrefix(hdr.Name, "./") == path {
			b, err := io.ReadAll(io.LimitReader(tr, n))
			return b, true, err
		}
	}
}

// multiPlatformDockerfile installs into a virtualenv on the build platform,
// as cross-building Dockerfiles do, and copies it into a final stage for
// each target platform: StageCopyCleanup cleans the venv before the copy.
const multiPlatformDockerfile = `# syntax=%s
FROM --platform=$BUILDPLATFORM python:3.11-slim AS builder
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install tinypkg

FROM scratch
COPY --from=builder /opt/venv /opt/venv
`

// multiPlatformUserBuild builds multiPlatformDockerfile for linux/amd64 and
// linux/arm64 with frontend as its syntax. If the cleanup step ran on the
// target platform it would be two vertices, one running slim's binary for
// the other architecture (which fails without emulation); it must be one,
// native, and give both platforms the same layer.
func multiPlatformUserBuild(t *testing.T, e *testenv.Env, frontend string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), fmt.Appendf(nil, multiPlatformDockerfile, frontend), 0o644))
	dest := filepath.Join(t.TempDir(), "oci")
	out, err := e.Buildx(ctx, dir, "build", "--progress=plain", "--provenance=false",
		"--platform", "linux/amd64,linux/arm64", "-o", "type=oci,dest="+dest+",tar=false", ".")
	saveLog(t, "user-build", out)
	require.NoError(t, err, out)
	require.Contains(t, out, "StageCopyCleanup:", "no StageCopyCleanup warning")
	steps := regexp.MustCompile(`(?m)^#([0-9]+) \[slim\] StageCopyCleanup: clean /opt/venv`).FindAllStringSubmatch(out, -1)
	ids := map[string]bool{}
	for _, m := range steps {
		ids[m[1]] = true
	}
	require.Len(t, ids, 1, "the cleanup step must be one vertex for both platforms (native, not per target platform):\n%s", out)
	require.Equal(t, 1, strings.Count(out, "slim cleanup: total"), "the cleanup ran more than once:\n%s", out)

	venvLayer := map[string]v1.Hash{}
	for plat, img := range layoutImages(t, dest) {
		layers, err := img.Layers()
		require.NoError(t, err)
		require.Len(t, layers, 1, "%s: FROM scratch + one COPY", plat)
		d, err := layers[0].Digest()
		require.NoError(t, err)
		venvLayer[plat] = d
		files, err := layerPaths(layers[0])
		require.NoError(t, err)
		require.Contains(t, files, "opt/venv/bin/python3", plat)
		for _, f := range files {
			require.NotContains(t, f, "__pycache__", "%s: the copy was not cleaned", plat)
		}
	}
	require.Len(t, venvLayer, len(multiArchPlatforms))
	require.Equal(t, venvLayer["linux/amd64"], venvLayer["linux/arm64"], "the platforms got different cleaned layers")
}

// layoutImages reads every platform image of the OCI layout at dir.
func layoutImages(t *testing.T, dir string) map[string]v1.Image {
	t.Helper()
	p, err := layout.FromPath(dir)
	require.NoError(t, err)
	top, err := p.ImageIndex()
	require.NoError(t, err)
	out := map[string]v1.Image{}
	var walk func(idx v1.ImageIndex)
	walk = func(idx v1.ImageIndex) {
		im, err := idx.IndexManifest()
		require.NoError(t, err)
		for _, desc := range im.Manifests {
			if desc.MediaType.IsIndex() {
				child, err := idx.ImageIndex(desc.Digest)
				require.NoError(t, err)
				walk(child)
				continue
			}
			require.NotNil(t, desc.Platform, "manifest %s has no platform", desc.Digest)
			img, err := idx.Image(desc.Digest)
			require.NoError(t, err)
			out[desc.Platform.OS+"/"+desc.Platform.Architecture] = img
		}
	}
	walk(top)
	return out
}

// layerPaths lists the entry names of a layer.
func layerPaths(l v1.Layer) ([]string, error) {
	return layerEntries(l, func(h *tar.Header) string {
		return strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")
	})
}

// layerEntries describes each entry of a layer's tar stream, in order.
func layerEntries(l v1.Layer, describe func(*tar.Header) string) ([]string, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, describe(h))
	}
}
