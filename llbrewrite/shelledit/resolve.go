package shelledit

import (
	"slices"
	"strings"
)

// resolved is a simple command with its wrappers looked through.
type resolved struct {
	toks []token
	head
}

// head is what resolving a command's words finds. It points into the
// words' text, never at the words, so a caller's word array can stay on
// its stack.
type head struct {
	cmd      int    // index in toks of the program's word; -1 when there is none
	name     string // basename of toks[cmd]; "" when not literal
	env      []EnvVar
	wrappers []string
}

// wrapper describes a command that runs another command given as its
// arguments.
type wrapper struct {
	valueShort string   // short options that take a value
	valueLong  []string // long options that take a value
	stopShort  string   // short options after which slim does not look further
	stopLong   []string
	assigns    bool // NAME=VALUE words before the command set its environment
	positional int  // words before the command that are not options
}

var wrappers = map[string]wrapper{
	"env":       {valueShort: "uC", valueLong: []string{"--unset", "--chdir"}, stopShort: "S", stopLong: []string{"--split-string"}, assigns: true},
	"sudo":      {valueShort: "ugpCDhrtTUR", valueLong: []string{"--user", "--group", "--prompt", "--close-from", "--chdir", "--host", "--role", "--type", "--command-timeout", "--other-user", "--chroot"}, stopShort: "elvVK", stopLong: []string{"--edit", "--list", "--validate", "--version", "--remove-timestamp"}, assigns: true},
	"doas":      {valueShort: "uC", stopShort: "L"},
	"exec":      {valueShort: "a"},
	"command":   {stopShort: "vV"},
	"time":      {valueShort: "fo", valueLong: []string{"--format", "--output"}},
	"nice":      {valueShort: "n", valueLong: []string{"--adjustment"}},
	"nohup":     {},
	"setsid":    {},
	"eatmydata": {},
	"busybox":   {},
	"timeout":   {valueShort: "ks", valueLong: []string{"--kill-after", "--signal"}, positional: 1},
	"stdbuf":    {valueShort: "ioe", valueLong: []string{"--input", "--output", "--error"}},
	"gosu":      {positional: 1},
	"su-exec":   {positional: 1},
	"xargs":     {valueShort: "adEILnPs", valueLong: []string{"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"}},
}

// shells are followed into their script.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "ksh": true, "mksh": true}

// commandName is the program's basename: the word must be literal, or its
// part after the last '/' must be (a directory from a variable is fine).
func commandName(t token) string {
	s := t.tail
	i := strings.LastIndexByte(s, '/')
	if !t.literal && i < 0 {
		return ""
	}
	return s[i+1:]
}

// resolve looks through wrappers, starting at toks[0].
func resolve(toks []token, env []EnvVar) resolved {
	return resolved{toks: toks, head: resolveHead(toks, env)}
}

// resolveHead is resolve without the words.
func resolveHead(toks []token, env []EnvVar) (h head) {
	h.env = env
	for depth := 0; depth < maxDepth; depth++ {
		if h.cmd >= len(toks) {
			h.cmd, h.name = -1, ""
			return h
		}
		h.name = commandName(toks[h.cmd])
		next, more, ok := unwrap(toks, h.cmd, h.name)
		if !ok {
			return h
		}
		h.env = append(h.env, more...)
		h.wrappers = append(h.wrappers, h.name)
		if h.name == "poetry" || h.name == "pipenv" {
			h.wrappers[len(h.wrappers)-1] += " run"
		}
		h.cmd = next
	}
	return h
}

// unwrap returns where the wrapped command starts, if toks[cmd] (named
// name) is a wrapper slim can see through, and the NAME=VALUE words it
// sets the command's environment with.
func unwrap(toks []token, cmd int, name string) (int, []EnvVar, bool) {
	i := cmd + 1
	if name == "poetry" {
		if sub, ok := subcommand(toks, i, poetryGlobalValue); ok && sub < len(toks) && toks[sub].literal && toks[sub].val == "run" {
			return sub + 1, nil, sub+1 < len(toks)
		}
		return 0, nil, false
	}
	if name == "pipenv" {
		return i + 1, nil, i+1 < len(toks) && toks[i].literal && toks[i].val == "run"
	}
	w, ok := wrappers[name]
	if !ok || name == "" {
		return 0, nil, false
	}
	i, ok = w.skipOptions(toks, i)
	if !ok {
		return 0, nil, false
	}
	var env []EnvVar
	for ; w.assigns && i < len(toks) && toks[i].literal && assignRe.MatchString(toks[i].val); i++ {
		name, value, _ := strings.Cut(toks[i].val, "=")
		env = append(env, EnvVar{Name: name, Value: value, Literal: true})
	}
	i += w.positional
	return i, env, i < len(toks)
}

