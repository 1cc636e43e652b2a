package treecheck

import (
	"bufio"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoRegistryHostInTree fails when a file of the repository names the
// host of a package registry configured on this machine: an APT source, a
// Go module proxy, or the npm registry. The hosts are read at run time, so
// this file names none of them either.
func TestNoRegistryHostInTree(t *testing.T) {
	hosts := registryHosts(t)
	if len(hosts) == 0 {
		t.Skip("no package registry configured on this machine (APT sources, GOPROXY, npm): nothing to look for")
	}
	t.Logf("registry hosts: %v", hosts)
	root := repoRoot(t)
	checked := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !textFile(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		lower := strings.ToLower(string(data))
		for _, h := range hosts {
			if strings.Contains(lower, h) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s names the package registry host %s; read it from the machine's configuration instead", rel, h)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, checked, 50, "walked too few files: is %s the repository?", root)
}

// textFile selects the files a person or a build reads: sources, docs,
// Dockerfiles, scripts and configuration.
func textFile(path string) bool {
	base := filepath.Base(path)
	switch filepath.Ext(base) {
	case ".go", ".md", ".sh", ".toml", ".json", ".yaml", ".yml", ".txt", ".hcl", ".cfg", ".ini", ".lock", ".py", ".js", ".ts", ".mod", ".golden":
		return true
	}
	return strings.HasPrefix(base, "Dockerfile") || base == "run" || base == "requirements.txt" || base == ".npmrc" || base == "pip.conf"
}

func repoRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	require.NoError(t, err)
	mod := strings.TrimSpace(string(out))
	require.NotEmpty(t, mod)
	return filepath.Dir(mod)
}

// registryHosts reads every registry host this machine is configured with.
func registryHosts(t *testing.T) []string {
	var urls []string
	urls = append(urls, aptSourceURIs()...)
	if out, err := exec.Command("go", "env", "GOPROXY").Output(); err == nil {
		for _, p := range strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool { return r == ',' || r == '|' }) {
			urls = append(urls, p)
		}
	}
	if out, err := exec.Command("npm", "config", "get", "registry").Output(); err == nil {
		urls = append(urls, strings.TrimSpace(string(out)))
	}
	seen := map[string]bool{}
	var hosts []string
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" {
			continue // "direct", "off", or not a URL
		}
		h := strings.ToLower(u.Hostname())
		if isLoopback(h) || seen[h] {
			continue
		}
		seen[h] = true
		hosts = append(hosts, h)
	}
	return hosts
}

func isLoopback(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// aptSourceURIs reads the URIs of the active APT sources, in both the
// one-line and the deb822 format (files apt does not read are ignored).
func aptSourceURIs() []string {
	files := []string{"/etc/apt/sources.list"}
	for _, pat := range []string{"/etc/apt/sources.list.d/*.list", "/etc/apt/sources.list.d/*.sources"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	var uris []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "#") {
				continue
			}
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "URIs") {
				uris = append(uris, strings.Fields(v)...)
				continue
			}
			if f := strings.Fields(line); len(f) > 0 && (f[0] == "deb" || f[0] == "deb-src") {
				for _, x := range f[1:] {
					if strings.Contains(x, "://") {
						uris = append(uris, x)
						break
					}
				}
			}
		}
	}
	return uris
}
