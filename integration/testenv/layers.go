package testenv

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// layerEpoch is the mtime of files the harness generates, for stable digests.
var layerEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// gzipCommandOutput runs cmd and gzips its standard output into w.
func gzipCommandOutput(cmd *exec.Cmd, w io.Writer) error {
	zw := gzip.NewWriter(w)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = zw, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, tail(stderr.Bytes(), 2000))
	}
	return zw.Close()
}

// writeTarGz writes the tar that fill produces, gzipped, into w.
func writeTarGz(w io.Writer, fill func(tw *tar.Writer) error) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	if err := fill(tw); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// layerFromFile opens a cached .tar.gz as an OCI layer without recompressing.
func layerFromFile(path string) (v1.Layer, error) {
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(path) },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", path, err)
	}
	return l, nil
}

// layerFromFiles builds a small in-memory layer of regular files, owned by
// root with a fixed mtime; their directories must exist in a lower layer.
func layerFromFiles(files map[string]string) (v1.Layer, error) {
	var buf bytes.Buffer
	err := writeTarGz(&buf, func(tw *tar.Writer) error {
		for _, name := range sortedKeys(files) {
			hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), ModTime: layerEpoch, Typeflag: tar.TypeReg}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := io.WriteString(tw, files[name]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// goToolchainLayer is the host's GOROOT as /usr/local/go plus an empty,
// world-writable GOPATH /go, as in the official golang image; cached by the
// toolchain's version and location.
func goToolchainLayer(ctx context.Context, cacheDir string) (string, bool, error) {
	vals, err := goEnv(ctx, "", "GOROOT", "GOVERSION")
	if err != nil {
		return "", false, err
	}
	goroot := vals[0]
	version, _ := os.ReadFile(filepath.Join(goroot, "VERSION"))
	out := filepath.Join(cacheDir, "layers", "go-"+contentKey(goroot, vals[1], string(version))+".tar.gz")
	cached, err := cachedFile(out, func(w io.Writer) error {
		return writeTarGz(w, func(tw *tar.Writer) error {
			for _, d := range []string{"go/", "go/bin/", "go/src/"} {
				hdr := &tar.Header{Name: d, Mode: 0o1777, ModTime: layerEpoch, Typeflag: tar.TypeDir}
				if err := tw.WriteHeader(hdr); err != nil {
					return err
				}
			}
			return tarTree(tw, goroot, "usr/local/go")
		})
	})
	if err != nil {
		return "", false, fmt.Errorf("go toolchain layer: %w", err)
	}
	return out, cached, nil
}

// tarTree adds the tree at src to tw under the name prefix, owned by root.
func tarTree(tw *tar.Writer, src, prefix string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(path); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(filepath.Join(prefix, rel))
		if d.IsDir() {
			hdr.Name += "/"
		}
		hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
		hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
}

// frontendLayer is the static dockerfile-frontend binary as
// /bin/dockerfile-frontend, cached next to the tools it was built with.
func frontendLayer(tools *Tools) (string, bool, error) {
	out := filepath.Join(tools.Dir, "dockerfile-frontend-layer.tar.gz")
	cached, err := cachedFile(out, func(w io.Writer) error {
		return writeTarGz(w, func(tw *tar.Writer) error {
			if err := tw.WriteHeader(&tar.Header{Name: "bin/", Mode: 0o755, ModTime: layerEpoch, Typeflag: tar.TypeDir}); err != nil {
				return err
			}
			f, err := os.Open(tools.DockerfileFrontend)
			if err != nil {
				return err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			hdr := &tar.Header{Name: "bin/dockerfile-frontend", Mode: 0o755, Size: fi.Size(), ModTime: layerEpoch, Typeflag: tar.TypeReg}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			_, err = io.Copy(tw, f)
			return err
		})
	})
	if err != nil {
		return "", false, fmt.Errorf("frontend layer: %w", err)
	}
	return out, cached, nil
}