// skipOptions skips the wrapper's options from toks[i].
func (w wrapper) skipOptions(toks []token, i int) (int, bool) {
	for i < len(toks) {
		t := toks[i]
		if !t.literal {
			return 0, false
		}
		s := t.val
		switch {
		case s == "--":
			return i + 1, true
		case strings.HasPrefix(s, "--"):
			name, _, hasValue := strings.Cut(s, "=")
			if slices.Contains(w.stopLong, name) {
				return 0, false
			}
			if !hasValue && slices.Contains(w.valueLong, name) {
				i++
			}
		case len(s) > 1 && s[0] == '-':
			for k := 1; k < len(s); k++ {
				if strings.IndexByte(w.stopShort, s[k]) >= 0 {
					return 0, false
				}
				if strings.IndexByte(w.valueShort, s[k]) >= 0 {
					if k == len(s)-1 {
						i++
					}
					break
				}
			}
		default:
			return i, true
		}
		i++
	}
	return i, true
}

// shellScript says where a shell command's script comes from: the index in
// toks of its -c string, or stdin when it reads its standard input. A shell
// given a script file (or options slim does not know) has neither.
func shellScript(toks []token, i int) (script int, stdin bool) {
	cflag, sflag := false, false
	for ; i < len(toks); i++ {
		t := toks[i]
		if !t.literal {
			break // not an option: the script (or a script file)
		}
		s := t.val
		if s == "--" || s == "-" {
			i++
			break
		}
		if strings.HasPrefix(s, "--") {
			if s == "--rcfile" || s == "--init-file" {
				i++
			}
			continue
		}
		if len(s) < 2 || (s[0] != '-' && s[0] != '+') {
			break
		}
		for k := 1; k < len(s); k++ {
			switch s[k] {
			case 'c':
				cflag = true
			case 's':
				sflag = true
			case 'o', 'O':
				i++ // -o pipefail
			}
		}
	}
	switch {
	case cflag && i < len(toks):
		return i, false
	case cflag:
		return -1, false
	case sflag || i >= len(toks):
		return -1, true
	}
	return -1, false
}

// pythonModule returns X and the index of X's first argument for a
// `python [options] -m X …` command whose options start at toks[i].
func pythonModule(toks []token, i int) (string, int) {
	for ; i < len(toks); i++ {
		t := toks[i]
		if !t.literal || len(t.val) < 2 || t.val[0] != '-' {
			return "", 0
		}
		s := t.val
		if s == "--check-hash-based-pycs" {
			i++
			continue
		}
		for k := 1; k < len(s); k++ {
			switch s[k] {
			case 'm':
				if k+1 < len(s) {
					return s[k+1:], i + 1
				}
				if i+1 < len(toks) && toks[i+1].literal {
					return toks[i+1].val, i + 2
				}
				return "", 0
			case 'W', 'X':
				if k == len(s)-1 {
					i++
				}
				k = len(s)
			case 'c', '-':
				return "", 0
			}
		}
	}
	return "", 0
}

// subcommand finds the first non-option word from toks[i], skipping global
// options; valueOpts says which options take the next word as their value.
// ok is false when a word before the subcommand is not literal.
func subcommand(toks []token, i int, valueOpts func(string) bool) (int, bool) {
	for ; i < len(toks); i++ {
		t := toks[i]
		if !t.literal {
			return i, false
		}
		if t.val == "-" || !strings.HasPrefix(t.val, "-") {
			return i, true
		}
		if !strings.Contains(t.val, "=") && valueOpts(t.val) {
			i++
		}
	}
	return len(toks), true
}

// program returns where a tool's own arguments start: after its name, or
// after `python -m module`. The interpreter may come from a variable.
func program(r resolved, tool string, isName func(string) bool) (int, bool) {
	if r.cmd < 0 {
		return 0, false
	}
	if isName(r.name) {
		return r.cmd + 1, true
	}
	if r.name == "" || isPython(r.name) {
		if mod, at := pythonModule(r.toks, r.cmd+1); mod == tool {
			return at, true
		}
	}
	return 0, false
}

// looksLike reports a command whose name is not literal but is probably
// tool (its source mentions it) running `install`.
func looksLike(r resolved, tool string) bool {
	if r.cmd < 0 || r.name != "" || !strings.Contains(strings.ToLower(r.toks[r.cmd].raw), tool) {
		return false
	}
	for _, t := range r.toks[r.cmd+1:] {
		if t.literal && t.val == "install" {
			return true
		}
	}
	return false
}
