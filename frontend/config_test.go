package frontend

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig("skip=PipNoCache;pycache=keep", "strict=true")
	require.NoError(t, err)
	require.True(t, cfg.Skip["PipNoCache"])
	require.True(t, cfg.KeepPycache)
	require.True(t, cfg.Strict)

	cfg, err = ParseConfig("skip=all", "")
	require.NoError(t, err)
	require.True(t, cfg.Off())

	cfg, err = ParseConfig("skip=all", "skip=none")
	require.NoError(t, err)
	require.False(t, cfg.Off(), "the command line wins")

	for in, msg := range map[string]string{
		"skip=Nope":     `unknown rule "Nope"`,
		"colour=blue":   `unknown key "colour"; valid keys: skip, pycache, strict`,
		"pycache=maybe": `pycache: invalid value "maybe"`,
		"strict=yes!":   `strict: invalid value`,
		"justtext":      `not key=value`,
	} {
		_, err := ParseConfig("", in)
		require.ErrorContains(t, err, msg, in)
		require.ErrorContains(t, err, "BUILDKIT_SLIM", in)
	}
	_, err = ParseConfig("skip=Nope", "")
	require.ErrorContains(t, err, "# slim=")
}

func TestDirective(t *testing.T) {
	v, line, ok := Directive([]byte("# syntax=org/slim\n# slim=skip=PipNoCache\nFROM x\n"))
	require.True(t, ok)
	require.Equal(t, "skip=PipNoCache", v)
	require.Equal(t, 2, line)

	_, _, ok = Directive([]byte("FROM x\n# slim=skip=PipNoCache\n"))
	require.False(t, ok, "directives only count in the header")

	v, _, ok = Directive([]byte("#!/usr/bin/env buildctl\n#slim = pycache=keep\n"))
	require.True(t, ok)
	require.Equal(t, "pycache=keep", v)
}
