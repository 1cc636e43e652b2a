package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"syscall"
)

// ExampleDists are the packages the examples under examples/ (and the
// end-to-end tests) install from the loopback index: the walking
// skeleton's tiny packages, realistic stand-ins for the packages of a
// Python backend, and Poetry itself (Debian's, repackaged; see
// debwheels.go).
//
// The stand-ins carry real project names and versions, so requirements
// files and pyproject.toml read as they would against PyPI; each wheel's
// Summary says it is a stand-in. They are generated at 1/5 of the installed
// size of the real package (wheel installed by pip on CPython 3.11,
// manylinux x86-64, without __pycache__; approximate, rounded), with the
// same shape: compiled extensions, vendored libraries, tests inside the
// package, data files, console scripts. Installed sizes:
//
//	stand-in            real size   of which                                   stand-in
//	numpy 1.26.2          70 MB     ext 18, numpy.libs (OpenBLAS) 33, tests 9   14.3 MB
//	pandas 2.1.3          68 MB     ext 36, tests 20 (pandas/tests/…)           13.9 MB
//	tables 3.9.2          21 MB     ext 4, tables.libs 8, tests 7 (imported!)    4.3 MB
//	SQLAlchemy 2.0.23     14 MB     ext 2.5                                      2.8 MB
//	pydantic-core 2.14.5   5 MB     ext 4.6                                      1.0 MB
//	pydantic 2.5.2         3 MB                                                  0.6 MB
//	pytz 2023.3.post1    2.9 MB     zoneinfo 2.4                                 0.6 MB
//	redis 5.0.1          2.4 MB                                                  0.5 MB
//	celery 5.3.6         2.7 MB     console script celery                        0.5 MB
//	tzdata 2023.3        1.6 MB     zone files                                   0.3 MB
//	prisma 0.11.0        1.5 MB     + query engine 15 MB that `prisma generate`  0.3 MB
//	                                downloads into ~/.cache/prisma-python        + 3 MB
//	kombu 5.3.4          1.2 MB                                                  0.2 MB
//	greenlet 3.0.1       1.1 MB     ext 0.6, tests 0.3                           0.2 MB
//	numexpr 2.8.7        1.0 MB     ext 0.7, tests 0.15                          0.2 MB
//	Werkzeug 3.0.1       0.9 MB                                                  0.2 MB
//	python-dateutil 2.8.2 0.75 MB                                                0.15 MB
//	gunicorn 21.2.0      0.6 MB     console script gunicorn                      0.1 MB
//	billiard, urllib3, Jinja2, fastapi, idna, anyio, uvicorn (script), click,
//	charset-normalizer (ext), starlette, APScheduler (imports pkg_resources),
//	certifi (cacert.pem), h11 (tests), requests, Flask, …: 0.03–0.6 MB each, 1/5.
//	dev group:
//	mypy 1.7.1            45 MB     mypyc ext 30, typeshed .pyi 8                9.2 MB
//	ruff 0.1.6            22 MB     one executable in bin/                       4.5 MB
//	pytest 7.4.3         2.7 MB     working runner (console script pytest)       0.5 MB
//	pluggy, iniconfig, packaging, mypy-extensions, typing-extensions: 1/5.
//
// Where a stand-in shares a name with a Debian-made dist (requests, idna,
// six, packaging, …) its version is higher, so resolvers pick the stand-in
// for the apps while `pip install poetry` gets the pinned Debian one; and
// poetry.lock files only ever reference the generated, byte-for-byte
// reproducible stand-ins.
func ExampleDists() []Dist {
	return append(append(append([]Dist{}, TinyDists...), standInDists...), poetryDists...)
}

