package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// registryServer is go-containerregistry's registry, in process, on a free
// loopback port. Blobs live on disk (buildkit pushes and pulls hundreds of MB);
// manifests are in memory.
type registryServer struct {
	Addr string // 127.0.0.1:PORT
	srv  *http.Server
	logf *os.File
	done chan error
}

// startRegistry serves from dir (blobs/ and registry.log).
func startRegistry(dir string) (*registryServer, error) {
	blobs := filepath.Join(dir, "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		logf.Close()
		return nil, fmt.Errorf("registry: listen: %w", err)
	}
	h := registry.New(
		registry.Logger(log.New(logf, "", log.LstdFlags)),
		registry.WithBlobHandler(diskBlobs{dir: blobs}),
	)
	r := &registryServer{
		Addr: ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second},
		logf: logf,
		done: make(chan error, 1),
	}
	go func() { r.done <- r.srv.Serve(ln) }()
	return r, nil
}

func (r *registryServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		r.srv.Close()
	}
	err := <-r.done
	r.logf.Close()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// diskBlobs stores blobs as files named by digest. Unlike the library's disk
// handler, Stat does not re-hash the blob on every HEAD: the registry verifies
// digests on upload, and Put renames only verified content into place.
type diskBlobs struct{ dir string }

func (d diskBlobs) path(h v1.Hash) string { return filepath.Join(d.dir, h.Algorithm, h.Hex) }

func (d diskBlobs) Stat(_ context.Context, _ string, h v1.Hash) (int64, error) {
	fi, err := os.Stat(d.path(h))
	if errors.Is(err, os.ErrNotExist) {
		return 0, registry.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (d diskBlobs) Get(_ context.Context, _ string, h v1.Hash) (io.ReadCloser, error) {
	f, err := os.Open(d.path(h))
	if errors.Is(err, os.ErrNotExist) {
		return nil, registry.ErrNotFound
	}
	return f, err
}

func (d diskBlobs) Put(_ context.Context, _ string, h v1.Hash, rc io.ReadCloser) error {
	defer rc.Close()
	if err := os.MkdirAll(filepath.Join(d.dir, h.Algorithm), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(d.path(h), func(w io.Writer) error {
		_, err := io.Copy(w, rc)
		return err
	})
}
