package shelledit

import (
	"regexp"
	"testing"
	"time"
)

// What an edit may add: the words, each preceded by a blank, possibly
// backslash-escaped for the quoting it lands in (at any nesting depth).
var (
	pipInsertion    = regexp.MustCompile(`^\\*[ ]\\*--no-cache-dir`)
	poetryInsertion = regexp.MustCompile(`^\\*[ ]\\*--only\\*[ ]\\*main`)
)

func seedScripts(f *testing.F) {
	for _, tc := range pipRewrites {
		f.Add(tc.in)
	}
	for _, tc := range poetryRewrites {
		f.Add(tc.in)
	}
	for _, tc := range pipSkips {
		f.Add(tc.in)
	}
	for _, tc := range poetrySkips {
		f.Add(tc.in)
	}
	for _, s := range append(pipUntouched, poetryUntouched...) {
		f.Add(s)
	}
	for _, s := range []string{ // shapes the tables do not cover
		"bash -c $'pip install x\\n'",
		"sh -c \"echo \\\"$X\\\" `date` && pip install \\$Y\"",
		"sh -c 'sh -c \"poetry install \\\"x\\\"\"'",
		"bash <<-'E'\n\tpoetry install\n\tE\necho `echo \\`pip install\\``",
		"case $x in a) pip install x;; esac; [[ -n $(poetry install) ]]",
		"eval \"$(pip install x)\"; cat <<E | sh\npip install y\nE",
	} {
		f.Add(s)
	}
}

type editFunc func(string, Env) (string, []Note)

func checkEdit(t *testing.T, edit editFunc, in string, insertion *regexp.Regexp, words []string) {
	start := time.Now()
	defer func() {
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v on %d bytes: %q", d, len(in), in)
		}
	}()
	out, notes := edit(in, nil)
	rewrites := 0
	for _, n := range notes {
		if n.Action == ActionRewrite {
			rewrites++
		}
	}
	if rewrites == 0 && out != in {
		t.Fatalf("changed without a rewrite note:\n%q\n%q", in, out)
	}
	if _, err := parseScript(in); err == nil {
		if _, err := parseScript(out); err != nil {
			t.Fatalf("output does not parse: %v\n%q\n%q", err, in, out)
		}
		if err := onlyInserted(in, out, words); err != nil {
			t.Fatalf("%v\nin:  %q\nout: %q", err, in, out)
		}
	}
	if !insertionsOnly(in, out, insertion) {
		t.Fatalf("output is not the input plus insertions:\n%q\n%q", in, out)
	}
	again, notes := edit(out, nil)
	if again != out {
		t.Fatalf("not idempotent:\n%q\n%q\n%q", in, out, again)
	}
	for _, n := range notes {
		if n.Action != ActionSkip {
			t.Fatalf("second run rewrote: %+v", n)
		}
	}
}

func FuzzPipNoCache(f *testing.F) {
	seedScripts(f)
	f.Fuzz(func(t *testing.T, in string) {
		checkEdit(t, PipNoCache, in, pipInsertion, []string{"--no-cache-dir"})
	})
}

func FuzzPoetryOnlyMain(f *testing.F) {
	seedScripts(f)
	f.Fuzz(func(t *testing.T, in string) {
		checkEdit(t, PoetryOnlyMain, in, poetryInsertion, []string{"--only", "main"})
	})
}
