package llbrewrite

import (
	"fmt"

	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/proto"
)

// Node is one op of a definition together with what BuildKit keeps beside it.
type Node struct {
	Op        *pb.Op
	Meta      *pb.OpMetadata
	Locations *pb.Locations
	// Inputs are the nodes Op.Inputs point at, in the same order.
	Inputs []*Node

	orig    digest.Digest // digest in the decoded definition; "" for new nodes
	raw     []byte        // original bytes, reused when nothing changed
	dirty   bool          // Op was modified in place
	stage   string        // stage name when the progress name lacks one
	encoded digest.Digest // set by Encode
}

// Graph is a decoded definition. Nodes are in definition order, which is
// topological: every input precedes the nodes that read it. The last node is
// the terminal vertex, an op with no payload whose single input is the result.
type Graph struct {
	Nodes  []*Node
	Infos  []*pb.SourceInfo
	byOrig map[digest.Digest]*Node
}

// Decode parses def into a graph. def is not modified.
func Decode(def *pb.Definition) (*Graph, error) {
	if def == nil || len(def.Def) == 0 {
		return nil, fmt.Errorf("decode: empty definition")
	}
	g := &Graph{byOrig: make(map[digest.Digest]*Node, len(def.Def))}
	if def.Source != nil {
		g.Infos = def.Source.Infos
	}
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.Unmarshal(dt); err != nil {
			return nil, fmt.Errorf("decode: op %d: %w", i, err)
		}
		dgst := digest.FromBytes(dt)
		n := &Node{Op: &op, orig: dgst, raw: dt, Meta: def.Metadata[string(dgst)]}
		if def.Source != nil {
			n.Locations = def.Source.Locations[string(dgst)]
		}
		for j, in := range op.Inputs {
			src, ok := g.byOrig[digest.Digest(in.Digest)]
			if !ok {
				return nil, fmt.Errorf("decode: op %s input %d: unknown digest %s", dgst, j, in.Digest)
			}
			n.Inputs = append(n.Inputs, src)
		}
		if _, dup := g.byOrig[dgst]; dup {
			continue // BuildKit tolerates duplicates; keep the first.
		}
		g.byOrig[dgst] = n
		g.Nodes = append(g.Nodes, n)
	}
	g.nameStages()
	return g, nil
}

// MarkChanged records that n.Op was edited in place and must be re-encoded.
func (n *Node) MarkChanged() { n.dirty = true }

// Digest is the node's digest in the most recent encoding, or its original
// digest before any encoding.
func (n *Node) Digest() digest.Digest {
	if n.encoded != "" {
		return n.encoded
	}
	return n.orig
}

// Terminal returns the last node of the definition.
func (g *Graph) Terminal() *Node { return g.Nodes[len(g.Nodes)-1] }

// InsertBefore adds n to the graph immediately before at, keeping the
// definition topologically ordered (n's inputs must already precede at).
func (g *Graph) InsertBefore(at, n *Node) {
	for i, x := range g.Nodes {
		if x == at {
			g.Nodes = append(g.Nodes[:i], append([]*Node{n}, g.Nodes[i:]...)...)
			n.dirty = true
			return
		}
	}
	panic("llbrewrite: InsertBefore: node not in graph")
}

// Consumers returns, for every node, the nodes that read it, in definition order.
func (g *Graph) Consumers() map[*Node][]*Node {
	out := make(map[*Node][]*Node, len(g.Nodes))
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			out[in] = append(out[in], n)
		}
	}
	return out
}

// Encode recomputes digests bottom-up and returns a new definition. Nodes that
// were not edited and whose inputs kept their digests keep their original
// bytes. Metadata and source locations are re-keyed to the new digests.
func (g *Graph) Encode() (*pb.Definition, error) {
	def := &pb.Definition{Metadata: make(map[string]*pb.OpMetadata, len(g.Nodes))}
	var locs map[string]*pb.Locations
	if g.Infos != nil {
		locs = map[string]*pb.Locations{}
	}
	seen := make(map[digest.Digest]bool, len(g.Nodes))
	for _, n := range g.Nodes {
		dt, err := n.encode()
		if err != nil {
			return nil, err
		}
		n.encoded = digest.FromBytes(dt)
		if seen[n.encoded] {
			continue // two nodes became identical: one op is enough
		}
		seen[n.encoded] = true
		def.Def = append(def.Def, dt)
		if n.Meta != nil {
			def.Metadata[string(n.encoded)] = n.Meta
		}
		if n.Locations != nil && locs != nil {
			locs[string(n.encoded)] = n.Locations
		}
	}
	if g.Infos != nil {
		def.Source = &pb.Source{Infos: g.Infos, Locations: locs}
	}
	return def, nil
}

func (n *Node) encode() ([]byte, error) {
	changed := n.dirty || n.raw == nil
	if len(n.Inputs) != len(n.Op.Inputs) {
		return nil, fmt.Errorf("encode: op %s has %d inputs but %d input nodes", n.orig, len(n.Op.Inputs), len(n.Inputs))
	}
	for i, in := range n.Inputs {
		d := string(in.Digest())
		if n.Op.Inputs[i].Digest != d {
			n.Op.Inputs[i].Digest = d
			changed = true
		}
	}
	if !changed {
		return n.raw, nil
	}
	dt, err := n.Op.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encode: marshal op: %w", err)
	}
	return dt, nil
}

// sourceNode returns the graph's source op for identifier on platform,
// adding one (placed first, as it has no inputs) if there is none.
func (g *Graph) sourceNode(identifier string, platform *pb.Platform) *Node {
	for _, n := range g.Nodes {
		if s := n.Op.GetSource(); s != nil && s.Identifier == identifier && len(s.Attrs) == 0 && proto.Equal(n.Op.Platform, platform) {
			return n
		}
	}
	n := &Node{Op: &pb.Op{Op: &pb.Op_Source{Source: &pb.SourceOp{Identifier: identifier}}, Platform: platform}, dirty: true}
	g.Nodes = append([]*Node{n}, g.Nodes...)
	return n
}
