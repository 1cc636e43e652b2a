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

// The keys every build has; the rules add their own options (Rule.Options).
const (
	keySkip   = "skip"
	keyStrict = "strict"
)

// Config is the parsed user configuration.
type Config struct {
	Skip    map[string]bool   // rule name → skipped
	Options map[string]string // rule option key → value, as set by the user
	Strict  bool
	rules   llbrewrite.Ruleset
}

// ConfigError is an invalid key, value or rule name. It names where the
// setting came from: the `# slim=` directive's line in the Dockerfile, or
// the BUILDKIT_SLIM build-arg (Line 0).
type ConfigError struct {
	File string // the Dockerfile, for the directive
	Line int    // the directive's 1-based line; 0 for the build-arg
	Err  error
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: # %s=: %v", e.File, e.Line, DirectiveKey, e.Err)
	}
	return fmt.Sprintf("--build-arg %s: %v", BuildArgKey, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Off reports whether every rule is skipped.
func (c Config) Off() bool { return len(c.rules.Enabled(c.Skip)) == 0 }

// Enabled returns the rules the configuration runs, in order.
func (c Config) Enabled() llbrewrite.Ruleset { return c.rules.Enabled(c.Skip) }

// ReadConfig configures rules from the `# slim=` directive of the
// Dockerfile dt (named file in errors) and the BUILDKIT_SLIM build-arg
// value buildArg, which wins key by key. An error is a *ConfigError.
func ReadConfig(rules llbrewrite.Ruleset, file string, dt []byte, buildArg string) (Config, error) {
	cfg := Config{Skip: map[string]bool{}, Options: map[string]string{}, rules: rules}
	if directive, line, ok := Directive(dt); ok {
		if err := cfg.apply(directive); err != nil {
			return Config{}, &ConfigError{File: file, Line: line, Err: err}
		}
	}
	if err := cfg.apply(buildArg); err != nil {
		return Config{}, &ConfigError{File: file, Err: err}
	}
	return cfg, nil
}

func (c *Config) apply(s string) error {
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
			return fmt.Errorf("%q is not key=value; valid keys: %s", part, strings.Join(c.keys(), ", "))
		}
		if err := c.set(k, v); err != nil {
			return err
		}
	}
	return nil
}

// keys lists every valid key: the common ones, then the rules' options.
func (c *Config) keys() []string {
	keys := []string{keySkip, keyStrict}
	for _, o := range c.rules.Options() {
		keys = append(keys, o.Key)
	}
	return keys
}

func (c *Config) set(k, v string) error {
	switch k {
	case keySkip:
		return c.setSkip(v)
	case keyStrict:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("strict: invalid value %q; valid values: true, false", v)
		}
		c.Strict = b
		return nil
	}
	i := slices.IndexFunc(c.rules.Options(), func(o llbrewrite.Option) bool { return o.Key == k })
	if i < 0 {
		return fmt.Errorf("unknown key %q; valid keys: %s", k, strings.Join(c.keys(), ", "))
	}
	o := c.rules.Options()[i]
	if !slices.Contains(o.Values, v) {
		return fmt.Errorf("%s: invalid value %q; valid values: %s", k, v, strings.Join(o.Values, ", "))
	}
	c.Options[k] = v
	return nil
}

// setSkip applies skip=: a later skip= replaces an earlier one, so the
// command line can re-enable rules the Dockerfile skipped (skip=none).
func (c *Config) setSkip(v string) error {
	c.Skip = map[string]bool{}
	for name := range strings.SplitSeq(v, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "" || strings.EqualFold(name, "none"):
		case strings.EqualFold(name, "all"):
			for _, r := range c.rules {
				c.Skip[r.Name] = true
			}
		default:
			if _, ok := c.rules.Lookup(name); !ok {
				return fmt.Errorf("skip: unknown rule %q; valid rules: %s (or all, none)", name, strings.Join(c.rules.Names(), ", "))
			}
			c.Skip[name] = true
		}
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
	return llbrewrite.Policy{Skip: c.Skip, Options: c.Options, Target: target, Caps: caps}
}