// Sizes below are KB (1024 bytes); each Summary gives the real package's
// installed size.
var standInDists = []Dist{
	// Scientific stack.
	{Name: "numpy", Version: "1.26.2", Summary: "slim test stand-in for NumPy 1.26.2 (real: 70 MB installed)",
		ExtKB: 3686, LibsKB: 6758, TestsKB: 1843, PayloadKB: 2048,
		TestDirs: []string{"core/tests", "linalg/tests", "fft/tests", "random/tests", "lib/tests", "ma/tests"},
		Scripts:  []string{"f2py = numpy.f2py.f2py2e:main"}},
	{Name: "pandas", Version: "2.1.3", Summary: "slim test stand-in for pandas 2.1.3 (real: 68 MB installed, tests 20 MB)",
		Requires: []string{"numpy>=1.23.2", "python-dateutil>=2.8.2", "pytz>=2020.1", "tzdata>=2022.1"},
		ExtKB:    7373, TestsKB: 4096, PayloadKB: 2458,
		TestDirs: []string{"tests/frame", "tests/series", "tests/indexes", "tests/io", "tests/groupby", "tests/arithmetic", "tests/extension", "tests/tseries"}},
	{Name: "python-dateutil", Version: "2.8.2", Package: "dateutil", Summary: "slim test stand-in for python-dateutil 2.8.2 (real: 0.75 MB)",
		Requires: []string{"six>=1.5"}, PayloadKB: 120, DataKB: 30, DataExt: "bin", DataDir: "zoneinfo"},
	{Name: "six", Version: "1.17.0", Summary: "slim test stand-in for six 1.17.0 (real: 0.04 MB)", PayloadKB: 8},
	{Name: "pytz", Version: "2023.3.post1", Summary: "slim test stand-in for pytz 2023.3.post1 (real: 2.9 MB, zoneinfo 2.4 MB)",
		PayloadKB: 100, DataKB: 480, DataExt: "tzif", DataDir: "zoneinfo"},
	{Name: "tzdata", Version: "2023.3", Summary: "slim test stand-in for tzdata 2023.3 (real: 1.6 MB of zone files)",
		PayloadKB: 4, DataKB: 330, DataExt: "tzif", DataDir: "zoneinfo"},
	{Name: "tables", Version: "3.9.2", Kind: "tables", Summary: "slim test stand-in for PyTables 3.9.2 (real: 21 MB; imports its own tests package)",
		Requires: []string{"numpy>=1.19.0", "numexpr>=2.6.2", "py-cpuinfo"},
		ExtKB:    820, LibsKB: 1640, TestsKB: 1430, PayloadKB: 410,
		Scripts: []string{"ptdump = tables.scripts.ptdump:main", "ptrepack = tables.scripts.ptrepack:main"}},
	{Name: "numexpr", Version: "2.8.7", Summary: "slim test stand-in for numexpr 2.8.7 (real: 1.0 MB)",
		Requires: []string{"numpy>=1.13.3"}, ExtKB: 140, TestsKB: 30, PayloadKB: 30},
	{Name: "py-cpuinfo", Version: "9.0.0", Package: "cpuinfo", Summary: "slim test stand-in for py-cpuinfo 9.0.0 (real: 0.1 MB)",
		PayloadKB: 20, Scripts: []string{"cpuinfo = cpuinfo.cli:main"}},

	// Web: FastAPI on uvicorn, Flask on gunicorn.
	{Name: "fastapi", Version: "0.104.1", Summary: "slim test stand-in for FastAPI 0.104.1 (real: 0.5 MB)",
		Requires: []string{"starlette>=0.27.0,<0.28.0", "pydantic>=1.7.4", "typing-extensions>=4.8.0", "anyio>=3.7.1,<4.0.0"}, PayloadKB: 100},
	{Name: "starlette", Version: "0.27.0", Summary: "slim test stand-in for Starlette 0.27.0 (real: 0.35 MB)",
		Requires: []string{"anyio>=3.4.0,<5"}, PayloadKB: 70},
	{Name: "anyio", Version: "3.7.1", Summary: "slim test stand-in for AnyIO 3.7.1 (real: 0.45 MB)",
		Requires: []string{"idna>=2.8", "sniffio>=1.1"}, PayloadKB: 90},
	{Name: "sniffio", Version: "1.3.0", Summary: "slim test stand-in for sniffio 1.3.0 (real: 0.03 MB)", PayloadKB: 6},
	{Name: "pydantic", Version: "2.5.2", Summary: "slim test stand-in for pydantic 2.5.2 (real: 3 MB)",
		Requires: []string{"annotated-types>=0.4.0", "pydantic-core==2.14.5", "typing-extensions>=4.6.1"}, PayloadKB: 600},
	{Name: "pydantic-core", Version: "2.14.5", Summary: "slim test stand-in for pydantic-core 2.14.5 (real: 5 MB, extension 4.6 MB)",
		Requires: []string{"typing-extensions>=4.6.0,!=4.7.0"}, ExtKB: 940, PayloadKB: 80},
	{Name: "annotated-types", Version: "0.6.0", Summary: "slim test stand-in for annotated-types 0.6.0 (real: 0.04 MB)", PayloadKB: 8},
	{Name: "typing-extensions", Version: "4.8.0", Summary: "slim test stand-in for typing_extensions 4.8.0 (real: 0.13 MB)", PayloadKB: 26},
	{Name: "uvicorn", Version: "0.24.0", Kind: "server", Summary: "slim test stand-in for uvicorn 0.24.0 (real: 0.5 MB)",
		Requires: []string{"click>=7.0", "h11>=0.8"}, PayloadKB: 100, Scripts: []string{"uvicorn = uvicorn.cli:main"}},
	{Name: "click", Version: "8.1.7", Summary: "slim test stand-in for click 8.1.7 (real: 0.4 MB)", PayloadKB: 80},
	{Name: "h11", Version: "0.14.0", Summary: "slim test stand-in for h11 0.14.0 (real: 0.25 MB with tests)", PayloadKB: 30, TestsKB: 20},
	{Name: "Flask", Version: "3.0.0", Package: "flask", Summary: "slim test stand-in for Flask 3.0.0 (real: 0.3 MB)",
		Requires:  []string{"Werkzeug>=3.0.0", "Jinja2>=3.1.2", "itsdangerous>=2.1.2", "click>=8.1.3", "blinker>=1.6.2"},
		PayloadKB: 60, Scripts: []string{"flask = flask.cli:main"}},
	{Name: "Werkzeug", Version: "3.0.1", Package: "werkzeug", Summary: "slim test stand-in for Werkzeug 3.0.1 (real: 0.9 MB)",
		Requires: []string{"MarkupSafe>=2.1.1"}, PayloadKB: 150, DataKB: 30, DataExt: "bin", DataDir: "debug/shared"},
	{Name: "Jinja2", Version: "3.1.2", Package: "jinja2", Summary: "slim test stand-in for Jinja2 3.1.2 (real: 0.55 MB)",
		Requires: []string{"MarkupSafe>=2.0"}, PayloadKB: 110},
	{Name: "MarkupSafe", Version: "2.1.3", Package: "markupsafe", Summary: "slim test stand-in for MarkupSafe 2.1.3 (real: 0.06 MB, with extension)",
		ExtKB: 8, PayloadKB: 4},
	{Name: "itsdangerous", Version: "2.1.2", Summary: "slim test stand-in for itsdangerous 2.1.2 (real: 0.06 MB)", PayloadKB: 12},
	{Name: "blinker", Version: "1.7.0", Summary: "slim test stand-in for blinker 1.7.0 (real: 0.03 MB)", PayloadKB: 6},
	{Name: "gunicorn", Version: "21.2.0", Kind: "server", Summary: "slim test stand-in for gunicorn 21.2.0 (real: 0.6 MB)",
		PayloadKB: 120, Scripts: []string{"gunicorn = gunicorn.cli:main"}},

	// Data access, jobs, HTTP.
	{Name: "SQLAlchemy", Version: "2.0.23", Package: "sqlalchemy", Summary: "slim test stand-in for SQLAlchemy 2.0.23 (real: 14 MB)",
		Requires: []string{"typing-extensions>=4.2.0", "greenlet!=0.4.17"}, ExtKB: 500, PayloadKB: 2300},
	{Name: "greenlet", Version: "3.0.1", Summary: "slim test stand-in for greenlet 3.0.1 (real: 1.1 MB with tests)",
		ExtKB: 120, TestsKB: 60, PayloadKB: 40},
	{Name: "prisma", Version: "0.11.0", Kind: "prisma", EngineKB: 3072, Summary: "slim test stand-in for Prisma Client Python 0.11.0 (real: 1.5 MB + 15 MB query engine in ~/.cache)",
		Requires:  []string{"pydantic>=1.10.0,<3", "click>=7.1.2", "typing-extensions>=4.0.1"},
		PayloadKB: 300, Scripts: []string{"prisma = prisma.cli:main"}},
	{Name: "celery", Version: "5.3.6", Kind: "server", Summary: "slim test stand-in for Celery 5.3.6 (real: 2.7 MB)",
		Requires:  []string{"billiard>=4.2.0,<5.0", "kombu>=5.3.4,<6.0", "vine>=5.1.0,<6.0", "click>=8.1.2,<9.0"},
		PayloadKB: 540, Scripts: []string{"celery = celery.cli:main"}},
	{Name: "kombu", Version: "5.3.4", Summary: "slim test stand-in for kombu 5.3.4 (real: 1.2 MB)",
		Requires: []string{"amqp>=5.1.1,<6.0.0", "vine"}, PayloadKB: 240},
	{Name: "amqp", Version: "5.2.0", Summary: "slim test stand-in for amqp 5.2.0 (real: 0.3 MB)", Requires: []string{"vine>=5.0.0,<6.0.0"}, PayloadKB: 60},
	{Name: "billiard", Version: "4.2.0", Summary: "slim test stand-in for billiard 4.2.0 (real: 0.6 MB)", PayloadKB: 120},
	{Name: "vine", Version: "5.1.0", Summary: "slim test stand-in for vine 5.1.0 (real: 0.06 MB)", PayloadKB: 12},
	{Name: "redis", Version: "5.0.1", Summary: "slim test stand-in for redis-py 5.0.1 (real: 2.4 MB)", PayloadKB: 480},
	{Name: "APScheduler", Version: "3.10.4", Kind: "pkg_resources", Package: "apscheduler", Summary: "slim test stand-in for APScheduler 3.10.4 (real: 0.35 MB; imports pkg_resources)",
		Requires: []string{"six>=1.4.0", "pytz", "tzlocal>=2.0,!=3.*"}, PayloadKB: 70,
		EntryPoints: []string{"[apscheduler.triggers] date = apscheduler._standin:hello", "[apscheduler.triggers] interval = apscheduler._standin:hello"}},
	{Name: "tzlocal", Version: "5.2", Summary: "slim test stand-in for tzlocal 5.2 (real: 0.05 MB)", PayloadKB: 10},
	{Name: "requests", Version: "2.31.0", Summary: "slim test stand-in for requests 2.31.0 (real: 0.25 MB)",
		Requires: []string{"charset-normalizer>=2,<4", "idna>=2.5,<4", "urllib3>=1.21.1,<3", "certifi>=2017.4.17"}, PayloadKB: 50},
	{Name: "urllib3", Version: "2.1.0", Summary: "slim test stand-in for urllib3 2.1.0 (real: 0.6 MB)", PayloadKB: 120},
	{Name: "idna", Version: "3.6", Summary: "slim test stand-in for idna 3.6 (real: 0.5 MB)", PayloadKB: 100},
	{Name: "certifi", Version: "2023.11.17", Summary: "slim test stand-in for certifi 2023.11.17 (real: 0.3 MB, cacert.pem)",
		PayloadKB: 4, DataKB: 58, DataExt: "pem", DataDir: "."},
	{Name: "charset-normalizer", Version: "3.3.2", Summary: "slim test stand-in for charset-normalizer 3.3.2 (real: 0.45 MB, extensions 0.27 MB)",
		ExtKB: 55, PayloadKB: 35, Scripts: []string{"normalizer = charset_normalizer.cli:main"}},

	// Dev group: test runner, type checker, linter.
	{Name: "pytest", Version: "7.4.3", Kind: "pytest", Summary: "slim test stand-in for pytest 7.4.3 (real: 2.7 MB); a working minimal runner",
		Requires: []string{"iniconfig", "packaging", "pluggy>=0.12,<2.0"}, PayloadKB: 540,
		Scripts: []string{"py.test = pytest:console_main", "pytest = pytest:console_main"}},
	{Name: "pluggy", Version: "1.3.0", Summary: "slim test stand-in for pluggy 1.3.0 (real: 0.1 MB)", PayloadKB: 20},
	{Name: "iniconfig", Version: "2.0.0", Summary: "slim test stand-in for iniconfig 2.0.0 (real: 0.02 MB)", PayloadKB: 4},
	{Name: "packaging", Version: "23.2", Summary: "slim test stand-in for packaging 23.2 (real: 0.3 MB)", PayloadKB: 60},
	{Name: "mypy", Version: "1.7.1", Kind: "mypy", Summary: "slim test stand-in for mypy 1.7.1 (real: 45 MB, mypyc extensions 30 MB, typeshed 8 MB)",
		Requires: []string{"typing-extensions>=4.1.0", "mypy-extensions>=1.0.0"},
		ExtKB:    6144, DataKB: 1638, DataExt: "pyi", DataDir: "typeshed", PayloadKB: 1434,
		Scripts: []string{"mypy = mypy.__main__:console_entry"}},
	{Name: "mypy-extensions", Version: "1.0.0", Package: "mypy_extensions", Summary: "slim test stand-in for mypy-extensions 1.0.0 (real: 0.02 MB)", PayloadKB: 4},
	{Name: "ruff", Version: "0.1.6", Kind: "ruff", Summary: "slim test stand-in for ruff 0.1.6 (real: 22 MB, one executable)", ExtKB: 4506, PayloadKB: 4},
}

