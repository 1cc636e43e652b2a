package testenv

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/org/slim/internal/imagesize"
)

// Image is a built image read back from an OCI tarball
// (`docker buildx build -o type=oci,dest=X.tar`), with its layers flattened.
type Image struct {
	Config *v1.ConfigFile
	Layers []LayerInfo
	// Files maps each path of the flattened filesystem (relative, no leading
	// slash, e.g. "usr/bin/python3") to its entry, whiteouts applied.
	Files map[string]File
}

// LayerInfo describes one layer as the manifest lists it.
type LayerInfo struct {
	Digest string
	Size   int64 // compressed
}

// File is one entry of the flattened filesystem.
type File struct {
	Type     byte // tar.TypeReg, tar.TypeDir, tar.TypeSymlink …
	Size     int64
	Linkname string
}

// CompressedSize is the sum of the layers' compressed sizes.
func (img *Image) CompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Size
	}
	return n
}

// FilesSize is the sum of the sizes of the regular files.
func (img *Image) FilesSize() int64 {
	var n int64
	for _, f := range img.Files {
		if f.Type == tar.TypeReg {
			n += f.Size
		}
	}
	return n
}

// ReadOCITarball reads the image for the host platform (skipping attestation
// manifests) from an OCI layout tarball.
func ReadOCITarball(tarball string) (*Image, error) {
	dir, err := os.MkdirTemp("", "slim-oci-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := untarFiles(tarball, dir); err != nil {
		return nil, fmt.Errorf("read %s: %w", tarball, err)
	}
	v1img, err := imagesize.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", tarball, err)
	}
	img, err := describe(v1img)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", tarball, err)
	}
	return img, nil
}

func describe(v1img v1.Image) (*Image, error) {
	cfg, err := v1img.ConfigFile()
	if err != nil {
		return nil, err
	}
	layers, err := v1img.Layers()
	if err != nil {
		return nil, err
	}
	img := &Image{Config: cfg, Files: map[string]File{}}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		img.Layers = append(img.Layers, LayerInfo{Digest: d.String(), Size: size})
	}
	rc := mutate.Extract(v1img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("flatten layers: %w", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		if name == "" {
			continue
		}
		img.Files[name] = File{Type: hdr.Typeflag, Size: hdr.Size, Linkname: hdr.Linkname}
	}
	return img, nil
}

// untarFiles extracts the regular files and directories of an OCI layout
// tarball into dir.
func untarFiles(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + hdr.Name)
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := copyToFile(target, tr); err != nil {
				return err
			}
		}
	}
}

func copyToFile(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
