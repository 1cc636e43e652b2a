// Package llbrewrite rewrites BuildKit LLB definitions produced by the
// Dockerfile frontend so that the resulting image is smaller.
//
// It is a pure library: a *pb.Definition goes in, a new *pb.Definition and
// a list of findings come out. Rewrite decodes the definition once into a
// Graph, runs an explicit, ordered list of passes over it, and encodes it
// once, recomputing digests bottom-up and re-keying metadata and source
// locations. Unchanged ops keep their original bytes, so a definition no pass
// touches comes back byte-for-byte identical and rebuilds hit the cache.
//
// The package knows nothing of gRPC or of a BuildKit client; the frontend
// package is the glue. See docs/design.md for the rules and why each works
// the way it does.
package llbrewrite
