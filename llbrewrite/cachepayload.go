package llbrewrite

import (
	"path"
	"strings"

	"github.com/moby/buildkit/solver/pb"
)

// A cache that the Dockerfile copies is the payload, not waste: a builder
// fills ~/.cache so that `COPY --from=builder /root/.cache /root/.cache`
// lets the final stage's `pip install` reuse it, or Prisma keeps its engines
// in ~/.cache/prisma-python. No rule removes or redirects such a cache, in
// the stage it is copied from or in the stage that receives it.

// namesCache reports whether p is a cache by its name (see cacheByName).
func namesCache(p string) bool { return cacheByName(p) != "" }

// cacheByName returns the part of p up to its first component named like a
// cache: .cache, cache, caches, .npm, or a name ending in -cache, _cache or
// .cache ("" when there is none).
func cacheByName(p string) string {
	parts := strings.Split(p, "/")
	for i, c := range parts {
		c = strings.ToLower(c)
		switch {
		case c == "cache", c == "caches", c == ".npm", c == "_cacache",
			strings.HasSuffix(c, ".cache"), strings.HasSuffix(c, "-cache"), strings.HasSuffix(c, "_cache"):
			return strings.Join(parts[:i+1], "/")
		}
	}
	return ""
}

// readsCacheDir reports whether a copy of p reads the cache dir: p is dir,
// lies inside it, or is a parent of it that is itself a cache
// (/root/.cache for /root/.cache/pip). A copy of / or /root is not: it
// takes the cache along, it does not ask for it.
func readsCacheDir(p, dir string) bool {
	return within(p, dir) || (within(dir, p) && namesCache(p))
}

// usedLater is readLater, and also a later COPY of a cache that holds dir,
// such as /root/.cache for /root/.cache/pip, out of n's stage or one built
// on it.
func usedLater(g *Graph, n *Node, dir, home string) string {
	if by := readLater(g, n, dir, home); by != "" {
		return by
	}
	// One pass per dir over the whole graph (model_reads.go).
	return g.facts().copiedOut(n, question{"cache-holding", dir, ""}, func(src string) bool { return readsCacheDir(src, dir) })
}

// receivedCache names the COPY that put dir, a path inside it or a cache
// that holds it into n's filesystem ("" when none did): a step after it
// that would use dir is meant to reuse what was copied.
func receivedCache(n *Node, dir string) string {
	// One pass per dir over the whole graph, memoized (model.go).
	return factsOf(n).firstOnRootfs(n, question{"received-cache", dir, ""}, func(d *Node, copies []*pb.FileActionCopy) string {
		for _, cp := range copies {
			if readsCacheDir(path.Clean("/"+cp.Dest), dir) {
				return CommandOf(d)
			}
		}
		return ""
	})
}

// walkRootfs calls visit for n and for every op n's root filesystem is
// built on: the earlier steps of its stage and of the stages it is FROM,
// not the stages it copies from. A file op comes with the copy actions
// that wrote into that filesystem. Each op is visited once, n first.
func walkRootfs(n *Node, visit func(*Node, []*pb.FileActionCopy)) {
	seen := map[*Node]bool{}
	stack := []*Node{n}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[d] {
			continue
		}
		seen[d] = true
		ins, copies := rootfsInputs(d)
		visit(d, copies)
		stack = append(stack, ins...)
	}
}

// rootfsInputs returns the ops whose result n's root filesystem starts
// from, and for a file op the copies on the way.
func rootfsInputs(n *Node) ([]*Node, []*pb.FileActionCopy) {
	switch op := n.Op.Op.(type) {
	case *pb.Op_Exec:
		for _, m := range op.Exec.Mounts {
			if m.Dest == "/" {
				return inputOf(n, m.Input), nil
			}
		}
	case *pb.Op_File:
		return fileChain(n, op.File)
	case *pb.Op_Merge, *pb.Op_Diff:
		return n.Inputs, nil
	}
	return nil, nil
}

func inputOf(n *Node, i int64) []*Node {
	if i < 0 || int(i) >= len(n.Inputs) {
		return nil
	}
	return n.Inputs[i : i+1 : i+1]
}

// fileChain follows a file op's output back through the actions it builds
// on (an action's input past the op's inputs is an earlier action's result).
func fileChain(n *Node, f *pb.FileOp) (ins []*Node, copies []*pb.FileActionCopy) {
	var a *pb.FileAction
	for _, x := range f.Actions {
		if x.Output == 0 {
			a = x
		}
	}
	for steps := 0; a != nil && steps <= len(f.Actions); steps++ {
		if cp := a.GetCopy(); cp != nil {
			copies = append(copies, cp)
		}
		i := int(a.Input)
		switch {
		case i < 0:
			return nil, copies
		case i < len(n.Inputs):
			return []*Node{n.Inputs[i]}, copies
		case i-len(n.Inputs) < len(f.Actions):
			a = f.Actions[i-len(n.Inputs)]
		default:
			return nil, copies
		}
	}
	return nil, copies
}
