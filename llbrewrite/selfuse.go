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
	names := cacheSpellings(dir, s.home())
	for _, v := range vars {
		names = append(names, "$"+v, "${"+v)
	}
	for _, c := range cmds {
		if (c.Name == tool || c.Module == tool) && subcommand(c) == "cache" {
			return "the step runs `" + c.Text + "`"
		}
		if allowRm && c.Name == "rm" {
			continue
		}
		for _, a := range c.Args {
			for _, n := range names {
				if strings.Contains(a.Value, n) {
					return "the step itself uses the cache: `" + c.Text + "`"
				}
			}
		}
	}
	return ""
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
