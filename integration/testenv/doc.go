// Package testenv brings up the offline end-to-end environment slim's
// integration tests and examples run against: a local OCI registry standing in
// for Docker Hub, a rootful buildkitd (OCI worker, runc) that mirrors
// docker.io to it, stand-in base images built from Debian packages, the stock
// Dockerfile frontend as docker/dockerfile:1, a loopback PEP 503 index of
// generated wheels, and the real docker CLI with the buildx plugin pointed at
// the daemon through a private DOCKER_CONFIG.
//
// Everything slow (tool binaries, root filesystems, layers, wheels) is cached
// under one directory (see CacheDir), keyed by content and written atomically;
// everything else lives in a temporary directory that Close removes.
package testenv
