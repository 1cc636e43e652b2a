// Package frontend is the BuildKit glue of slim: it runs BuildKit's own
// Dockerfile builder against an intercepting gateway client whose Solve
// rewrites every build definition with llbrewrite, reports each finding as a
// build warning at its Dockerfile line, and falls back to the unmodified
// definition when a rewrite fails (unless strict=true).
package frontend
