package llbrewrite

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	poetryPin      = regexp.MustCompile(`\bpoetry\s*(?:==|~=|===|<=|<)\s*["']?v?(\d+)\.(\d+)`)
	installerPin   = regexp.MustCompile(`(?:--version[= ]+|POETRY_VERSION=)["']?v?(\d+)\.(\d+)`)
	oldDebianBases = regexp.MustCompile(`(?i)(buster|bullseye|stretch|bionic|focal|jammy)`)
)

// oldPoetry explains why the Poetry that runs at n may predate 1.2, which
// introduced --only ("" when nothing says so). It looks at the step and
// everything before it: a POETRY_VERSION, a pinned pip install, the
// get-poetry.py installer (1.1 and older), or Poetry from the packages of a
// Debian or Ubuntu release that ships 1.1 or older.
func (m *buildModel) oldPoetry(n *Node) string {
	return m.firstAbove(n, question{kind: "old-poetry"}, func(a *Node) string {
		s, ok := m.step(a)
		if !ok {
			return ""
		}
		return poetryVersionEvidence(s, func() string { return m.oldBase(a) })
	})
}

// oldBase returns the first base image above n whose Debian or Ubuntu
// release ships Poetry 1.1 or older, or "".
func (m *buildModel) oldBase(n *Node) string {
	return m.firstAbove(n, question{kind: "old-base"}, func(a *Node) string {
		if src := a.Op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "docker-image://") && oldDebianBases.MatchString(src.Identifier) {
			return src.Identifier
		}
		return ""
	})
}

// poetryVersionEvidence says why step s runs or installs a Poetry older
// than 1.2; oldBase is asked only for distribution packages.
func poetryVersionEvidence(s execStep, oldBase func() string) string {
	if v := s.getenv("POETRY_VERSION"); v != "" {
		if old(installerPin.FindStringSubmatch("POETRY_VERSION=" + v)) {
			return fmt.Sprintf("POETRY_VERSION=%s predates Poetry 1.2, which added --only", v)
		}
	}
	cmd := s.command()
	if !strings.Contains(cmd, "poetry") {
		return ""
	}
	switch {
	case mayPinPoetry(cmd) && old(poetryPin.FindStringSubmatch(cmd)):
		return "the Dockerfile pins a Poetry older than 1.2, which added --only"
	case strings.Contains(cmd, "get-poetry.py"):
		return "get-poetry.py installs Poetry 1.1 or older, which has no --only"
	case strings.Contains(cmd, "install.python-poetry.org") && old(installerPin.FindStringSubmatch(cmd)):
		return "the installer pins a Poetry older than 1.2, which added --only"
	case (strings.Contains(cmd, "apt-get") || strings.Contains(cmd, "apt ")) && strings.Contains(cmd, "-poetry"):
		if b := oldBase(); b != "" {
			return "the distribution's Poetry in " + strings.TrimPrefix(b, "docker-image://") + " is 1.1 or older, which has no --only"
		}
	}
	return ""
}

// mayPinPoetry is a cheap test that poetryPin can match cmd: "poetry",
// blanks, then =, ~ or <. Most steps that run Poetry fail it.
func mayPinPoetry(cmd string) bool {
	for rest := cmd; ; {
		i := strings.Index(rest, "poetry")
		if i < 0 {
			return false
		}
		rest = strings.TrimLeft(rest[i+len("poetry"):], " \t\n\r\f\v")
		if rest != "" && strings.IndexByte("=~<", rest[0]) >= 0 {
			return true
		}
	}
}

// old reports whether a (major, minor) match is a version before 1.2.
func old(m []string) bool {
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	return major < 1 || (major == 1 && minor < 2)
}
