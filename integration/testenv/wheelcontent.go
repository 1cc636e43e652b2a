package testenv

// The generated contents of a wheel: modules, tests, extension and data
// payloads, all drawn from a generator seeded by the distribution's name,
// so the same manifest gives the same bytes.

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
)

// sourceFiles is the package's files: __init__ importing its dependencies
// (so a missing one fails at import, as in real packages), a _standin module with hello(),
// what Kind adds, payload modules, tests, extensions and data.
func (d Dist) sourceFiles() map[string]string {
	p := d.pkg()
	var init strings.Builder
	fmt.Fprintf(&init, "\"\"\"%s: %s.\"\"\"\n", d.Name, d.Summary)
	for _, r := range d.Requires {
		if strings.Contains(r, "extra ==") {
			continue
		}
		fmt.Fprintf(&init, "import %s  # noqa: F401\n", importName(r))
	}
	fmt.Fprintf(&init, "from %s._standin import hello  # noqa: F401\n", p)
	files := map[string]string{
		p + "/_standin.py": fmt.Sprintf("def hello():\n    return %q\n", d.Name+" "+d.Version),
	}
	kindFiles(d, files, &init)
	fmt.Fprintf(&init, "\n__version__ = %q\n", d.Version)
	files[p+"/__init__.py"] = init.String()

	rng := rand.New(rand.NewPCG(uint64(len(d.Name)), seed(d.Name+d.Version)))
	const chunk = 32 * 1024
	for i := 0; i*chunk < d.PayloadKB*1024; i++ {
		files[fmt.Sprintf("%s/_mod%02d.py", p, i)] = payloadModule(rng, min(chunk, d.PayloadKB*1024-i*chunk))
	}
	if d.Tests {
		files[p+"/tests/__init__.py"] = ""
		files[p+"/tests/test_core.py"] = fmt.Sprintf("from %s import hello\n\n\ndef test_hello():\n    assert hello() == %q\n", p, d.Name+" "+d.Version)
	}
	if d.TestsKB > 0 {
		d.testSuite(rng, files)
	}
	if d.Kind == "ruff" {
		// ruff is one executable in bin/: here a Python script whose
		// "machine code" is a comment block.
		files[d.escapedName()+"-"+d.Version+".data/scripts/ruff"] = ruffScript(rng, d.ExtKB*1024)
	} else if d.ExtKB > 0 {
		d.extensions(rng, files)
	}
	if d.LibsKB > 0 {
		n := (d.LibsKB + 8191) / 8192
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("%s.libs/lib%s%d-%08x.so", p, p, i, rng.Uint32())
			files[name] = binaryBlob(rng, min(8192, d.LibsKB-i*8192)*1024)
		}
	}
	if d.DataKB > 0 {
		d.dataFiles(rng, files)
	}
	// Every directory on the way to a module is a package.
	for name := range files {
		if !strings.HasSuffix(name, ".py") || !strings.HasPrefix(name, p+"/") {
			continue
		}
		for dir := path.Dir(name); dir != p && dir != "."; dir = path.Dir(dir) {
			if _, ok := files[dir+"/__init__.py"]; !ok {
				files[dir+"/__init__.py"] = ""
			}
		}
	}
	return files
}

// testSuite spreads TestsKB of test modules over the test directories.
func (d Dist) testSuite(rng *rand.Rand, files map[string]string) {
	p := d.pkg()
	dirs := d.TestDirs
	if len(dirs) == 0 {
		dirs = []string{"tests"}
	}
	const chunk = 24 * 1024
	total := d.TestsKB * 1024
	for i := 0; i*chunk < total; i++ {
		dir := dirs[i%len(dirs)]
		label := p
		for _, part := range strings.Split(dir, "/") {
			if part != "tests" && part != "test" {
				label = part
			}
		}
		files[fmt.Sprintf("%s/%s/test_%s_%02d.py", p, dir, label, i)] = testModule(rng, d, min(chunk, total-i*chunk))
		if _, ok := files[p+"/"+dir+"/__init__.py"]; !ok {
			files[p+"/"+dir+"/__init__.py"] = ""
		}
	}
	files[p+"/"+dirs[0]+"/conftest.py"] = "import os\n\nDATA_DIR = os.path.join(os.path.dirname(__file__), \"data\")\n"
}

