package llbrewrite

import (
	"regexp"
	"strings"
)

// note mirrors shelledit.Note until the shell editor lands.
type note struct{ Action, Before, After, Reason string }

var plainPip = regexp.MustCompile(`(^|[;&|(]\s*|\n\s*)((?:[\w./-]*/)?pip3?(?:\.\d+)?\s+install)(\s)`)

// pipNoCacheScript handles the plain forms only: `pip install …` and
// `pip3 install …` at the start of a command.
func pipNoCacheScript(script string) (string, []note) {
	if strings.Contains(script, "--no-cache-dir") {
		return script, []note{{Action: "skip", Before: script, Reason: "--no-cache-dir is already given"}}
	}
	out := plainPip.ReplaceAllString(script, "${1}${2} --no-cache-dir${3}")
	if out == script {
		return script, nil
	}
	return out, []note{{Action: "rewrite", Before: script, After: out, Reason: "added --no-cache-dir so pip's cache does not land in the layer"}}
}

func pipNoCacheArgv(args []string) ([]string, []note) {
	return nil, nil
}
