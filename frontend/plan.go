package frontend

import (
	"context"
	"fmt"
	"maps"

	"github.com/org/slim/internal/dfllb"
	"github.com/org/slim/llbrewrite"
)

// PlanImage stands in for the frontend image in offline plans, so a plan
// shows the mechanism a real build uses.
const PlanImage = "docker.io/org/slim:latest"

// Plan converts the Dockerfile dt offline, as a build of target with
// buildArgs would, and returns what every rule decided. The `# slim=`
// directive and a BUILDKIT_SLIM build-arg apply as in a build; the daemon is
// assumed to support every LLB feature the rules use.
func Plan(ctx context.Context, filename string, dt []byte, target string, buildArgs map[string]string) ([]llbrewrite.Finding, error) {
	directive, _, _ := Directive(dt)
	cfg, err := ParseConfig(directive, buildArgs[BuildArgKey])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filename, err)
	}
	def, err := dfllb.Convert(ctx, dt, dfllb.Options{Target: target, BuildArgs: maps.Clone(buildArgs), Filename: filename})
	if err != nil {
		return nil, &ParseError{File: filename, Err: err}
	}
	if cfg.Off() {
		return nil, nil
	}
	p := cfg.Policy(target, nil)
	p.CleanupImage = PlanImage
	_, findings, err := llbrewrite.Rewrite(def, p)
	if err != nil {
		return nil, fmt.Errorf("%s: rewrite: %w", filename, err)
	}
	return findings, nil
}

// ParseError is a Dockerfile that BuildKit's converter rejects.
type ParseError struct {
	File string
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s: %v", e.File, e.Err) }
func (e *ParseError) Unwrap() error { return e.Err }