// testModule is about size bytes of test functions, as a package's own
// test suite has them.
func testModule(rng *rand.Rand, d Dist, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\"\"\"Tests shipped inside %s (generated stand-in).\"\"\"\nfrom %s import hello\n\n", d.Name, d.pkg())
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "\ndef test_%s_%s_%d():\n", word(rng), word(rng), i)
		fmt.Fprintf(&b, "    %s = [%d, %d, %q]\n", word(rng), rng.IntN(1000), rng.IntN(1000), word(rng))
		expected := fmt.Sprintf("%s_%08x", word(rng), rng.Uint32())
		fmt.Fprintf(&b, "    expected = %q\n    assert len(expected) == %d\n", expected, len(expected))
		fmt.Fprintf(&b, "    assert hello()\n\n")
	}
	return b.String()
}

// extensions writes ExtKB of compiled extension modules, at most 4 MB each.
func (d Dist) extensions(rng *rand.Rand, files map[string]string) {
	p := d.pkg()
	const chunk = 4096
	names := []string{"_core", "_libs/lib", "_libs/algos", "_libs/hashtable", "_libs/join", "_libs/groupby", "_libs/tslib", "_libs/parsers", "_libs/window", "_libs/sparse"}
	for i := 0; i*chunk < d.ExtKB; i++ {
		name := names[i%len(names)]
		if i >= len(names) {
			name = fmt.Sprintf("%s%d", name, i/len(names))
		}
		files[p+"/"+name+soSuffix] = binaryBlob(rng, min(chunk, d.ExtKB-i*chunk)*1024)
	}
}

// dataFiles writes DataKB of package data.
func (d Dist) dataFiles(rng *rand.Rand, files map[string]string) {
	dir := d.DataDir
	if dir == "" {
		dir = "data"
	}
	total := d.DataKB * 1024
	per := map[string]int{"pyi": 8 * 1024, "tzif": 2 * 1024, "pem": total, "json": 64 * 1024}[d.DataExt]
	if per == 0 {
		per = 256 * 1024
	}
	for i := 0; i*per < total; i++ {
		size := min(per, total-i*per)
		var name, content string
		switch d.DataExt {
		case "pyi":
			name = fmt.Sprintf("%s/stdlib/mod%04d.pyi", dir, i)
			content = stubModule(rng, size)
		case "tzif":
			name = fmt.Sprintf("%s/Region%02d/City%04d", dir, i%40, i)
			content = tzifFile(rng, size)
		case "pem":
			name = dir + "/cacert.pem"
			content = pemBundle(rng, size)
		case "json":
			name = fmt.Sprintf("%s/table%03d.json", dir, i)
			content = jsonTable(rng, size)
		default:
			name = fmt.Sprintf("%s/blob%03d.bin", dir, i)
			content = binaryBlob(rng, size)
		}
		files[d.pkg()+"/"+name] = content
	}
}

// payloadModule is about size bytes of Python source: functions and
// constants built from a small vocabulary, so it compresses and
// byte-compiles about as real source does.
func payloadModule(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString("\"\"\"Generated module: gives the package a realistic size.\"\"\"\n\n")
	for i := 0; b.Len() < size; i++ {
		a, c, v := word(rng), word(rng), word(rng)
		fmt.Fprintf(&b, "\ndef _%s_%s_%d(%s, %s=%d):\n", a, c, i, v, word(rng), rng.IntN(100))
		fmt.Fprintf(&b, "    \"\"\"%s the %s %s for the %s %s.\"\"\"\n", strings.ToUpper(word(rng)[:1])+word(rng)[1:], word(rng), word(rng), word(rng), word(rng))
		fmt.Fprintf(&b, "    result = %s * %d + %d\n", v, rng.IntN(1000), rng.IntN(1000))
		fmt.Fprintf(&b, "    if result > %d:\n        return %q\n", rng.IntN(100000), word(rng)+"_"+word(rng))
		fmt.Fprintf(&b, "    return [result, %q, %d]\n\n", fmt.Sprintf("%08x", rng.Uint32()), rng.IntN(1<<20))
		fmt.Fprintf(&b, "\n%s_%s_%d = %q\n", strings.ToUpper(a), strings.ToUpper(v), i, fmt.Sprintf("%s-%016x", word(rng), rng.Uint64()))
	}
	return b.String()
}

