package llbrewrite

import (
	"fmt"
	"runtime/debug"

	"github.com/moby/buildkit/solver/pb"
)

// Policy is what the user asked for. The zero value runs every rule.
type Policy struct {
	// Skip names rules that must not run.
	Skip map[string]bool
	// Target is the Dockerfile target being built ("" for the last stage;
	// Rewrite then gives the passes the last stage's name, which counts
	// exactly like an explicit --target).
	Target string
	// Stages are the Dockerfile's stages in order, read by the frontend
	// with BuildKit's own parser. nil when unknown: they are then read from
	// the Dockerfile in the definition's source info with a line scanner.
	Stages []Stage
	// KeepPycache keeps __pycache__ and *.pyc in stage copies.
	KeepPycache bool
	// Caps records, for each of OptionalCaps, whether the daemon supports it;
	// a cap missing from a non-nil map is unsupported, and rules fall back.
	// nil means unknown (plan, offline): a current BuildKit is assumed.
	Caps map[string]bool
	// CleanupImage is the image reference (pinned by digest) holding
	// /bin/slim-frontend, run by StageCopyCleanup; "" when unknown.
	CleanupImage string
	// CleanupPlatform is the platform of CleanupImage.
	CleanupPlatform *pb.Platform
	// Poetry is what the frontend read of the build context's
	// pyproject.toml files; nil when unknown (groups taken as main + dev).
	Poetry *PoetryProject
}

// OptionalCaps are the LLB capabilities some rule uses when the daemon has
// them.
var OptionalCaps = []string{
	capCopyExcludePatterns,
	capExecMountTmpfs,
}

func (p Policy) enabled(rule string) bool { return !p.Skip[rule] }

func (p Policy) supports(capID string) bool { return p.Caps == nil || p.Caps[capID] }

// Pass is one rewrite rule.
type Pass interface {
	// Name is the rule's stable CamelCase name.
	Name() string
	// Run edits g in place and reports every decision through report.
	Run(g *Graph, p Policy, report func(Finding))
}

// Passes returns the rules in the order they run. Order matters: rules that
// edit commands run before StageCopyCleanup inspects what the stages produce.
func Passes() []Pass {
	return []Pass{
		PipNoCache{},
		PoetryNoCache{},
		PoetryOnlyMain{},
		StageCopyCleanup{},
	}
}

// RuleNames lists every rule name, in run order.
func RuleNames() []string {
	var out []string
	for _, p := range Passes() {
		out = append(out, p.Name())
	}
	return out
}

// Rewrite runs every enabled pass over def and returns the rewritten
// definition and the findings. def is not modified. A panic inside a pass is
// returned as an error, so the caller can fall back to def.
func Rewrite(def *pb.Definition, p Policy) (out *pb.Definition, findings []Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, findings = nil, nil
			err = fmt.Errorf("rewrite panicked: %v\n%s", r, debug.Stack())
		}
	}()
	g, err := Decode(def)
	if err != nil {
		return nil, nil, err
	}
	g.model = newModel(g, p)
	p.Target = g.model.stages.target
	for _, pass := range Passes() {
		if !p.enabled(pass.Name()) {
			continue
		}
		pass.Run(g, p, func(f Finding) {
			findings = append(findings, f)
		})
		g.settle()
	}
	out, err = g.Encode()
	if err != nil {
		return nil, nil, err
	}
	for i := range findings {
		if n := findings[i].node; n != nil {
			findings[i].Digest = n.Digest()
		}
	}
	return out, findings, nil
}
