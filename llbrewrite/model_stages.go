package llbrewrite

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Stage is one stage of the Dockerfile, as BuildKit's Dockerfile parser
// reads it. The frontend fills Policy.Stages; see frontend/dockerfilefacts.go.
type Stage struct {
	// Name is the name after AS, lower-cased as BuildKit keeps it; "" for
	// an unnamed stage.
	Name string `json:"name,omitempty"`
	// Base is the FROM argument as written: an image, a stage's name, or a
	// variable.
	Base string `json:"base"`
	// Line is the first line of the FROM instruction (1-based).
	Line int `json:"line"`
	// Runtime are the stage's CMD and ENTRYPOINT instructions, in order:
	// what an image of the stage runs.
	Runtime []RuntimeCommand `json:"runtime,omitempty"`
}

// RuntimeCommand is a CMD or ENTRYPOINT instruction.
type RuntimeCommand struct {
	Line       int      `json:"line"`
	Text       string   `json:"text"`                 // as written, e.g. `CMD ["pytest", "-vv"]`
	Entrypoint bool     `json:"entrypoint,omitempty"` // ENTRYPOINT rather than CMD
	Shell      bool     `json:"shell,omitempty"`      // shell form: Args is the one script
	Args       []string `json:"args"`
}

// displayName is the name BuildKit gives the i-th stage in progress names.
func (s Stage) displayName(i int) string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("stage-%d", i)
}

// stageFacts are the stages of the build and its target.
type stageFacts struct {
	list []Stage
	// target is the stage being built: --target, else the last stage;
	// defaulted says it is the last stage because no --target was given.
	target    string
	defaulted bool
	// inBuild holds the stages whose CMD and ENTRYPOINT count: those with
	// an op in the graph, and the target and the stages it is FROM.
	inBuild map[string]bool
}

// newStageFacts reads the stages from the policy, or, when the frontend
// gave none (tests, fuzzing), from the Dockerfile in the definition's
// source info with a line scanner. It names the stage of every node whose
// progress name has none (single-stage builds).
func newStageFacts(g *Graph, p Policy) stageFacts {
	sf := stageFacts{list: p.Stages, target: p.Target, inBuild: map[string]bool{}}
	if sf.list == nil {
		sf.list = scanStages(dockerfileSource(g))
	}
	if sf.target == "" && len(sf.list) > 0 {
		sf.target, sf.defaulted = sf.list[len(sf.list)-1].Name, true
	}
	for _, n := range g.Nodes {
		n.stage = stageFromName(n)
		if n.stage == "" {
			n.stage = sf.stageAtLine(n)
		}
		sf.inBuild[n.stage] = true
	}
	sf.addTargetChain()
	return sf
}

func dockerfileSource(g *Graph) []byte {
	for _, info := range g.Infos {
		if info.Language == "Dockerfile" {
			return info.Data
		}
	}
	return nil
}

// stageAtLine names the stage whose instructions hold n's source line.
func (sf stageFacts) stageAtLine(n *Node) string {
	loc := firstLocation(n)
	if loc == nil || len(sf.list) == 0 {
		return ""
	}
	line, _ := lineSpan(loc)
	// The stages are in file order: the last one starting at or before line.
	i := sort.Search(len(sf.list), func(i int) bool { return sf.list[i].Line > line }) - 1
	if i < 0 {
		return ""
	}
	return sf.list[i].displayName(i)
}

// addTargetChain puts the target stage and the stages it is built FROM
// into the build: a stage with no op of its own (FROM base AS test + CMD)
// leaves no trace in the graph, but its CMD is what the image runs.
func (sf stageFacts) addTargetChain() {
	byName := make(map[string]int, len(sf.list)) // lower-cased name → first stage
	t := -1
	for i, s := range sf.list {
		name := strings.ToLower(s.displayName(i))
		if _, dup := byName[name]; !dup {
			byName[name] = i
		}
		if name == strings.ToLower(sf.target) || (sf.defaulted && i == len(sf.list)-1) {
			t = i
		}
	}
	for seen := 0; t >= 0 && seen < len(sf.list); seen++ {
		sf.inBuild[sf.list[t].displayName(t)] = true
		next, ok := byName[strings.ToLower(sf.list[t].Base)]
		if !ok || next >= t {
			break // an image, or a name only a later stage has
		}
		t = next
	}
}

// instructionIn reports whether the first word of line is one of the
// keywords, in any case (as strings.Fields and strings.ToUpper read it).
func instructionIn(line string, keywords ...string) bool {
	line = strings.TrimLeftFunc(line, unicode.IsSpace)
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		line = line[:i]
	}
	return slices.Contains(keywords, strings.ToUpper(line))
}

// scanStages is the fallback reader of stages: FROM, CMD and ENTRYPOINT
// lines, one line each (no continuations, heredocs or escape directive).
// The frontend reads stages with BuildKit's own parser instead.
func scanStages(dockerfile []byte) []Stage {
	var out []Stage
	i := -1
	for l := range strings.SplitSeq(string(dockerfile), "\n") {
		i++
		if !instructionIn(l, "FROM", "CMD", "ENTRYPOINT") {
			continue // most lines: no need to split them
		}
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch kw := strings.ToUpper(f[0]); kw {
		case "FROM":
			s := Stage{Line: i + 1, Base: f[len(f)-1]}
			if len(f) >= 4 && strings.EqualFold(f[len(f)-2], "AS") {
				s.Name, s.Base = strings.ToLower(f[len(f)-1]), f[len(f)-3]
			}
			out = append(out, s)
		case "CMD", "ENTRYPOINT":
			if len(out) > 0 {
				rest := strings.TrimSpace(strings.TrimSpace(l)[len(f[0]):])
				rc := RuntimeCommand{Line: i + 1, Text: strings.TrimSpace(l), Entrypoint: kw == "ENTRYPOINT"}
				if json.Unmarshal([]byte(rest), &rc.Args) != nil {
					rc.Shell, rc.Args = true, []string{rest}
				}
				out[len(out)-1].Runtime = append(out[len(out)-1].Runtime, rc)
			}
		}
	}
	return out
}
