package shelledit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// maxDepth bounds how deeply `sh -c` strings, here-documents and eval
// strings are followed.
const maxDepth = 8

// parseScript parses src as bash, falling back to POSIX sh for the rare
// script only the stricter grammar accepts.
func parseScript(src string) (f *syntax.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("shell parser failed: %v", r)
		}
	}()
	f, err = syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err == nil {
		return f, nil
	}
	if pf, perr := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(src), ""); perr == nil {
		return pf, nil
	}
	return nil, err
}

// quoting says how a byte of a nested script is written in its parent's
// source, which decides how text inserted next to it must be escaped.
type quoting uint8

const (
	quoteRaw          quoting = iota // code as-is: a top-level script, a quoted here-document
	quoteBare                        // an unquoted word
	quoteSingle                      // inside '…'
	quoteDollarSingle                // inside $'…'
	quoteDouble                      // inside "…"
	quoteHeredoc                     // an unquoted here-document body
)

// view is a shell script with a map back to where each of its bytes came
// from. A root view is a script the caller handed in; a nested view is the
// script inside a word of its parent (`sh -c '…'`), a here-document body or
// an eval string, after the parent shell's quote removal.
type view struct {
	text   string
	parent *view

	// For nested views, per byte of text: the source span in parent.text
	// that produced it, how it was quoted there, and whether it stands for an
	// expansion the parent shell performs (kept as written, never trusted).
	start, end []int
	quote      []quoting
	opaque     []bool
	// firstOpaque is the offset of the first opaque byte, or -1.
	firstOpaque int

	edits    []edit // root views only
	newlines []int  // root views only: offsets of '\n', computed on first use

	env      []EnvVar // environment given by enclosing commands
	wrappers []string // what enclosing commands were looked through
	indirect string   // non-empty: the text may not run; never edit it
	quiet    bool     // a parse failure here is expected (data in a here-document)
	depth    int
}

type edit struct {
	at   int
	text string
}

func newRoot(text string) *view {
	return &view{text: text, firstOpaque: -1}
}

// isOpaque reports whether offset i of v.text stands for an expansion.
func (v *view) isOpaque(i int) bool {
	return v.opaque != nil && i >= 0 && i < len(v.opaque) && v.opaque[i]
}

func (v *view) opaqueIn(from, to int) bool {
	for i := from; i < to; i++ {
		if v.isOpaque(i) {
			return true
		}
	}
	return false
}

// rootOffset maps an offset of v.text to the top-level script.
func (v *view) rootOffset(i int) int {
	for ; v.parent != nil; v = v.parent {
		switch {
		case len(v.start) == 0:
			i = 0
		case i < len(v.start):
			i = v.start[i]
		default:
			i = v.end[len(v.end)-1]
		}
	}
	return i
}

func (v *view) root() *view {
	for v.parent != nil {
		v = v.parent
	}
	return v
}

// line is the 1-based line of the top-level script holding offset i of v.
func (v *view) line(i int) int {
	r := v.root()
	if r.newlines == nil {
		r.newlines = []int{}
		for j := 0; j < len(r.text); j++ {
			if r.text[j] == '\n' {
				r.newlines = append(r.newlines, j)
			}
		}
	}
	n, _ := slices.BinarySearch(r.newlines, v.rootOffset(i))
	return 1 + n
}

// builder accumulates a nested view, or the value of one word.
type builder struct {
	src        *view // the view whose text is being decoded
	text       []byte
	start, end []int
	quote      []quoting
	opaque     []bool
	anyOpaque  bool
	lastOpaque int // index in text of the last opaque byte, or -1
}

func newBuilder(src *view) *builder { return &builder{src: src, lastOpaque: -1} }

func (b *builder) add(c byte, from, to int, q quoting, opaque bool) {
	opaque = opaque || b.src.opaqueIn(from, to)
	if opaque {
		b.anyOpaque = true
		b.lastOpaque = len(b.text)
	}
	b.text = append(b.text, c)
	b.start = append(b.start, from)
	b.end = append(b.end, to)
	b.quote = append(b.quote, q)
	b.opaque = append(b.opaque, opaque)
}

