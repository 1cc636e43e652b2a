// Package cleanup removes from a directory tree what a Python runtime never
// needs: __pycache__ directories, tests directories inside installed
// packages, and package-manager caches.
//
// It runs inside the build, as `slim-frontend cleanup`, in an exec step that
// StageCopyCleanup inserts between a builder stage and a cross-stage COPY:
// the step mounts the builder's filesystem, and only the COPY reads the
// result. Because it sees the real files it can be careful in ways a static
// exclude pattern cannot: it keeps a tests package that its own package
// imports, bytecode that has no source beside it, setuptools and
// pkg_resources, and every path the Dockerfile copies explicitly.
package cleanup
