package shelledit

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// cmdSummary is the part of a Command most tests look at.
type cmdSummary struct {
	Name, Module string
	Args         []string
	Wrappers     []string
	Line         int
	Indirect     string
}

func summarize(cmds []Command) []cmdSummary {
	var out []cmdSummary
	for _, c := range cmds {
		s := cmdSummary{Name: c.Name, Module: c.Module, Wrappers: c.Wrappers, Line: c.Line, Indirect: c.Indirect}
		for _, a := range c.Args {
			s.Args = append(s.Args, a.Value)
		}
		out = append(out, s)
	}
	return out
}

func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []cmdSummary
	}{
		{"test runner", "pytest -x tests", []cmdSummary{{Name: "pytest", Args: []string{"-x", "tests"}, Line: 1}}},
		{"python -m", "python3 -m pytest -q", []cmdSummary{{Name: "python3", Module: "pytest", Args: []string{"-m", "pytest", "-q"}, Line: 1}}},
		{"compileall", "python -m compileall -q /app", []cmdSummary{{Name: "python", Module: "compileall", Args: []string{"-m", "compileall", "-q", "/app"}, Line: 1}}},
		{"poetry run", "poetry run pytest", []cmdSummary{{Name: "pytest", Wrappers: []string{"poetry run"}, Line: 1}}},
		{"pipenv run", "pipenv run mypy .", []cmdSummary{{Name: "mypy", Args: []string{"."}, Wrappers: []string{"pipenv run"}, Line: 1}}},
		{"chain and lines", "ruff check .\nnox -s lint &&\n  tox -e py311", []cmdSummary{
			{Name: "ruff", Args: []string{"check", "."}, Line: 1},
			{Name: "nox", Args: []string{"-s", "lint"}, Line: 2},
			{Name: "tox", Args: []string{"-e", "py311"}, Line: 3},
		}},
		{"sh -c", "sudo sh -c 'cd /app\npytest'", []cmdSummary{
			{Name: "cd", Args: []string{"/app"}, Wrappers: []string{"sudo", "sh -c"}, Line: 1},
			{Name: "pytest", Wrappers: []string{"sudo", "sh -c"}, Line: 2},
		}},
		{"wrappers", "FOO=1 nice -n5 env BAR=2 /usr/local/bin/mypy src", []cmdSummary{
			{Name: "mypy", Args: []string{"src"}, Wrappers: []string{"nice", "env"}, Line: 1},
		}},
		{"command -v is not a run", "command -v pytest", []cmdSummary{{Name: "command", Args: []string{"-v", "pytest"}, Line: 1}}},
		{"name from variable", "$TOOL run", []cmdSummary{{Name: "", Args: []string{"run"}, Line: 1}}},
		{"command substitution", "echo $(pytest --version)", []cmdSummary{
			{Name: "echo", Args: []string{"$(pytest --version)"}, Line: 1},
			{Name: "pytest", Args: []string{"--version"}, Line: 1},
		}},
		{"here-document data", "cat > /t.sh <<'EOF'\npytest\nEOF", []cmdSummary{
			{Name: "cat", Line: 1},
			{Name: "pytest", Line: 2, Indirect: "here-document"},
		}},
		{"eval", "eval 'tox -e lint'", []cmdSummary{{Name: "tox", Args: []string{"-e", "lint"}, Wrappers: []string{"eval"}, Line: 1, Indirect: "eval"}}},
		{"here-document to a shell", "bash <<EOF\nset -e\npytest\nEOF", []cmdSummary{
			{Name: "set", Args: []string{"-e"}, Wrappers: []string{"bash"}, Line: 2},
			{Name: "pytest", Wrappers: []string{"bash"}, Line: 3},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmds, err := Commands(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, summarize(cmds))
		})
	}
}

func TestCommandsDetails(t *testing.T) {
	cmds, err := Commands(`A=1 pytest "$X" -k 'a b' /opt/"t"`)
	require.NoError(t, err)
	require.Len(t, cmds, 1)
	c := cmds[0]
	require.Equal(t, "pytest", c.Path)
	require.Equal(t, []Arg{{"$X", false}, {"-k", true}, {"a b", true}, {"/opt/t", true}}, c.Args)
	require.Equal(t, []EnvVar{{Name: "A", Value: "1", Literal: true}}, c.Env)
	require.Equal(t, `A=1 pytest "$X" -k 'a b' /opt/"t"`, c.Text)

	cmds, err = Commands("cd /app\nbash -c 'set -e; pytest'")
	require.NoError(t, err)
	require.Len(t, cmds, 3)
	require.Equal(t, 0, cmds[0].Offset)
	require.Equal(t, len("cd /app\nbash -c 'set -e; "), cmds[2].Offset, "offset of pytest inside the -c string")
	require.Equal(t, 2, cmds[2].Line)

	cmds, err = Commands("PYTHONPATH=/app sh -c 'pytest'")
	require.NoError(t, err)
	require.Equal(t, []EnvVar{{Name: "PYTHONPATH", Value: "/app", Literal: true}}, cmds[0].Env, "sh -c passes its environment on")

	_, err = Commands("pytest 'unterminated")
	require.ErrorContains(t, err, "parsing the shell script")
}

func TestCommandsArgv(t *testing.T) {
	cmds, err := CommandsArgv([]string{"/bin/sh", "-c", "python -m pytest && ruff check ."})
	require.NoError(t, err)
	require.Equal(t, []cmdSummary{
		{Name: "python", Module: "pytest", Args: []string{"-m", "pytest"}, Wrappers: []string{"sh -c"}, Line: 1},
		{Name: "ruff", Args: []string{"check", "."}, Wrappers: []string{"sh -c"}, Line: 1},
	}, summarize(cmds))

	cmds, err = CommandsArgv([]string{"tox", "-e", "py"})
	require.NoError(t, err)
	require.Equal(t, []cmdSummary{{Name: "tox", Args: []string{"-e", "py"}, Line: 1}}, summarize(cmds))

	_, err = CommandsArgv([]string{"sh", "-c", "pytest 'x"})
	require.Error(t, err)
}
