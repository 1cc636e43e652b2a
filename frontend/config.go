package frontend

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/org/slim/llbrewrite"
)

// Option names. The syntax follows BuildKit's `# check=` directive:
// `key=value` pairs separated by semicolons, e.g.
//
//	# slim=skip=PoetryOnlyMain,StageCopyCleanup;pycache=keep;strict=true
const (
	// DirectiveKey is the parser directive read from the Dockerfile's header.
	DirectiveKey = "slim"
	// BuildArgKey carries the same syntax on the command line and wins over
	// the directive: --build-arg BUILDKIT_SLIM=skip=all.
	BuildArgKey = "BUILDKIT_SLIM"
)

var validKeys = []string{"skip", "pycache", "strict"}

// Config is the parsed user configuration.
type Config struct {
	Skip        map[string]bool // rule name → skipped
	KeepPycache bool
	Strict      bool
}

// Off reports whether every rule is skipped.
func (c Config) Off() bool {
	for _, r := range llbrewrite.RuleNames() {
		if !c.Skip[r] {
			return false
		}
	}
	return true
}

// ParseConfig merges the Dockerfile directive value and the build-arg value
// (either may be empty); keys in the build-arg win. source names where each
// value came from in error messages.
func ParseConfig(directive, buildArg string) (Config, error) {
	cfg := Config{Skip: map[string]bool{}}
	if err := cfg.apply(directive, "the `# slim=` directive"); err != nil {
		return Config{}, err
	}
	if err := cfg.apply(buildArg, "--build-arg "+BuildArgKey); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func (c *Config) apply(s, source string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok {
			return fmt.Errorf("%s: %q is not key=value; valid keys: %s", source, part, strings.Join(validKeys, ", "))
		}
		if err := c.set(k, v); err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
	}
	return nil
}

func (c *Config) set(k, v string) error {
	switch k {
	case "skip":
		// A later skip= replaces an earlier one, so the command line can
		// re-enable rules the Dockerfile skipped (skip=none).
		c.Skip = map[string]bool{}
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			switch {
			case name == "" || strings.EqualFold(name, "none"):
			case strings.EqualFold(name, "all"):
				for _, r := range llbrewrite.RuleNames() {
					c.Skip[r] = true
				}
			case slices.Contains(llbrewrite.RuleNames(), name):
				c.Skip[name] = true
			default:
				return fmt.Errorf("skip: unknown rule %q; valid rules: %s (or all, none)", name, strings.Join(llbrewrite.RuleNames(), ", "))
			}
		}
	case "pycache":
		switch v {
		case "keep":
			c.KeepPycache = true
		case "remove":
			c.KeepPycache = false
		default:
			return fmt.Errorf("pycache: invalid value %q; valid values: keep, remove", v)
		}
	case "strict":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("strict: invalid value %q; valid values: true, false", v)
		}
		c.Strict = b
	default:
		return fmt.Errorf("unknown key %q; valid keys: %s", k, strings.Join(validKeys, ", "))
	}
	return nil
}

var directiveLine = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

// Directive returns the value of the `# slim=` directive in the Dockerfile's
// header (the leading block of `# key=value` comment lines), its 1-based
// line, and whether it was found.
func Directive(dockerfile []byte) (value string, line int, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(dockerfile))
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 && strings.HasPrefix(text, "#!") {
			continue
		}
		m := directiveLine.FindStringSubmatch(strings.TrimSpace(text))
		if m == nil {
			return "", 0, false
		}
		if strings.EqualFold(m[1], DirectiveKey) {
			return m[2], line, true
		}
	}
	return "", 0, false
}

// Policy turns the config into the rewrite policy for a build of target.
func (c Config) Policy(target string, caps map[string]bool) llbrewrite.Policy {
	return llbrewrite.Policy{Skip: c.Skip, Target: target, KeepPycache: c.KeepPycache, Caps: caps}
}
