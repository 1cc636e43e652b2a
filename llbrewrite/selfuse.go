package llbrewrite

import (
	"path"
	"strings"
)

// usesCacheItself explains how step s itself touches the cache directory
// dir ("" when it does not): a command names dir, one of its parents up to
// the home directory (rm -rf ~/.cache), or one of vars ($POETRY_CACHE_DIR);
// or it runs a cache subcommand (pip cache purge, poetry cache clear).
// allowRm lets `rm` commands through: removing a directory that a flag
// kept empty is harmless, but removing a mount point fails.
func usesCacheItself(s execStep, dir string, vars []string, tool string, allowRm bool) string {
	cmds, err := s.commands()
	if err != nil {
		return ""
	}
	names := factsOf(s.node).cacheSpellings(dir, s.home())
	for _, c := range cmds {
		if (c.Name == tool || c.Module == tool) && subcommand(c) == "cache" {
			return "the step runs `" + c.Text + "`"
		}
		if allowRm && c.Name == "rm" {
			continue
		}
		for _, a := range c.Args {
			if containsAny(a.Value, names) || refersToAny(a.Value, vars) {
				return "the step itself uses the cache: `" + c.Text + "`"
			}
		}
	}
	return ""
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// refersToAny reports whether s holds $V or ${V… for one of vars.
func refersToAny(s string, vars []string) bool {
	for i := strings.IndexByte(s, '$'); i >= 0; i = strings.IndexByte(s, '$') {
		s = s[i+1:]
		rest := strings.TrimPrefix(s, "{")
		for _, v := range vars {
			if strings.HasPrefix(rest, v) {
				return true
			}
		}
	}
	return false
}

// cacheSpellings memoizes cacheSpellings(dir, home); the result is shared.
func (m *buildModel) cacheSpellings(dir, home string) []string {
	k := [2]string{dir, home}
	sp, ok := m.cacheSpell[k]
	if !ok {
		if m.cacheSpell == nil {
			m.cacheSpell = map[[2]string][]string{}
		}
		sp = cacheSpellings(dir, home)
		m.cacheSpell[k] = sp
	}
	return sp
}

// cacheSpellings are the ways a script may name dir or a parent of it below
// the home directory: /root/.cache/pip, ~/.cache, $HOME/.cache, …
func cacheSpellings(dir, home string) []string {
	var out []string
	for d := dir; d != "/" && d != "." && d != home && len(d) > len(home); d = path.Dir(d) {
		out = append(out, spellings(d, home)...)
	}
	if len(out) == 0 {
		out = spellings(dir, home)
	}
	return out
}
