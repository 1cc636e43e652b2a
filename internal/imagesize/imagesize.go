// Package imagesize measures an image exported as an OCI layout: per-layer
// and total sizes, compressed (as pushed) and uncompressed (as unpacked),
// with the instruction that made each layer.
package imagesize

import (
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Layer is one layer of an image.
type Layer struct {
	CreatedBy    string // from the config history, e.g. "RUN /bin/sh -c pip install … # buildkit"
	Compressed   int64
	Uncompressed int64
}

// Image is the measured image.
type Image struct {
	Layers []Layer
}

// Compressed is the sum of the layers' compressed sizes.
func (img Image) Compressed() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Compressed
	}
	return n
}

// Uncompressed is the sum of the layers' uncompressed sizes.
func (img Image) Uncompressed() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Uncompressed
	}
	return n
}

// Read measures the image in the OCI layout directory dir (as written by
// `docker buildx build -o type=oci,dest=DIR,tar=false`), for the first
// image manifest that is not an attestation.
func Read(dir string) (Image, error) {
	img, err := Open(dir)
	if err != nil {
		return Image{}, err
	}
	return measure(img)
}

// Open returns the first image manifest in the OCI layout directory dir
// that is not an attestation.
func Open(dir string) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("read OCI layout %s: %w", dir, err)
	}
	img, err := firstImage(idx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return img, nil
}

// firstImage walks nested indexes to the first runnable image manifest,
// skipping attestations.
func firstImage(idx v1.ImageIndex) (v1.Image, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range m.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" ||
			(d.Platform != nil && d.Platform.OS == "unknown") {
			continue
		}
		if d.MediaType.IsIndex() {
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return nil, err
			}
			if img, err := firstImage(child); err == nil {
				return img, nil
			}
			continue
		}
		if d.MediaType.IsImage() {
			return idx.Image(d.Digest)
		}
	}
	return nil, fmt.Errorf("no image manifest in the index")
}

func measure(img v1.Image) (Image, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return Image{}, err
	}
	layers, err := img.Layers()
	if err != nil {
		return Image{}, err
	}
	var history []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			history = append(history, strings.TrimSpace(strings.TrimSuffix(h.CreatedBy, "# buildkit")))
		}
	}
	var out Image
	for i, l := range layers {
		c, err := l.Size()
		if err != nil {
			return Image{}, err
		}
		u, err := uncompressedSize(l)
		if err != nil {
			return Image{}, err
		}
		by := ""
		if i < len(history) {
			by = history[i]
		}
		out.Layers = append(out.Layers, Layer{CreatedBy: by, Compressed: c, Uncompressed: u})
	}
	return out, nil
}

func uncompressedSize(l v1.Layer) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}