var vocabulary = strings.Fields(`frame series index value column row table array block axis dtype shape
	parse format render encode decode merge join group apply reduce filter sort split align cast
	buffer cursor engine session query schema model field record stream chunk window offset label
	config option handler request response router worker task queue timer event signal state cache
	key item node path name scope level mode flag count total limit range start stop step size
	read write open close load dump check build make update create delete resolve compute normalize`)

func word(rng *rand.Rand) string { return vocabulary[rng.IntN(len(vocabulary))] }

func stubModule(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString("from typing import Any\n\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "def f_%04d_%08x(x: int, y: str = ..., *args: Any) -> dict[str, int]: ...\n", i, rng.Uint32())
	}
	return b.String()
}

// tzifFile is a zone file's shape: a header, then transition times (which
// advance by about half a year) and type indexes.
func tzifFile(rng *rand.Rand, size int) string {
	b := []byte("TZif2\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	t := int64(-2000000000) + rng.Int64N(100000)
	for len(b) < size {
		t += 15700000 + rng.Int64N(100)*3600
		b = append(b, byte(t>>56), byte(t>>48), byte(t>>40), byte(t>>32), byte(t>>24), byte(t>>16), byte(t>>8), byte(t), byte(rng.IntN(2)))
	}
	return string(b[:size])
}

func pemBundle(rng *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString("-----BEGIN CERTIFICATE-----\n")
		for i := 0; i < 20; i++ {
			raw := make([]byte, 48)
			for j := range raw {
				raw[j] = byte(rng.Uint32())
			}
			b.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
		}
		b.WriteString("-----END CERTIFICATE-----\n")
	}
	return b.String()
}

func jsonTable(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString("[\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  {\"id\": %d, \"code\": \"%08x\", \"weight\": %d},\n", i, rng.Uint32(), rng.IntN(1000))
	}
	b.WriteString("  {}\n]\n")
	return b.String()
}

// binaryBlob is size bytes that look and compress like machine code: an
// ELF header, then words drawn from a small seeded vocabulary, zero runs
// and a share of random bytes (deflate takes it to about 40-50%).
func binaryBlob(rng *rand.Rand, size int) string {
	phrases := smallBlobPhrases
	if size >= 64*1024 {
		phrases = makePhrases(rng)
	}
	b := make([]byte, 0, size)
	b = append(b, 0x7f, 'E', 'L', 'F', 2, 1, 1, 0)
	for len(b) < size {
		switch r := rng.IntN(16); {
		case r < 11:
			b = append(b, phrases[rng.IntN(len(phrases))]...)
		case r < 12:
			b = append(b, make([]byte, 4+rng.IntN(28))...)
		default:
			w := rng.Uint32()
			b = append(b, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
		}
	}
	return string(b[:size])
}

// makePhrases is a vocabulary of byte strings for binaryBlob ("instruction
// sequences"); small blobs share one, so they compress like real small files.
func makePhrases(rng *rand.Rand) [][]byte {
	phrases := make([][]byte, 192)
	for i := range phrases {
		phrases[i] = make([]byte, 6+rng.IntN(26))
		for j := range phrases[i] {
			phrases[i][j] = byte(rng.Uint32())
		}
	}
	return phrases
}

var smallBlobPhrases = makePhrases(rand.New(rand.NewPCG(5, 7)))

func ruffScript(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString(ruffSource)
	b.WriteString("\n# --- embedded engine (stand-in for ruff's compiled code) ---\n")
	for b.Len() < size {
		fmt.Fprintf(&b, "# %s %s %s 0x%04x %s %s %d\n", word(rng), word(rng), word(rng), rng.Uint32()&0xffff, word(rng), word(rng), rng.IntN(1000))
	}
	return b.String()
}

func seed(s string) uint64 {
	sum := sha256.Sum256([]byte(s))
	var v uint64
	for _, c := range sum[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}
