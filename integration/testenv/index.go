package testenv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// indexServer is a PEP 503 "simple" index on loopback serving the generated
// wheels. It sends PyPI's caching headers: without them (and a trusted host)
// pip caches nothing, and a stock-vs-slim pip cache comparison proves nothing.
type indexServer struct {
	URL      string // http://127.0.0.1:PORT/simple
	projects map[string][]wheelFile
	srv      *http.Server
	done     chan error
}

type wheelFile struct {
	name   string
	data   []byte
	sha256 string
}

func startIndex(wheelDir string, dists []Dist) (*indexServer, error) {
	s := &indexServer{projects: map[string][]wheelFile{}, done: make(chan error, 1)}
	for _, d := range dists {
		data, err := os.ReadFile(filepath.Join(wheelDir, d.WheelName()))
		if err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		sum := sha256.Sum256(data)
		n := NormalizeName(d.Name)
		s.projects[n] = append(s.projects[n], wheelFile{name: d.WheelName(), data: data, sha256: hex.EncodeToString(sum[:])})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("index: listen: %w", err)
	}
	s.URL = "http://" + ln.Addr().String() + "/simple"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /simple/{$}", s.serveRoot)
	mux.HandleFunc("GET /simple/{project}/{$}", s.serveProject)
	mux.HandleFunc("GET /simple/{project}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.PathValue("project")+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /packages/{file}", s.serveFile)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	go func() { s.done <- s.srv.Serve(ln) }()
	if err := serveStable(s, dists); err != nil {
		s.srv.Close()
		return nil, err
	}
	return s, nil
}

func (s *indexServer) serveRoot(w http.ResponseWriter, _ *http.Request) {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, p := range sortedKeys(s.projects) {
		fmt.Fprintf(&b, "<a href=\"%s/\">%s</a><br/>\n", p, html.EscapeString(p))
	}
	b.WriteString("</body></html>\n")
	writePage(w, b.Bytes())
}

func (s *indexServer) serveProject(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("project")
	if n := NormalizeName(name); n != name {
		http.Redirect(w, r, "../"+n+"/", http.StatusMovedPermanently)
		return
	}
	files, ok := s.projects[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><body><h1>Links for %s</h1>\n", html.EscapeString(name))
	for _, f := range files {
		fmt.Fprintf(&b, "<a href=\"../../packages/%s#sha256=%s\">%s</a><br/>\n", f.name, f.sha256, html.EscapeString(f.name))
	}
	b.WriteString("</body></html>\n")
	writePage(w, b.Bytes())
}

// writePage serves an index page with a short max-age, as PyPI does.
func writePage(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=600, public")
	w.Write(body)
}

func (s *indexServer) serveFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	for _, files := range s.projects {
		for _, f := range files {
			if f.name != name {
				continue
			}
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Cache-Control", "max-age=31536000, immutable, public")
			w.Header().Set("ETag", `"`+f.sha256+`"`)
			http.ServeContent(w, r, f.name, layerEpoch, bytes.NewReader(f.data))
			return
		}
	}
	http.NotFound(w, r)
}

func (s *indexServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
	if err := <-s.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}
