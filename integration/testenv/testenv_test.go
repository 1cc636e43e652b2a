package testenv

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuildWheelIsDeterministicWithValidRecord(t *testing.T) {
	d := TinyDists[0]
	first, err := BuildWheel(d)
	require.NoError(t, err)
	second, err := BuildWheel(d)
	require.NoError(t, err)
	require.Equal(t, first, second, "same Dist must give the same bytes")
	require.Greater(t, len(first), 100_000, "payload gives the wheel a realistic size")

	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	require.NoError(t, err)
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		files[f.Name] = data
		names = append(names, f.Name)
	}
	require.IsIncreasing(t, names, "entries are sorted")
	require.Contains(t, files, "tinypkg/__init__.py")
	require.Contains(t, files, "tinypkg/tests/test_core.py")
	meta := string(files["tinypkg-1.0.0.dist-info/METADATA"])
	require.Contains(t, meta, "Metadata-Version: 2.1\n")
	require.Contains(t, meta, "Requires-Dist: tinydep>=1.0\n")
	require.Contains(t, string(files["tinypkg-1.0.0.dist-info/WHEEL"]), "Tag: py3-none-any\n")

	record := strings.Split(strings.TrimSpace(string(files["tinypkg-1.0.0.dist-info/RECORD"])), "\n")
	require.Len(t, record, len(files))
	for _, line := range record {
		parts := strings.Split(line, ",")
		require.Len(t, parts, 3, line)
		if parts[0] == "tinypkg-1.0.0.dist-info/RECORD" {
			require.Equal(t, ",,", line[len(parts[0]):])
			continue
		}
		sum := sha256.Sum256(files[parts[0]])
		require.Equal(t, "sha256="+base64.RawURLEncoding.EncodeToString(sum[:]), parts[1], parts[0])
		require.Equal(t, fmt.Sprint(len(files[parts[0]])), parts[2], parts[0])
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"Tiny_Pkg": "tiny-pkg", "a.b--c": "a-b-c", "tinypkg": "tinypkg"} {
		require.Equal(t, want, NormalizeName(in), in)
	}
	require.Equal(t, "tinydep", requirementName("tinydep>=1.0"))
	require.Equal(t, "x", requirementName("x ; python_version>'3'"))
}

func TestMirrorFromAptSources(t *testing.T) {
	list := "# comment\ndeb-src http://src.example/debian bookworm main\n" +
		"deb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main\n"
	require.Equal(t, "http://m.example/debian", mirrorFromList(list, "bookworm"))
	require.Empty(t, mirrorFromList("deb http://m.example/debian bookworm-updates main\n", "bookworm"))

	deb822 := "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\nComponents: main\n\n" +
		"Types: deb deb-src\n# http://snapshot.example/\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n"
	require.Equal(t, "http://deb.example/debian", mirrorFromDeb822(deb822, "bookworm"))
	require.Empty(t, mirrorFromDeb822("Types: deb\nEnabled: no\nURIs: http://x/\nSuites: bookworm\n", "bookworm"))
}

func TestUnescapeMountinfo(t *testing.T) {
	require.Equal(t, "/tmp/a b", unescapeMountinfo(`/tmp/a\040b`))
	require.Equal(t, "/plain", unescapeMountinfo("/plain"))
}

// TestIndexSendsCachingHeaders checks what pip needs to cache wheels from the
// index (TESTENV pitfall 11) and the PEP 503 link shape.
func TestIndexSendsCachingHeaders(t *testing.T) {
	dir, _, err := writeWheels(t.TempDir(), TinyDists)
	require.NoError(t, err)
	idx, err := startIndex(dir, TinyDists)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, idx.Close()) })

	body, resp := get(t, idx.URL+"/")
	require.Contains(t, body, `href="tinypkg/"`)
	require.Equal(t, "max-age=600, public", resp.Header.Get("Cache-Control"))

	body, _ = get(t, idx.URL+"/TinyPkg/")
	m := regexp.MustCompile(`href="\.\./\.\./packages/(tinypkg-1\.0\.0-py3-none-any\.whl)#sha256=([0-9a-f]{64})"`).FindStringSubmatch(body)
	require.NotNil(t, m, body)

	wheel, resp := get(t, strings.TrimSuffix(idx.URL, "/simple")+"/packages/"+m[1])
	sum := sha256.Sum256([]byte(wheel))
	require.Equal(t, m[2], fmt.Sprintf("%x", sum))
	require.Equal(t, "max-age=31536000, immutable, public", resp.Header.Get("Cache-Control"))
	require.Equal(t, `"`+m[2]+`"`, resp.Header.Get("ETag"))

	req, err := http.NewRequest("GET", resp.Request.URL.String(), nil)
	require.NoError(t, err)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotModified, resp.StatusCode)

	_, resp = get(t, idx.URL+"/nosuchpkg/")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func get(t *testing.T, url string) (string, *http.Response) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(data), resp
}
