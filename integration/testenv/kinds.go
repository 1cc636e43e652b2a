package testenv

import (
	"fmt"
	"strings"
)

// kindFiles adds the modules that give a generated package its working
// behaviour (see Dist.Kind) and the functions its console scripts name.
func kindFiles(d Dist, files map[string]string, init *strings.Builder) {
	p := d.pkg()
	switch d.Kind {
	case "pytest":
		files[p+"/_runner.py"] = pytestRunner
		files[p+"/__main__.py"] = "import sys\n\nfrom pytest._runner import main\n\nsys.exit(main())\n"
		init.WriteString("from pytest._runner import console_main, fixture, main, mark, raises  # noqa: F401\n")
	case "mypy":
		files[p+"/__main__.py"] = mypyMain
	case "ruff":
		files[p+"/__main__.py"] = "import sys\n\nprint(\"ruff: run the ruff executable in bin/\", file=sys.stderr)\n"
	case "server":
		files[p+"/cli.py"] = strings.ReplaceAll(serverCLI, "PROG", p)
	case "prisma":
		engineSeed := seed("prisma-engine" + d.Version)
		files[p+"/_engine.py"] = fmt.Sprintf(prismaEngine, d.Version, engineSeed&0xffffffffffff, d.EngineKB*1024, engineSeed)
		files[p+"/cli.py"] = prismaCLI
		init.WriteString("from prisma._engine import BinaryNotFoundError, Prisma, engine_path  # noqa: F401\n")
	case "tables":
		files[p+"/tests/__init__.py"] = tablesTests
		init.WriteString("# PyTables imports these from its own test package at import time.\nfrom .tests import print_versions, test  # noqa: F401\n")
	case "pkg_resources":
		init.WriteString("# APScheduler 3.x reads its version through pkg_resources at import time.\n" +
			"release = __import__(\"pkg_resources\").get_distribution(" + fmt.Sprintf("%q", d.Name) + ").version.split(\"-\")[0]\n")
	}
	// Every console script names a function that exists.
	for _, s := range d.Scripts {
		_, target, _ := strings.Cut(s, "=")
		mod, fn, _ := strings.Cut(strings.TrimSpace(target), ":")
		file := strings.ReplaceAll(mod, ".", "/") + ".py"
		if _, ok := files[file]; ok {
			continue
		}
		if _, ok := files[strings.ReplaceAll(mod, ".", "/")+"/__init__.py"]; ok || mod == p {
			continue
		}
		files[file] = fmt.Sprintf("import sys\n\n\ndef %s():\n    print(%q, %q, sys.argv[1:])\n    return 0\n", fn, d.Name, d.Version)
	}
}