// poetryDists are Debian bookworm's python3-poetry and its dependency
// closure (minus what the python image already has: pip, setuptools,
// wheel), repackaged by debwheels.go; Requires are Debian's package
// relations, pinned to the versions Debian ships.
var poetryDists = []Dist{
	{Name: "attrs", Version: "22.2.0", Deb: "python3-attr"},
	{Name: "CacheControl", Version: "0.12.12", Deb: "python3-cachecontrol", Requires: []string{"msgpack==1.0.3", "requests==2.28.1"}},
	{Name: "certifi", Version: "2022.9.24", Deb: "python3-certifi"},
	{Name: "cffi", Version: "1.15.1", Deb: "python3-cffi-backend", Binary: true, Summary: "C Foreign Function Interface for Python (Debian's python3-cffi-backend: the extension module only)"},
	{Name: "chardet", Version: "5.1.0", Deb: "python3-chardet"},
	{Name: "charset-normalizer", Version: "3.0.1", Deb: "python3-charset-normalizer"},
	{Name: "cleo", Version: "2.0.1", Deb: "python3-cleo", Requires: []string{"crashtest==0.4.1", "pylev==1.4.0"}},
	{Name: "crashtest", Version: "0.4.1", Deb: "python3-crashtest"},
	{Name: "cryptography", Version: "38.0.4", Deb: "python3-cryptography", Binary: true, Requires: []string{"cffi==1.15.1"}},
	{Name: "distlib", Version: "0.3.6", Deb: "python3-distlib"},
	{Name: "dulwich", Version: "0.21.2", Deb: "python3-dulwich", Binary: true, Requires: []string{"urllib3==1.26.12"}},
	{Name: "filelock", Version: "3.9.0", Deb: "python3-filelock"},
	{Name: "html5lib", Version: "1.1", Deb: "python3-html5lib", Requires: []string{"six==1.16.0", "webencodings==0.5.1"}},
	{Name: "idna", Version: "3.3", Deb: "python3-idna"},
	{Name: "importlib-metadata", Version: "4.12.0", Deb: "python3-importlib-metadata", Requires: []string{"zipp==1.0.0"}},
	{Name: "jaraco.classes", Version: "3.2.1", Deb: "python3-jaraco.classes", Requires: []string{"more-itertools==8.10.0"}},
	{Name: "jeepney", Version: "0.8.0", Deb: "python3-jeepney"},
	{Name: "jsonschema", Version: "4.10.3", Deb: "python3-jsonschema", Requires: []string{"attrs==22.2.0", "importlib-metadata==4.12.0", "pyrsistent==0.18.1"}},
	{Name: "keyring", Version: "23.9.3", Deb: "python3-keyring", Requires: []string{"SecretStorage==3.3.3", "importlib-metadata==4.12.0", "jaraco.classes==3.2.1", "jeepney==0.8.0"}},
	{Name: "lockfile", Version: "0.12.2", Deb: "python3-lockfile"},
	{Name: "more-itertools", Version: "8.10.0", Deb: "python3-more-itertools"},
	{Name: "msgpack", Version: "1.0.3", Deb: "python3-msgpack", Binary: true},
	{Name: "packaging", Version: "23.0", Deb: "python3-packaging"},
	{Name: "pexpect", Version: "4.8.0", Deb: "python3-pexpect", Requires: []string{"ptyprocess==0.7.0"}},
	{Name: "pkginfo", Version: "1.8.2", Deb: "python3-pkginfo"},
	{Name: "platformdirs", Version: "2.6.0", Deb: "python3-platformdirs"},
	{Name: "poetry", Version: "1.3.2", Deb: "python3-poetry", Requires: []string{"CacheControl==0.12.12", "cleo==2.0.1", "crashtest==0.4.1", "dulwich==0.21.2", "filelock==3.9.0", "html5lib==1.1", "importlib-metadata==4.12.0", "jsonschema==4.10.3", "keyring==23.9.3", "lockfile==0.12.2", "packaging==23.0", "pexpect==4.8.0", "pkginfo==1.8.2", "platformdirs==2.6.0", "poetry-core==1.4.0", "requests-toolbelt==0.10.1", "requests==2.28.1", "shellingham==1.5.0", "tomlkit==0.11.7", "urllib3==1.26.12", "virtualenv==20.17.1+ds"}},
	{Name: "poetry-core", Version: "1.4.0", Deb: "python3-poetry-core", Requires: []string{"importlib-metadata==4.12.0"}},
	{Name: "ptyprocess", Version: "0.7.0", Deb: "python3-ptyprocess"},
	{Name: "pylev", Version: "1.4.0", Deb: "python3-pylev"},
	{Name: "pyrsistent", Version: "0.18.1", Deb: "python3-pyrsistent", Binary: true},
	{Name: "requests", Version: "2.28.1", Deb: "python3-requests", Requires: []string{"certifi==2022.9.24", "chardet==5.1.0", "charset-normalizer==3.0.1", "idna==3.3", "urllib3==1.26.12"}},
	{Name: "requests-toolbelt", Version: "0.10.1", Deb: "python3-requests-toolbelt", Requires: []string{"requests==2.28.1"}},
	{Name: "SecretStorage", Version: "3.3.3", Deb: "python3-secretstorage", Requires: []string{"cryptography==38.0.4", "jeepney==0.8.0"}},
	{Name: "shellingham", Version: "1.5.0", Deb: "python3-shellingham"},
	{Name: "six", Version: "1.16.0", Deb: "python3-six"},
	{Name: "tomlkit", Version: "0.11.7", Deb: "python3-tomlkit"},
	{Name: "urllib3", Version: "1.26.12", Deb: "python3-urllib3", Requires: []string{"six==1.16.0"}},
	{Name: "virtualenv", Version: "20.17.1+ds", Deb: "python3-virtualenv", Requires: []string{"distlib==0.3.6", "filelock==3.9.0", "importlib-metadata==4.12.0", "platformdirs==2.6.0"}},
	{Name: "webencodings", Version: "0.5.1", Deb: "python3-webencodings"},
	{Name: "zipp", Version: "1.0.0", Deb: "python3-zipp", Requires: []string{"more-itertools==8.10.0"}},
}

