// Package shelledit makes minimal, AST-guided edits to shell scripts and
// exec-form argv, for the rewrite passes in llbrewrite.
//
// Every function parses with mvdan.cc/sh/v3 (bash first, POSIX sh if bash
// rejects the script), finds the byte offsets of the words to change from the
// AST, and splices new text into the original string. Every other byte —
// comments, spacing, quoting, line continuations — stays as it was; the
// script is never re-printed. What cannot be understood (a parse error, a
// command name built from a variable, eval, a here-document that is not run
// as a script) is left alone and reported with a "skip" Note.
//
// # API
//
//   - PipNoCache / PipNoCacheArgv insert --no-cache-dir right after the
//     `install` word of every pip install.
//   - PoetryOnlyMain / PoetryOnlyMainArgv insert `--only main` right after
//     the `install` word of every poetry install.
//   - Commands / CommandsArgv list every simple command a script runs, with
//     wrappers and `sh -c` strings resolved, for passes that only inspect.
//
// Each edit returns one Note per command it considered; commands that are
// not its business (pip download, uv pip install, poetry add, …) get none.
//
// # What counts as a command
//
// A command is a simple command anywhere in the script: in &&, ||, ;, |
// chains, subshells, { } groups, if/for/while/case bodies, functions, $( )
// and backquote substitutions. The command word may be a bare name or a path
// (/opt/venv/bin/pip, .venv/bin/pip3); a path whose directory comes from a
// variable ($VIRTUAL_ENV/bin/pip, "$HOME/.local/bin/poetry") counts, because
// the program is the literal basename. These wrappers are looked through,
// with their options: env (NAME=VALUE words become the command's
// environment), sudo, doas, exec, command, time, nice, nohup, timeout,
// stdbuf, setsid, gosu, su-exec, eatmydata, busybox, xargs, `poetry run`
// and `pipenv run`. `command -v`, `env -S` and wrappers with non-literal
// options are not looked through.
//
// Shells (sh, bash, dash, ash, ksh, mksh) are followed into their script:
// the `-c` string (single- or double-quoted, or any mix; the inserted text is
// quoted to match the spot it lands in), a here-document or here-string on
// their standard input. Inside a double-quoted `-c` string the outer shell
// expands $VAR and $( ) first; an edit that would land after such an
// expansion is skipped, because the expanded text could change how the
// inner shell parses the rest. A $'…' string with backslash escapes is not
// decoded and counts as an expansion. Here-documents given to other
// programs (cat > setup.sh <<EOF) and eval strings are read for notes and
// for Commands (with Command.Indirect set) but never edited.
//
// # pip
//
// pip is any of pip, pip3, pip3.11, pip-3.11 (a literal basename), or
// python/python3/python3.11 -m pip (python options such as -u, -I, -W arg
// may come first; the interpreter itself may come from a variable, since
// `-m pip` names the program). pip's general options may precede `install`;
// the value-taking ones (--log, --proxy, --timeout, --python, …) are known
// and may be abbreviated as pip allows.
//
// pip (optparse) accepts any unambiguous prefix of a long option. Among
// pip's options (checked against pip 23.0 through 25.x: --no-cache-dir,
// --no-clean, --no-color, --no-compile, --cache-dir, --cert, --client-cert,
// --compile, --config-settings, --constraint, --check-build-dependencies)
// the prefixes --no-ca … --no-cache-dir mean --no-cache-dir, and --ca …
// --cache-dir mean --cache-dir; --no-c and --c are ambiguous and pip rejects
// them. A "=value" suffix is accepted on both for detection.
//
// PipNoCache leaves a pip install alone when --no-cache-dir (or a prefix)
// is already given anywhere on it; when PIP_NO_CACHE_DIR is set, to any
// value, in Env, as a prefix (FOO=1 pip …, env PIP_NO_CACHE_DIR=1 pip …) or
// by any assignment or export earlier in the script (pip disables the cache
// even for PIP_NO_CACHE_DIR=0 or false, for backwards compatibility; either
// way the user chose); when --cache-dir or PIP_CACHE_DIR names a cache
// location (the user chose where the cache goes; the caller decides about
// cache mounts); and when the command name is not literal ($PIP install).
// Non-literal arguments after install ($PKGS) do not stop the edit: a second
// --no-cache-dir is harmless to pip. uv pip install is not pip.
//
// # Poetry
//
// Poetry is poetry (any path whose basename is literally poetry) or python
// -m poetry, with Poetry's global options (-n, -q, -v, --no-ansi,
// --no-interaction, -C/--directory DIR, -P/--project DIR, …) before install.
// The edit inserts `--only main` (Poetry >= 1.2 syntax). It is skipped when
// the user already chose groups (--only, --with, --without, --no-dev,
// --only-root, --all-groups) or when any argument is not literal ($ARGS
// might choose groups, and Poetry ignores --with/--without next to --only).
// --sync, --no-root, -E/--extras, --all-extras and --dry-run are compatible.
// Env is accepted for symmetry with PipNoCache; no environment variable
// selects Poetry's dependency groups.
package shelledit
