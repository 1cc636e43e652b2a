package shelledit

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// walkResults is everything a walk hands out: the commands, and the output
// and notes of both editors, for a script and for the same script as an
// exec-form `sh -c` argv.
type walkResults struct {
	Commands           []Command
	Pip, Poetry        string
	PipNotes, PoNotes  []Note
	PipArgv, PoetryArg []string
}

func walkAll(script string, env Env, full bool) walkResults {
	var r walkResults
	w := newWalker(env, func(c *call) { r.Commands = append(r.Commands, commandOf(c, nil)) })
	w.full = full
	w.walk(newRoot(script))

	pw := pipWalker(env)
	pw.full = full
	root := pw.rootView(script)
	pw.walk(root)
	r.Pip = root.apply()
	pa := pipWalker(env)
	pa.full = full
	r.PipArgv = pa.argv([]string{"/bin/sh", "-c", script})
	r.PipNotes = append(pw.notes, pa.notes...)

	ow := poetryWalker(env)
	ow.full = full
	root = ow.rootView(script)
	ow.walk(root)
	r.Poetry = root.apply()
	oa := poetryWalker(env)
	oa.full = full
	r.PoetryArg = oa.argv([]string{"sudo", "-u", "app", "bash", "-c", script})
	r.PoNotes = append(ow.notes, oa.notes...)
	return r
}

var simpleSeeds = []string{
	"pip install pkg3-14==1.0 && poetry install --no-root",
	"pip install -r requirements.txt; poetry install --only main || true",
	"apt-get update && apt-get install -y gcc | tee log ; pip3 install --user x",
	"sudo -u app pip install x && env -u X poetry install",
	"python -m pip install x && python3.11 -m pip install --no-cache-dir y",
	"time pip install x", "export A=1 && pip install x", "A=1 pip install x",
	"sh -c pip install", "eval pip install x", "bash scripts/test.sh",
	"pip install x &", "pip install x ;; y", "pip install x |& tee", "&& pip install", "pip install x &&",
	";", "", "   ", "pip  install\tx  ", "poetry -C /app install --no-root && poetry run pytest",
	"/opt/venv/bin/pip install ~/wheels/x.whl", "fi pip install", "pip install x; fi",
	"nice -n 5 pip install x", "timeout 10 poetry install", "command -v pip && pip install x",
}

func FuzzSimpleWalk(f *testing.F) {
	seedScripts(f)
	for _, s := range simpleSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		env := Env{"PIP_NO_CACHE_DIR": "", "HOME": "/root"}
		full := walkAll(script, env, true)
		require.Equal(t, full, walkAll(script, env, false), "%q", script)
		if cmds, err := Commands(script); err == nil && len(cmds) > 0 {
			require.Equal(t, full.Commands, cmds, "Commands(%q)", script)
		} else if err == nil {
			require.Empty(t, full.Commands, "Commands(%q)", script)
		}
	})
}

func TestSimpleTokens(t *testing.T) {
	for script, want := range map[string]bool{
		"pip install x && poetry install": true,
		"a | b || c ; d ;":                true,
		"pip install 'x'":                 false,
		"pip install $X":                  false,
		"pip install x # note":            false,
		"pip install x\npoetry install":   false,
		"pip install x &":                 false,
		"&& pip":                          false,
		"pip install x[extra]":            false,
	} {
		_, _, ok := simpleTokens(script, nil, nil)
		require.Equal(t, want, ok, script)
	}
}