// The poetry examples' pyproject.toml and poetry.lock name the index by URL
// and Poetry 1.3 has no way to override a source's URL, so the index is also
// served on a fixed loopback port: derived from the generated wheels'
// manifest (a changed manifest changes the wheel hashes in poetry.lock too,
// so both files are regenerated together; see integration/README.md).
// Several environments with the same manifest share the port
// (SO_REUSEPORT); all serve the same bytes.

// ExampleIndexURL is the index URL the examples' pyproject.toml files use.
func ExampleIndexURL() string { return "http://" + exampleIndexAddr() + "/simple" }

func exampleIndexAddr() string {
	var generated []Dist
	for _, d := range ExampleDists() {
		if d.Deb == "" {
			generated = append(generated, d)
		}
	}
	manifest, _ := json.Marshal(generated)
	sum := sha256.Sum256([]byte(wheelGenerator + "\n" + string(manifest)))
	port := 20000 + int(binary.BigEndian.Uint32(sum[:4])%10000)
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// soReusePort is Linux's SO_REUSEPORT (the syscall package lacks it).
const soReusePort = 0xf

// serveStable serves the index on the examples' fixed address too, when it
// serves the examples' manifest.
func serveStable(s *indexServer, dists []Dist) error {
	want, _ := json.Marshal(ExampleDists())
	got, _ := json.Marshal(dists)
	if string(want) != string(got) {
		return nil
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	ln, err := lc.Listen(context.Background(), "tcp", exampleIndexAddr())
	if err != nil {
		return fmt.Errorf("index: listen on the examples' address %s: %w", exampleIndexAddr(), err)
	}
	go s.srv.Serve(ln)
	return nil
}
