package shelledit

import (
	"errors"
	"slices"
	"strings"
)

var (
	errExpansionBefore = errors.New("the shell expands a variable or command earlier in this quoted script, so slim cannot be sure how the inner shell parses the rest")
	errCannotQuote     = errors.New("the inserted text cannot be quoted safely at this spot")
	errNoPlace         = errors.New("slim found no place to insert the option")
)

// insert inserts s, as code of v's shell, at offset at of v.text, right
// after a word. In a nested view the text is quoted for the spot it lands in
// (after the byte before it) and passed up, one level at a time.
func (v *view) insert(at int, s string) error {
	if v.firstOpaque >= 0 && v.firstOpaque < at {
		return errExpansionBefore
	}
	if v.parent == nil {
		v.edits = append(v.edits, edit{at: at, text: s})
		return nil
	}
	if at <= 0 || at > len(v.end) {
		return errNoPlace
	}
	enc, err := encode(s, v.quote[at-1])
	if err != nil {
		return err
	}
	return v.parent.insert(v.end[at-1], enc)
}

// apply splices the recorded insertions into a root view's text.
func (v *view) apply() string {
	edits := v.edits
	if len(edits) == 0 {
		return v.text
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return a.at - b.at })
	n := len(v.text)
	for _, e := range edits {
		n += len(e.text)
	}
	var b strings.Builder
	b.Grow(n)
	last := 0
	for _, e := range edits {
		b.WriteString(v.text[last:e.at])
		b.WriteString(e.text)
		last = e.at
	}
	b.WriteString(v.text[last:])
	return b.String()
}

// encode quotes s so that, written where q says, the parent shell turns it
// back into s.
func encode(s string, q quoting) (string, error) {
	switch q {
	case quoteRaw:
		return s, nil
	case quoteSingle:
		if strings.ContainsRune(s, '\'') {
			return "", errCannotQuote
		}
		return s, nil
	case quoteDollarSingle:
		return backslash(s, `\'`), nil
	case quoteDouble:
		return backslash(s, "\\$`\""), nil
	case quoteHeredoc:
		return backslash(s, "\\$`"), nil
	default: // quoteBare
		if strings.ContainsRune(s, '\n') {
			return "", errCannotQuote
		}
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if !safeBare(s[i]) {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
		return b.String(), nil
	}
}

func backslash(s, special string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func safeBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-_./=:,+@%", c) >= 0
}

// insertArgv returns argv with add inserted after index i.
func insertArgv(argv []string, i int, add ...string) []string {
	out := make([]string, 0, len(argv)+len(add))
	out = append(out, argv[:i+1]...)
	out = append(out, add...)
	return append(out, argv[i+1:]...)
}
