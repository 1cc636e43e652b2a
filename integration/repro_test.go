package integration

import (
	"archive/tar"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/require"

	"github.com/org/slim/integration/testenv"
)

// reproEpoch is SOURCE_DATE_EPOCH for the reproducibility builds.
const reproEpoch = "1700000000"

// TestReproducible builds an example with `# syntax=org/slim` twice with
// SOURCE_DATE_EPOCH and the exporter's rewrite-timestamp=true, pruning the
// whole build cache before each, and requires the same image manifest
// digest: slim's inserted steps (the cleanup step, the rewritten RUNs) must
// not make a build unreproducible.
func TestReproducible(t *testing.T) {
	e := requireEnv(t)
	dir := filepath.Join(examplesRoot(t), "pip-venv")
	first, firstOut := reproBuild(t, e, dir, "first")
	second, _ := reproBuild(t, e, dir, "second")
	require.Contains(t, firstOut, "[slim] StageCopyCleanup", "the build has no slim step: the test would prove nothing for slim")
	require.Contains(t, firstOut, "PipNoCache:", "the build has no rewritten RUN")

	d1, err := first.Digest()
	require.NoError(t, err)
	d2, err := second.Digest()
	require.NoError(t, err)
	if d1 != d2 {
		t.Fatalf("two builds on fresh caches differ: %s vs %s\n%s", d1, d2, explainDiff(t, first, second))
	}
	cf, err := first.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, reproEpoch, fmt.Sprint(cf.Created.Unix()), "the image's created time is not SOURCE_DATE_EPOCH")
	t.Logf("pip-venv with slim, twice on fresh caches: %s", d1)
}

// reproBuild prunes the build cache and builds dir reproducibly into an OCI
// layout, returning the image and the build output.
func reproBuild(t *testing.T, e *testenv.Env, dir, name string) (v1.Image, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := e.Buildx(ctx, "", "prune", "-af")
	require.NoError(t, err, "prune: %s", out)
	dest := filepath.Join(t.TempDir(), "oci")
	out, err = e.Buildx(ctx, dir, "build", "--progress=plain", "--provenance=false",
		"--build-arg", "SOURCE_DATE_EPOCH="+reproEpoch,
		"-o", "type=oci,dest="+dest+",tar=false,rewrite-timestamp=true", ".")
	saveLog(t, name, out)
	require.NoError(t, err, "%s build:\n%s", name, out)
	imgs := layoutImages(t, dest)
	require.Len(t, imgs, 1, "%s: one platform", name)
	for _, img := range imgs {
		return img, out
	}
	panic("unreachable")
}

// explainDiff says which parts of two images differ, down to the tar
// headers of the first differing layer.
func explainDiff(t *testing.T, a, b v1.Image) string {
	var sb strings.Builder
	ca, _ := a.RawConfigFile()
	cb, _ := b.RawConfigFile()
	if string(ca) != string(cb) {
		fmt.Fprintf(&sb, "configs differ:\n%s\n%s\n", ca, cb)
	}
	la, err := a.Layers()
	require.NoError(t, err)
	lb, err := b.Layers()
	require.NoError(t, err)
	if len(la) != len(lb) {
		fmt.Fprintf(&sb, "%d vs %d layers\n", len(la), len(lb))
		return sb.String()
	}
	for i := range la {
		da, _ := la[i].Digest()
		db, _ := lb[i].Digest()
		if da == db {
			continue
		}
		ha, err := tarHeaders(la[i])
		require.NoError(t, err)
		hb, err := tarHeaders(lb[i])
		require.NoError(t, err)
		fmt.Fprintf(&sb, "layer %d: %s vs %s (%d vs %d entries)\n", i, da, db, len(ha), len(hb))
		shown := 0
		for j := 0; j < max(len(ha), len(hb)) && shown < 20; j++ {
			var x, y string
			if j < len(ha) {
				x = ha[j]
			}
			if j < len(hb) {
				y = hb[j]
			}
			if x != y {
				fmt.Fprintf(&sb, "  entry %d:\n    %s\n    %s\n", j, x, y)
				shown++
			}
		}
	}
	return sb.String()
}

// tarHeaders describes each entry of a layer, in order: name, type, mode,
// owner, size, mtime.
func tarHeaders(l v1.Layer) ([]string, error) {
	return layerEntries(l, func(h *tar.Header) string {
		return fmt.Sprintf("%s %c %o %d:%d %d %s", h.Name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Size, h.ModTime.UTC().Format(time.RFC3339Nano))
	})
}
