package llbrewrite

import (
	"fmt"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// Actions a finding reports.
const (
	ActionRewrite = "rewrite" // the rule changed the graph
	ActionSkip    = "skip"    // the rule considered a step and left it alone
)

// Finding is one decision a rule made about one Dockerfile instruction.
type Finding struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line"`
	EndLine int    `json:"endLine"`
	Stage   string `json:"stage"`
	Action  string `json:"action"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Reason  string `json:"reason"`

	// Digest is the op the finding is about, in the rewritten definition.
	Digest digest.Digest `json:"-"`
	// Location is the op's source location (file index and ranges), if known.
	Location *pb.Location `json:"-"`

	node *Node
}

// String renders a finding the way build warnings show it.
func (f Finding) String() string {
	if f.Action == ActionSkip {
		return fmt.Sprintf("%s: left %q unchanged: %s", f.Rule, f.Before, f.Reason)
	}
	return fmt.Sprintf("%s: %s", f.Rule, f.Reason)
}

// findingAt fills the position fields of f from node n.
func findingAt(n *Node, f Finding) Finding {
	f.node = n
	f.Stage = StageOf(n)
	if loc := firstLocation(n); loc != nil {
		f.Location = loc
		f.Line, f.EndLine = n.lines()
	}
	return f
}

func firstLocation(n *Node) *pb.Location {
	if n.Locations == nil || len(n.Locations.Locations) == 0 {
		return nil
	}
	return n.Locations.Locations[0]
}

func lineSpan(loc *pb.Location) (start, end int) {
	for _, r := range loc.Ranges {
		if r.Start == nil {
			continue
		}
		s, e := int(r.Start.Line), int(r.Start.Line)
		if r.End != nil && int(r.End.Line) > e {
			e = int(r.End.Line)
		}
		if start == 0 || s < start {
			start = s
		}
		if e > end {
			end = e
		}
	}
	return start, end
}
