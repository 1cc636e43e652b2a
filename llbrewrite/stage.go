package llbrewrite

import (
	"fmt"
	"strings"
)

// Description keys the Dockerfile frontend sets on ops.
const (
	descCustomName = "llb.customname"
	descCommand    = "com.docker.dockerfile.v1.command"
)

// StageOf returns the Dockerfile stage an op belongs to, read from the
// progress name the Dockerfile frontend gives it ("[builder 3/7] RUN …",
// "[linux/amd64 builder 3/7] RUN …"); "" when the op has none.
func StageOf(n *Node) string {
	if n.stage != "" {
		return n.stage
	}
	return stageFromName(n)
}

func stageFromName(n *Node) string {
	name := customName(n)
	if !strings.HasPrefix(name, "[") {
		return ""
	}
	end := strings.Index(name, "]")
	if end < 0 {
		return ""
	}
	fields := strings.Fields(name[1:end])
	// The last field is "i/n"; the one before it, if any, is the stage name,
	// unless it is the platform prefix.
	if len(fields) < 2 {
		return ""
	}
	s := fields[len(fields)-2]
	if strings.Contains(s, "/") && len(fields) == 2 && looksLikePlatform(s) {
		return ""
	}
	return s
}

// CommandOf returns the Dockerfile instruction an op came from, as the
// frontend recorded it ("RUN pip install x"), or "". COPY ops carry no
// command key; their progress name holds the instruction after the prefix.
func CommandOf(n *Node) string {
	if n.Meta == nil {
		return ""
	}
	if c := n.Meta.Description[descCommand]; c != "" {
		return c
	}
	name := customName(n)
	if strings.HasPrefix(name, "[") {
		if _, rest, ok := strings.Cut(name, "] "); ok {
			return rest
		}
	}
	return name
}

func customName(n *Node) string {
	if n.Meta == nil {
		return ""
	}
	return n.Meta.Description[descCustomName]
}

func looksLikePlatform(s string) bool {
	os, _, _ := strings.Cut(s, "/")
	switch os {
	case "linux", "windows", "darwin", "freebsd":
		return true
	}
	return false
}

// fromLine is a FROM instruction: its line and the stage name it declares.
type fromLine struct {
	line int
	name string
}

// scanStages finds the FROM lines of a Dockerfile. It is deliberately
// simple (FROM is one line in practice); it only serves to name the stage of
// a single-stage build, whose progress names carry no stage.
func scanStages(dockerfile []byte) []fromLine {
	var out []fromLine
	for i, l := range strings.Split(string(dockerfile), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || !strings.EqualFold(f[0], "FROM") {
			continue
		}
		name := fmt.Sprintf("stage-%d", len(out)) // BuildKit's name for an unnamed stage
		if len(f) >= 4 && strings.EqualFold(f[len(f)-2], "AS") {
			name = f[len(f)-1]
		}
		out = append(out, fromLine{line: i + 1, name: name})
	}
	return out
}

// nameStages fills in the stage of nodes whose progress name has none, from
// the line of their source location.
func (g *Graph) nameStages() {
	var froms []fromLine
	for _, info := range g.Infos {
		if info.Language == "Dockerfile" {
			froms = scanStages(info.Data)
			break
		}
	}
	if len(froms) == 0 {
		return
	}
	for _, n := range g.Nodes {
		if stageFromName(n) != "" {
			continue
		}
		loc := firstLocation(n)
		if loc == nil {
			continue
		}
		line, _ := lineSpan(loc)
		for _, f := range froms {
			if f.line <= line {
				n.stage = f.name
			}
		}
	}
}

// instruction is one line of the Dockerfile with the stage it belongs to.
type instruction struct {
	line  int
	stage string
	text  string
}

// runtimeCommands returns the CMD and ENTRYPOINT instructions of the
// stages in the graph: what the built image runs. They leave no trace in
// LLB, so they are read from the Dockerfile the definition carries.
func (g *Graph) runtimeCommands() []instruction {
	var data []byte
	for _, info := range g.Infos {
		if info.Language == "Dockerfile" {
			data = info.Data
			break
		}
	}
	inGraph := map[string]bool{}
	for _, n := range g.Nodes {
		inGraph[StageOf(n)] = true
	}
	froms := scanStages(data)
	var out []instruction
	for i, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || !(strings.EqualFold(f[0], "CMD") || strings.EqualFold(f[0], "ENTRYPOINT")) {
			continue
		}
		stage := ""
		for _, fr := range froms {
			if fr.line <= i+1 {
				stage = fr.name
			}
		}
		if inGraph[stage] {
			out = append(out, instruction{line: i + 1, stage: stage, text: strings.TrimSpace(l)})
		}
	}
	return out
}
