package shelledit

import (
	"fmt"
	"go/build"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireOnlyInserted re-parses in and out and asserts that every command
// (sh -c strings followed) has the same words, except that out may have
// insert right after an `install` argument.
func requireOnlyInserted(t testing.TB, in, out string, insert []string) {
	t.Helper()
	require.NoError(t, onlyInserted(in, out, insert))
}

func onlyInserted(in, out string, insert []string) error {
	cin, err := Commands(in)
	if err != nil {
		return nil // nothing to compare: the input does not parse
	}
	cout, err := Commands(out)
	if err != nil {
		return errorf("output does not parse: %v\n%s", err, out)
	}
	if len(cin) != len(cout) {
		return errorf("%d commands before, %d after:\n%s\n---\n%s", len(cin), len(cout), in, out)
	}
	for i := range cin {
		a, b := cin[i], cout[i]
		samePath := a.Path == b.Path || strings.ContainsAny(a.Path, "$`") // an edited $( ) in the path
		if a.Name != b.Name || !samePath || a.Module != b.Module || a.Indirect != b.Indirect ||
			!slices.Equal(a.Wrappers, b.Wrappers) || len(a.Env) != len(b.Env) {
			return errorf("command %d changed: %+v → %+v", i, a, b)
		}
		if !argsWithInsert(literalArgs(a.Args), literalArgs(b.Args), insert) {
			return errorf("command %d: args %v → %v", i, a.Args, b.Args)
		}
	}
	return nil
}

// literalArgs blanks non-literal arguments: their text may hold a command
// substitution that was edited, which is checked as a command of its own.
func literalArgs(args []Arg) []Arg {
	out := slices.Clone(args)
	for i := range out {
		if !out[i].Literal {
			out[i].Value = ""
		}
	}
	return out
}

func argsWithInsert(before, after []Arg, insert []string) bool {
	if slices.Equal(before, after) {
		return true
	}
	if len(after) != len(before)+len(insert) {
		return false
	}
	for k := 1; k <= len(before); k++ {
		if before[k-1].Value != "install" {
			continue
		}
		want := slices.Clone(before[:k])
		for _, s := range insert {
			want = append(want, Arg{Value: s, Literal: true})
		}
		if slices.Equal(append(want, before[k:]...), after) {
			return true
		}
	}
	return false
}

// insertionsOnly reports whether deleting some non-overlapping matches of
// seg (anchored) from out gives in.
func insertionsOnly(in, out string, seg *regexp.Regexp) bool {
	type state struct{ i, j int }
	memo := map[state]bool{}
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if j == len(out) {
			return i == len(in)
		}
		s := state{i, j}
		if r, ok := memo[s]; ok {
			return r
		}
		r := i < len(in) && in[i] == out[j] && match(i+1, j+1)
		if !r {
			if loc := seg.FindStringIndex(out[j:]); loc != nil && loc[0] == 0 && loc[1] > 0 {
				r = match(i, j+loc[1])
			}
		}
		memo[s] = r
		return r
	}
	return match(0, 0)
}

type testError string

func (e testError) Error() string { return string(e) }

func errorf(format string, args ...any) error {
	return testError(fmt.Sprintf(format, args...))
}

// TestImports pins what the package may import: the standard library and
// the shell parser, nothing else (llbrewrite must stay pure).
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range pkg.Imports {
		first, _, _ := strings.Cut(imp, "/")
		if strings.Contains(first, ".") {
			require.Equal(t, "mvdan.cc/sh/v3/syntax", imp, "unexpected import")
		}
	}
}
