package shelledit

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

var poetryRewrites = []rewriteCase{
	{"poetry", "poetry install", "poetry install --only main"},
	{"--no-root", "poetry install --no-root", "poetry install --only main --no-root"},
	{"--no-interaction --no-ansi", "poetry install --no-interaction --no-ansi", "poetry install --only main --no-interaction --no-ansi"},
	{"-n before install", "poetry -n install", "poetry -n install --only main"},
	{"--no-interaction before install", "poetry --no-interaction install", "poetry --no-interaction install --only main"},
	{"-C dir", "poetry -C /app install", "poetry -C /app install --only main"},
	{"--directory=dir", "poetry --directory=/app install", "poetry --directory=/app install --only main"},
	{"--project dir", "poetry --project /app -vvv install", "poetry --project /app -vvv install --only main"},
	{"absolute path", "/root/.local/bin/poetry install", "/root/.local/bin/poetry install --only main"},
	{"$HOME path", "$HOME/.local/bin/poetry install", "$HOME/.local/bin/poetry install --only main"},
	{"quoted POETRY_HOME path", `"$POETRY_HOME/bin/poetry" install`, `"$POETRY_HOME/bin/poetry" install --only main`},
	{"python -m poetry", "python -m poetry install", "python -m poetry install --only main"},
	{"env prefix", "POETRY_VIRTUALENVS_CREATE=false poetry install --no-root", "POETRY_VIRTUALENVS_CREATE=false poetry install --only main --no-root"},
	{"chain", "pip install poetry && poetry config virtualenvs.create false && poetry install --no-interaction",
		"pip install poetry && poetry config virtualenvs.create false && poetry install --only main --no-interaction"},
	{"--sync", "poetry install --sync", "poetry install --only main --sync"},
	{"extras", `poetry install -E pg --extras "redis s3"`, `poetry install --only main -E pg --extras "redis s3"`},
	{"--all-extras", "poetry install --all-extras", "poetry install --only main --all-extras"},
	{"--dry-run", "poetry install --dry-run", "poetry install --only main --dry-run"},
	{"sh -c", "sh -c 'cd /app && poetry install'", "sh -c 'cd /app && poetry install --only main'"},
	{"bash -c double", `bash -c "poetry install --no-root"`, `bash -c "poetry install --only main --no-root"`},
	{"unquoted -c string", `sh -c poetry\ install`, `sh -c poetry\ install\ --only\ main`},
	{"here-document", "bash <<'EOF'\npoetry install\nEOF", "bash <<'EOF'\npoetry install --only main\nEOF"},
	{"subshell", "(cd /app && poetry install)", "(cd /app && poetry install --only main)"},
	{"if", "if [ -f pyproject.toml ]; then poetry install; fi", "if [ -f pyproject.toml ]; then poetry install --only main; fi"},
	{"line continuation", "poetry install \\\n  --no-root \\\n  --no-interaction", "poetry install --only main \\\n  --no-root \\\n  --no-interaction"},
	{"comment", "poetry install # deps", "poetry install --only main # deps"},
	{"sudo env", "sudo -u app env HOME=/home/app poetry install", "sudo -u app env HOME=/home/app poetry install --only main"},
}

func TestPoetryOnlyMainRewrites(t *testing.T) {
	for _, tc := range poetryRewrites {
		t.Run(tc.name, func(t *testing.T) {
			out, notes := PoetryOnlyMain(tc.in, nil)
			require.Equal(t, tc.want, out)
			require.Len(t, notes, 1)
			require.Equal(t, ActionRewrite, notes[0].Action)
			require.Contains(t, notes[0].After, "install --only main")
			requireOnlyInserted(t, tc.in, out, []string{"--only", "main"})

			again, notes := PoetryOnlyMain(out, nil)
			require.Equal(t, out, again, "idempotence")
			require.Len(t, notes, 1)
			require.Equal(t, ActionSkip, notes[0].Action)
			require.Contains(t, notes[0].Reason, "--only already chooses")
		})
	}
}

var poetrySkips = []skipCase{
	{"--only main", "poetry install --only main", nil, "--only already chooses the dependency groups"},
	{"--only=main", "poetry install --only=main", nil, "--only=main already chooses"},
	{"--with", "poetry install --with dev", nil, "--with already chooses"},
	{"--with=", "poetry install --with=dev,test", nil, "--with=dev,test already chooses"},
	{"--without", "poetry install --without dev", nil, "--without already chooses"},
	{"--no-dev", "poetry install --no-dev", nil, "--no-dev already chooses"},
	{"--only-root", "poetry install --only-root", nil, "--only-root already chooses"},
	{"--all-groups", "poetry install --all-groups", nil, "--all-groups already chooses"},
	{"arguments from variable", "poetry install $POETRY_ARGS", nil, "the argument $POETRY_ARGS is not literal"},
	{"name from variable", "$POETRY install", nil, "the command name $POETRY is not literal"},
	{"options from variable", "poetry $OPTS install", nil, "poetry's subcommand or an option before it is not literal ($OPTS)"},
	{"eval", "eval 'poetry install'", nil, "inside an eval string"},
	{"here-document written to a file", "cat > /build.sh <<'EOF'\npoetry install\nEOF", nil, "here-document"},
	{"expansion before, in a double-quoted -c", `sh -c "cd $APP && poetry install"`, nil, "expands a variable or command earlier"},
	{"does not parse", "poetry install 'x", nil, "does not parse as shell"},
}

func TestPoetryOnlyMainSkips(t *testing.T) {
	for _, tc := range poetrySkips {
		t.Run(tc.name, func(t *testing.T) {
			out, notes := PoetryOnlyMain(tc.in, tc.env)
			require.Equal(t, tc.in, out)
			require.Len(t, notes, 1, "%+v", notes)
			require.Equal(t, ActionSkip, notes[0].Action)
			require.Contains(t, notes[0].Reason, tc.reason)
		})
	}
}

var poetryUntouched = []string{
	"poetry export -f requirements.txt -o requirements.txt",
	"poetry add requests",
	"poetry lock --no-update",
	"poetry run pytest",
	"poetry build",
	"poetry self add poetry-plugin-export",
	"poetry --version",
	"poetry",
	"pip install poetry",
	"pipx install poetry",
	"echo poetry install",
	"$CMD install",
}

func TestPoetryOnlyMainLeavesOthersAlone(t *testing.T) {
	for _, in := range poetryUntouched {
		t.Run(in, func(t *testing.T) {
			out, notes := PoetryOnlyMain(in, nil)
			require.Equal(t, in, out)
			require.Empty(t, notes)
		})
	}
}

func TestPoetryOnlyMainArgv(t *testing.T) {
	in := []string{"poetry", "install", "--no-root"}
	orig := slices.Clone(in)
	out, notes := PoetryOnlyMainArgv(in, nil)
	require.Equal(t, orig, in, "argv must not be modified")
	require.Equal(t, []string{"poetry", "install", "--only", "main", "--no-root"}, out)
	require.Equal(t, ActionRewrite, notes[0].Action)
	require.Equal(t, "poetry install --only main --no-root", notes[0].After)

	out, notes = PoetryOnlyMainArgv([]string{"/bin/sh", "-c", "poetry install && poetry run app --check"}, nil)
	require.Equal(t, []string{"/bin/sh", "-c", "poetry install --only main && poetry run app --check"}, out)
	require.Len(t, notes, 1)

	out, notes = PoetryOnlyMainArgv([]string{"poetry", "install", "--with", "dev"}, nil)
	require.Equal(t, []string{"poetry", "install", "--with", "dev"}, out)
	require.Equal(t, ActionSkip, notes[0].Action)
}
