package dfllb

import (
	"bytes"
	"context"
	"errors"
	"maps"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
)

const (
	// placeholderImage, numbered per ARG, stands for an unset ARG in a FROM.
	// One lowercase word is valid wherever an ARG can stand in an image
	// reference (the whole name, a path component, a tag), and it carries
	// nothing a rule could read as evidence about the image: not the ARG's
	// name, no distribution, no version.
	placeholderImage = "slim-plan-placeholder"
	// unknownPath prefixes a placeholder for any other variable. It is a
	// path because the instruction that cannot take an empty value, VOLUME,
	// takes paths.
	unknownPath = "/slim-plan-unknown/"
)

// Assumption is a placeholder ConvertAssuming supplied.
type Assumption struct {
	Line int    // the Dockerfile line that needed it
	Note string // what was assumed, and how to get an exact conversion
}

// ConvertAssuming is Convert for Dockerfiles that need a value a real build
// gets from outside them: a --build-arg for an ARG without a default that a
// FROM uses, or a variable only the base image's ENV sets (the offline
// resolver's configs are minimal). Where the conversion fails at such a
// line, it supplies a placeholder, says so, and converts again.
//
// Placeholders are supplied only on failure, and only for the line that
// failed: a Dockerfile that converts is converted exactly as Convert does,
// because a placeholder ENV reaches the environment of every RUN, which the
// rules read (HOME, POETRY_VERSION), and because a path is no valid value
// where an empty one is (EXPOSE, STOPSIGNAL).
func ConvertAssuming(ctx context.Context, dt []byte, opt Options) (*pb.Definition, []Assumption, error) {
	def, err := Convert(ctx, dt, opt)
	if err == nil {
		return def, nil, nil
	}
	a := &assumer{opt: opt}
	a.opt.BuildArgs = maps.Clone(opt.BuildArgs)
	a.opt.BaseEnv = maps.Clone(opt.BaseEnv)
	var notes []Assumption
	for {
		line := errorLine(err)
		added := a.assume(dt, line)
		if len(added) == 0 {
			return nil, nil, err
		}
		notes = append(notes, added...)
		def, retryErr := Convert(ctx, dt, a.opt)
		if retryErr == nil {
			return def, notes, nil
		}
		if errorLine(retryErr) == line {
			// The placeholder did not get the line through; the error
			// without it is the one that describes the Dockerfile.
			return nil, nil, err
		}
		err = retryErr
	}
}

// errorLine is the Dockerfile line a conversion error names, or 0.
func errorLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		return le.Locations[0][0].Start.Line
	}
	return 0
}

// assumer adds placeholders to opt, one failing line at a time.
type assumer struct {
	opt    Options
	images int // placeholder images handed out so far
}

// assume adds placeholders for the variables the instruction at line uses
// and a real build would get from outside the Dockerfile; it returns what it
// added (nothing when the line needs nothing it can supply). The Dockerfile
// is parsed afresh because expanding a command's words rewrites them.
func (a *assumer) assume(dt []byte, line int) []Assumption {
	if line == 0 {
		return nil
	}
	res, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil
	}
	stages, meta, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil
	}
	lex := shell.NewLex(res.EscapeToken)
	for _, st := range stages {
		if startLine(st.Location) == line {
			return a.assumeFromArgs(lex, st, meta, line)
		}
		for _, cmd := range st.Commands {
			if startLine(cmd.Location()) == line {
				return a.assumeVars(referencedVars(lex, cmd), declarations(meta, stages), line)
			}
		}
	}
	return nil
}

func startLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}
