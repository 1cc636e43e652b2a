package dfllb

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// assumeFromArgs supplies a placeholder for every global ARG without a value
// that the FROM of st uses and no --build-arg sets: a real build gets it
// from --build-arg (Home Assistant add-ons: ARG BUILD_FROM, FROM $BUILD_FROM).
// A variable the FROM uses without an ARG declaring it stays an error, as it
// is in a real build.
func (a *assumer) assumeFromArgs(lex *shell.Lex, st instructions.Stage, meta []instructions.ArgCommand, line int) []Assumption {
	globals := map[string]string{}
	var unset []string
	for _, m := range meta {
		for _, kv := range m.Args {
			globals[kv.Key] = "x"
			_, given := a.opt.BuildArgs[kv.Key]
			if !given && (kv.Value == nil || *kv.Value == "") && !slices.Contains(unset, kv.Key) {
				unset = append(unset, kv.Key)
			}
		}
	}
	used, _ := lex.ProcessWordWithMatches(st.BaseName, envOf(globals))
	var added []string
	for _, k := range unset {
		if _, ok := used.Matched[k]; ok {
			a.images++
			a.setBuildArg(k, fmt.Sprintf("%s-%d", placeholderImage, a.images))
			added = append(added, k)
		}
	}
	var out []Assumption
	for _, k := range added {
		note := fmt.Sprintf("ARG %s has no default; planned with a placeholder base image. Pass --build-arg %s=<image> for an exact plan.", k, k)
		if !isOnlyVar(st.BaseName, k) {
			note = fmt.Sprintf("ARG %s has no default; planned with a placeholder in the base image name (%s). Pass --build-arg %s=<value> for an exact plan.",
				k, a.baseName(lex, st, meta), k)
		}
		out = append(out, Assumption{Line: line, Note: note})
	}
	return out
}

// isOnlyVar reports whether a FROM names its base image by $name or ${name}
// alone.
func isOnlyVar(baseName, name string) bool {
	b := strings.TrimSpace(baseName)
	return b == "$"+name || b == "${"+name+"}"
}

// baseName expands the FROM of st with the global ARGs and the build args,
// as the converter does, for a note.
func (a *assumer) baseName(lex *shell.Lex, st instructions.Stage, meta []instructions.ArgCommand) string {
	env := map[string]string{}
	for _, m := range meta {
		for _, kv := range m.Args {
			if v, ok := a.opt.BuildArgs[kv.Key]; ok {
				env[kv.Key] = v
			} else if kv.Value != nil {
				env[kv.Key], _, _ = lex.ProcessWord(*kv.Value, envOf(env))
			}
		}
	}
	name, _, _ := lex.ProcessWord(st.BaseName, envOf(env))
	return name
}

// assumeVars supplies placeholders for the variables a failing instruction
// uses that nothing in the Dockerfile sets: an ARG without a default gets a
// build arg (a real build passes --build-arg), a variable no ARG or ENV
// declares gets an ENV in the base image (only the real image config has
// it, e.g. VOLUME $__SEARXNG_CONFIG_PATH). A variable the Dockerfile sets
// somewhere gets nothing: its value is no mystery, so the error is real.
func (a *assumer) assumeVars(vars []string, decl map[string]declaration, line int) []Assumption {
	var out []Assumption
	for _, k := range vars {
		value := unknownPath + k
		_, argGiven := a.opt.BuildArgs[k]
		_, envGiven := a.opt.BaseEnv[k]
		switch d := decl[k]; {
		case d == declaredArg && !argGiven:
			a.setBuildArg(k, value)
			out = append(out, Assumption{Line: line, Note: fmt.Sprintf(
				"ARG %s has no default; planned with %s=%s. Pass --build-arg %s=<value> for an exact plan.", k, k, value, k)})
		case d == undeclared && !envGiven:
			if a.opt.BaseEnv == nil {
				a.opt.BaseEnv = map[string]string{}
			}
			a.opt.BaseEnv[k] = value
			out = append(out, Assumption{Line: line, Note: fmt.Sprintf(
				"$%s is not set in the Dockerfile, so it must come from the base image's ENV, which plan does not fetch; planned with %s=%s.", k, k, value)})
		}
	}
	return out
}

func (a *assumer) setBuildArg(k, v string) {
	if a.opt.BuildArgs == nil {
		a.opt.BuildArgs = map[string]string{}
	}
	a.opt.BuildArgs[k] = v
}

// declaration is how the Dockerfile declares a variable.
type declaration int

const (
	undeclared  declaration = iota
	declaredArg             // only by ARGs without a default
	set                     // by an ENV, or an ARG with a default
)

// declarations says, for every variable an ARG or ENV names anywhere in the
// Dockerfile, whether any of them gives it a value.
func declarations(meta []instructions.ArgCommand, stages []instructions.Stage) map[string]declaration {
	decl := map[string]declaration{}
	note := func(k string, d declaration) { decl[k] = max(decl[k], d) }
	args := slices.Clone(meta)
	for _, st := range stages {
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.ArgCommand:
				args = append(args, *c)
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					note(kv.Key, set)
				}
			}
		}
	}
	for _, c := range args {
		for _, kv := range c.Args {
			if kv.Value != nil && *kv.Value != "" {
				note(kv.Key, set)
			} else {
				note(kv.Key, declaredArg)
			}
		}
	}
	return decl
}

// referencedVars lists the variables the converter expands in cmd (RUN,
// CMD and ENTRYPOINT are left to the shell), sorted. Expanding rewrites
// cmd's words.
func referencedVars(lex *shell.Lex, cmd instructions.Command) []string {
	if _, isArg := cmd.(*instructions.ArgCommand); isArg {
		return nil // the converter expands ARG values itself; an ARG never fails for want of one
	}
	names := map[string]struct{}{}
	record := func(word string) (string, error) {
		res, err := lex.ProcessWordWithMatches(word, envOf(nil))
		maps.Copy(names, res.Unmatched)
		return res.Result, err
	}
	// Expansion errors are the converter's to report.
	if ex, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		_ = ex.Expand(record)
	}
	if ex, ok := cmd.(instructions.SupportsSingleWordExpansionRaw); ok {
		_ = ex.ExpandRaw(record)
	}
	return slices.Sorted(maps.Keys(names))
}

func envOf(m map[string]string) shell.EnvGetter {
	var kvs []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kvs = append(kvs, k+"="+m[k])
	}
	return shell.EnvsFromSlice(kvs)
}