// pytestRunner is the pytest stand-in's runner: enough of pytest to run an
// app's plain test functions (and tmp_path), with pytest's exit codes.
const pytestRunner = `"""A small test runner standing in for pytest (slim's test index).

It collects test_*.py and *_test.py files under the given paths (default:
the current directory), imports them the way pytest's "prepend" import mode
does, calls every test_* function and Test*.test_* method, reports, and exits
1 when a test fails or a file does not import, 5 when nothing was collected.
"""
import contextlib
import importlib.metadata
import importlib.util
import inspect
import os
import pathlib
import re
import sys
import tempfile
import time
import traceback

SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "venv"}


class _Mark:
    def __getattr__(self, name):
        def decorator(*args, **kwargs):
            if len(args) == 1 and callable(args[0]) and not kwargs:
                return args[0]
            return lambda f: f

        return decorator


mark = _Mark()


def fixture(*args, **kwargs):
    if len(args) == 1 and callable(args[0]):
        return args[0]
    return lambda f: f


@contextlib.contextmanager
def raises(expected, match=None):
    try:
        yield
    except expected as exc:
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(f"{exc!r} does not match {match!r}")
        return
    raise AssertionError(f"DID NOT RAISE {expected}")


def _collect(paths):
    files = []
    for p in map(pathlib.Path, paths):
        if p.is_file():
            files.append(p)
            continue
        for root, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for n in sorted(names):
                if n.endswith(".py") and (n.startswith("test_") or n.endswith("_test.py")):
                    files.append(pathlib.Path(root) / n)
    return files


def _basedir(path):
    d = path.parent.resolve()
    while (d / "__init__.py").exists():
        d = d.parent
    return d


def _load(path, i):
    base = str(_basedir(path))
    if base not in sys.path:
        sys.path.insert(0, base)
    name = f"_test_module_{i}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _tests(module):
    for name, obj in list(vars(module).items()):
        if name.startswith("test") and inspect.isfunction(obj):
            yield name, obj
        elif name.startswith("Test") and inspect.isclass(obj):
            for mname, meth in list(vars(obj).items()):
                if mname.startswith("test") and inspect.isfunction(meth):
                    yield f"{name}::{mname}", getattr(obj(), mname)


def _call(fn):
    kwargs = {}
    for p in inspect.signature(fn).parameters:
        if p in ("tmp_path", "tmpdir"):
            kwargs[p] = pathlib.Path(tempfile.mkdtemp(prefix="pytest-"))
        else:
            raise TypeError(f"fixture {p!r} not found")
    fn(**kwargs)


def main(args=None):
    args = list(sys.argv[1:] if args is None else args)
    paths = [a for a in args if not a.startswith("-")] or ["."]
    verbose = "-v" in args or "--verbose" in args
    start = time.time()
    sys.path.insert(0, os.getcwd())
    version = importlib.metadata.version("pytest")
    print(f"platform {sys.platform} -- Python {sys.version.split()[0]}, pytest-{version} (slim stand-in)")
    passed, failed, errors = 0, [], []
    files = _collect(paths)
    collected = []
    for i, f in enumerate(files):
        try:
            collected.append((f, list(_tests(_load(f, i)))))
        except Exception:
            errors.append((f"ERROR collecting {f}", traceback.format_exc()))
    print(f"collected {sum(len(t) for _, t in collected)} items")
    for f, tests in collected:
        for name, fn in tests:
            try:
                _call(fn)
            except Exception:
                failed.append((f"{f}::{name}", traceback.format_exc()))
                outcome = "FAILED"
            else:
                passed += 1
                outcome = "PASSED"
            if verbose:
                print(f"{f}::{name} {outcome}")
    for name, tb in errors + failed:
        print(f"_____ {name} _____\n{tb}")
    parts = [f"{len(failed)} failed"] if failed else []
    parts.append(f"{passed} passed")
    if errors:
        parts.append(f"{len(errors)} errors")
    print(f"===== {', '.join(parts)} in {time.time() - start:.2f}s =====")
    if errors or failed:
        return 1
    if passed == 0:
        print("no tests ran")
        return 5
    return 0


def console_main():
    sys.exit(main())
`

// mypyMain is the mypy stand-in's command: it parses every given source.
const mypyMain = `"""mypy stand-in: parses the given sources and reports as mypy does."""
import ast
import os
import sys


def console_entry():
    paths = [a for a in sys.argv[1:] if not a.startswith("-")] or ["."]
    files = []
    for p in paths:
        if os.path.isfile(p):
            files.append(p)
            continue
        for root, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "site-packages"))
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".py", ".pyi"))]
    errors = 0
    for f in files:
        try:
            with open(f, encoding="utf-8") as src:
                ast.parse(src.read(), f)
        except SyntaxError as e:
            print(f"{f}:{e.lineno}: error: {e.msg}  [syntax]")
            errors += 1
    if errors:
        print(f"Found {errors} errors in {errors} files (checked {len(files)} source files)")
        sys.exit(1)
    print(f"Success: no issues found in {len(files)} source files")


if __name__ == "__main__":
    console_entry()
`

// ruffSource is the start of the ruff stand-in's bin/ruff; pip rewrites
// the #!python line to the environment's interpreter.
const ruffSource = `#!python
"""ruff stand-in: "ruff check" byte-compiles the given sources."""
import os
import sys


def main(argv):
    if argv[:1] == ["--version"]:
        print("ruff 0.1.6")
        return 0
    args = [a for a in argv[1:] if not a.startswith("-")] or ["."]
    files = []
    for p in args:
        if os.path.isfile(p):
            files.append(p)
            continue
        for root, dirs, names in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "site-packages"))
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".py")]
    bad = 0
    for f in files:
        try:
            with open(f, encoding="utf-8") as src:
                compile(src.read(), f, "exec")
        except SyntaxError as e:
            print(f"{f}:{e.lineno}:{e.offset}: E999 SyntaxError: {e.msg}")
            bad += 1
    if bad:
        print(f"Found {bad} errors.")
        return 1
    print("All checks passed!")
    return 0


sys.exit(main(sys.argv[1:]))
`