// addRaw copies src.text[from:to] as it is, marked opaque: an expansion is
// kept as written so that the nested script still parses and reads well.
func (b *builder) addRaw(from, to int, q quoting) {
	for i := from; i < to; i++ {
		b.add(b.src.text[i], from, to, q, true)
	}
}

func (b *builder) child(parent *view) *view {
	v := &view{
		text: string(b.text), parent: parent, firstOpaque: -1,
		start: b.start, end: b.end, quote: b.quote,
		env: parent.env, wrappers: parent.wrappers, indirect: parent.indirect,
		quiet: parent.quiet, depth: parent.depth + 1,
	}
	if b.anyOpaque {
		v.opaque = b.opaque
		for i, o := range b.opaque {
			if o {
				v.firstOpaque = i
				break
			}
		}
	}
	return v
}

func off(p syntax.Pos) int { return int(p.Offset()) }

// decodeWord appends the value of w (quote removal, expansions kept as
// written and marked opaque) to b.
func (b *builder) decodeWord(w *syntax.Word) {
	text := b.src.text
	cur := off(w.Pos())
	for _, part := range w.Parts {
		if _, ok := part.(*syntax.Lit); ok {
			continue // decoded from the source with the gaps, see below
		}
		from, to := off(part.Pos()), off(part.End())
		b.decodeEscaped(cur, from, "", quoteBare)
		switch p := part.(type) {
		case *syntax.SglQuoted:
			b.decodeSingle(p)
		case *syntax.DblQuoted:
			open := from + 1
			if p.Dollar {
				open++
			}
			b.decodeParts(open, off(p.Right), p.Parts, "$`\"\\", quoteDouble)
		default:
			b.addRaw(from, to, quoteBare)
		}
		cur = to
	}
	b.decodeEscaped(cur, min(off(w.End()), len(text)), "", quoteBare)
}

func (b *builder) decodeSingle(p *syntax.SglQuoted) {
	from, to := off(p.Left)+1, off(p.Right)
	q := quoteSingle
	if p.Dollar {
		from++
		q = quoteDollarSingle
		if strings.ContainsRune(b.src.text[from:to], '\\') {
			b.addRaw(off(p.Left), off(p.End()), quoteBare) // ANSI-C escapes: not decoded
			return
		}
	}
	for i := from; i < to; i++ {
		b.add(b.src.text[i], i, i+1, q, false)
	}
}

// decodeParts decodes src.text[from:to], a double-quoted string or an
// unquoted here-document body whose expansions are the non-Lit parts.
func (b *builder) decodeParts(from, to int, parts []syntax.WordPart, special string, q quoting) {
	cur := from
	for _, part := range parts {
		if _, ok := part.(*syntax.Lit); ok {
			continue
		}
		pf, pt := off(part.Pos()), off(part.End())
		if pf < cur || pt > to {
			continue
		}
		b.decodeEscaped(cur, pf, special, q)
		b.addRaw(pf, pt, q)
		cur = pt
	}
	b.decodeEscaped(cur, to, special, q)
}

// decodeEscaped decodes literal source text. A backslash-newline is removed;
// a backslash quotes the next byte when that byte is in special, or always
// when special is "" (unquoted text).
func (b *builder) decodeEscaped(from, to int, special string, q quoting) {
	text := b.src.text
	to = min(to, len(text))
	for i := max(from, 0); i < to; {
		c := text[i]
		if c == '\\' && i+1 < to {
			n := text[i+1]
			if n == '\n' {
				i += 2
				continue
			}
			if special == "" || strings.IndexByte(special, n) >= 0 {
				b.add(n, i, i+2, q, false)
				i += 2
				continue
			}
		}
		b.add(c, i, i+1, q, false)
		i++
	}
}

// token is one word of a simple command, or one argv element.
type token struct {
	val     string // after quote removal
	literal bool   // no expansion: val is what the program receives
	tail    string // val after the last expanded byte (== val when literal)
	raw     string // as written
	after   int    // shell words: offset in the view just past the last character
	word    *syntax.Word
}

func wordToken(v *view, w *syntax.Word) token {
	b := newBuilder(v)
	b.decodeWord(w)
	from, to := off(w.Pos()), min(off(w.End()), len(v.text))
	for to-2 >= from && v.text[to-2:to] == "\\\n" {
		to -= 2 // a line continuation after the word is not part of it
	}
	return token{
		val: string(b.text), literal: !b.anyOpaque,
		tail: string(b.text[b.lastOpaque+1:]),
		raw:  v.text[from:to], after: to, word: w,
	}
}

func argvTokens(argv []string) []token {
	toks := make([]token, len(argv))
	for i, a := range argv {
		toks[i] = token{val: a, literal: true, tail: a, raw: a, after: -1}
	}
	return toks
}

// wordView is the script carried by w (the string after `sh -c`).
func wordView(v *view, w *syntax.Word) *view {
	b := newBuilder(v)
	b.decodeWord(w)
	return b.child(v)
}

// wordsView is the script eval runs: its arguments joined by spaces.
func wordsView(v *view, words []*syntax.Word) *view {
	b := newBuilder(v)
	for i, w := range words {
		if i > 0 {
			at := off(words[i-1].End())
			b.add(' ', at, at, quoteRaw, false)
		}
		b.decodeWord(w)
	}
	return b.child(v)
}

// heredocView is the body of the here-document r, as the command reading it
// sees it.
func heredocView(v *view, r *syntax.Redirect) (*view, bool) {
	if r.Hdoc == nil || len(r.Hdoc.Parts) == 0 || r.Word == nil {
		return nil, false
	}
	delim := wordToken(v, r.Word)
	from := off(r.Hdoc.Pos())
	to, ok := heredocEnd(v.text, from, delim.val, r.Op == syntax.DashHdoc)
	if !ok {
		return nil, false
	}
	b := newBuilder(v)
	if strings.ContainsAny(delim.raw, `'"\`) {
		for i := from; i < to; i++ {
			b.add(v.text[i], i, i+1, quoteRaw, false)
		}
	} else {
		b.decodeParts(from, to, r.Hdoc.Parts, "$`\\", quoteHeredoc)
	}
	return b.child(v), true
}

// heredocEnd finds the line holding only the delimiter (after leading tabs
// for <<-) and returns where it starts.
func heredocEnd(text string, from int, delim string, dash bool) (int, bool) {
	for i := from; i <= len(text); {
		j := strings.IndexByte(text[i:], '\n')
		line := text[i:]
		if j >= 0 {
			line = text[i : i+j]
		}
		if dash {
			line = strings.TrimLeft(line, "\t")
		}
		if line == delim {
			return i, true
		}
		if j < 0 {
			break
		}
		i += j + 1
	}
	return 0, false
}

// trimCommand trims blanks and trailing line continuations from a command's
// source text and returns the offset of the trimmed text within s.
func trimCommand(s string) (string, int) {
	t := strings.TrimLeft(s, " \t\n")
	lead := len(s) - len(t)
	for {
		t = strings.TrimRight(t, " \t")
		switch {
		case strings.HasSuffix(t, "\\\n"):
			t = t[:len(t)-2]
		case strings.HasSuffix(t, "\n"):
			t = t[:len(t)-1]
		default:
			return t, lead
		}
	}
}

var (
	assignRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	pipRe    = regexp.MustCompile(`^pip(-?[0-9]+(\.[0-9]+)?)?$`)
	pythonRe = regexp.MustCompile(`^python(-?[0-9]+(\.[0-9]+)?)?$`)
)

// isPip and isPython match pipRe and pythonRe behind a prefix test: most
// command names fail the test, which costs far less than a regexp match.
func isPip(name string) bool { return strings.HasPrefix(name, "pip") && pipRe.MatchString(name) }
func isPython(name string) bool {
	return strings.HasPrefix(name, "python") && pythonRe.MatchString(name)
}