// serverCLI runs an app the way uvicorn, gunicorn and celery are invoked:
// `cmd [worker] [-A] module[:attr] [options]`. With --selftest (a stand-in
// flag) it calls the module's selftest() and exits; otherwise it serves,
// i.e. waits for a signal.
const serverCLI = `"""PROG stand-in command line."""
import importlib
import os
import signal
import sys

VALUE_OPTIONS = {"-A", "--app", "-b", "--bind", "--host", "--port", "-w", "--workers", "-c", "--concurrency", "-l", "--loglevel", "-k", "--worker-class"}
SUBCOMMANDS = {"worker", "beat", "run", "serve"}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    target = None
    it = iter(argv)
    for a in it:
        if a in ("-A", "--app"):
            target = next(it, None)
        elif a in VALUE_OPTIONS:
            next(it, None)
        elif not a.startswith("-") and a not in SUBCOMMANDS and target is None:
            target = a
    if target is None:
        print("usage: PROG [-A] MODULE[:ATTR] [--selftest]", file=sys.stderr)
        return 2
    sys.path.insert(0, os.getcwd())
    modname, _, attr = target.partition(":")
    module = importlib.import_module(modname)
    app = getattr(module, attr or "app")
    print(f"PROG: loaded {target} ({type(app).__name__})", flush=True)
    if "--selftest" in argv:
        selftest = getattr(module, "selftest", None)
        if selftest is not None:
            selftest()
        print("PROG: selftest ok", flush=True)
        return 0
    print("PROG: ready", flush=True)
    signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
`

// prismaEngine locates and writes the query engine the way Prisma Client
// Python does: a binary cache under ~/.cache/prisma-python (or
// $XDG_CACHE_HOME) that `prisma generate` fills and the client needs at
// runtime. Format verbs: client version, engine hash, engine size, seed.
const prismaEngine = `"""Prisma query engine cache (stand-in)."""
import os
import random

CLIENT_VERSION = %q
ENGINE_VERSION = "5.4.2"
ENGINE_HASH = "%012x"
ENGINE_NAME = "prisma-query-engine-debian-openssl-3.0.x"
ENGINE_SIZE = %d
_SEED = %d


class BinaryNotFoundError(RuntimeError):
    pass


def binaries_dir():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "prisma-python", "binaries", ENGINE_VERSION, ENGINE_HASH)


def engine_path():
    return os.path.join(binaries_dir(), ENGINE_NAME)


def engine_bytes():
    rng = random.Random(_SEED)
    vocab = [rng.randbytes(4) for _ in range(512)]
    words = rng.choices(vocab, k=ENGINE_SIZE // 4 + 1)
    return (b"\x7fELF\x02\x01\x01\x00" + b"".join(words))[:ENGINE_SIZE]


def download_engine():
    path = engine_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(engine_bytes())
    os.chmod(path, 0o755)
    return path


class Prisma:
    def __init__(self):
        self.connected = False

    def connect(self):
        path = engine_path()
        if not os.path.isfile(path) or os.path.getsize(path) != ENGINE_SIZE:
            raise BinaryNotFoundError(f"Expected the query engine at {path}; run prisma generate")
        self.connected = True
        return self
`

const prismaCLI = `"""prisma command line (stand-in): prisma generate | prisma version."""
import sys

from prisma._engine import CLIENT_VERSION, ENGINE_VERSION, download_engine


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["generate"]:
        path = download_engine()
        print(f"Downloaded query engine {ENGINE_VERSION} to {path}")
        print(f"Generated Prisma Client Python (v{CLIENT_VERSION})")
        return 0
    if argv[:1] in (["version"], ["--version"], ["-v"]):
        print(f"prisma-client-python {CLIENT_VERSION}, engine {ENGINE_VERSION}")
        return 0
    print("usage: prisma generate | prisma version", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
`

const tablesTests = `"""PyTables' test package (stand-in). tables/__init__.py imports
print_versions and test from here at import time, as PyTables does."""
import sys


def print_versions():
    import tables

    print("PyTables version:", tables.__version__)
    print("Python version:  ", sys.version.split()[0])


def test(verbose=False):
    print("tables test suite (stand-in): nothing to run")
    return True
`
