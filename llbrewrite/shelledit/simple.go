package shelledit

// The fast path: most RUN scripts are plain words joined by &&, ||, ; and
// |. For those the calls the walker hands out are found by a byte scan,
// without the shell parser, and are the very calls the parser-based walk
// would produce (FuzzSimpleWalk checks that). Anything else — quotes,
// expansions, redirections, comments, globs, line continuations, reserved
// words, assignments, shells, eval, declarations — takes the full walk.

// simpleByte marks the bytes a simple script may hold besides blanks and
// the operators &, | and ;.
var simpleByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "_./:=+,@%^~-" {
		t[c] = true
	}
	return t
}()

// reserved are the words that start a compound command or a clause the
// parser does not turn into a simple command.
var reserved = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "fi": true, "do": true, "done": true,
	"case": true, "esac": true, "while": true, "until": true, "for": true, "in": true,
	"function": true, "select": true, "time": true, "coproc": true,
	"declare": true, "local": true, "export": true, "readonly": true, "typeset": true, "nameref": true, "let": true,
}

// span is one word of a simple script: v.text[from:to].
type span struct{ from, to int }

// simpleStatements splits a root view's text into its simple commands, or
// reports false when the script is not simple.
func simpleStatements(v *view) ([][]span, bool) {
	if v.parent != nil || v.opaque != nil {
		return nil, false
	}
	text := v.text
	var stmts [][]span
	var cur []span
	needCmd := false // an operator was read and a command must follow
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case simpleByte[c]:
			j := i
			for j < len(text) && simpleByte[text[j]] {
				j++
			}
			cur = append(cur, span{i, j})
			i, needCmd = j, false
		case c == '&' || c == '|' || c == ';':
			n := operatorLen(text, i)
			if n == 0 || len(cur) == 0 {
				return nil, false
			}
			stmts, cur = append(stmts, cur), nil
			needCmd = c != ';'
			i += n
		default:
			return nil, false
		}
	}
	if needCmd {
		return nil, false
	}
	if len(cur) > 0 {
		stmts = append(stmts, cur)
	}
	return stmts, true
}

// operatorLen is the length of the operator at text[i] among &&, ||, | and
// ;, or 0 for any other (&, ;;, |&).
func operatorLen(text string, i int) int {
	next := byte(0)
	if i+1 < len(text) {
		next = text[i+1]
	}
	switch c := text[i]; {
	case c == '&' && next == '&', c == '|' && next == '|':
		return 2
	case c == '|' && next != '&', c == ';' && next != ';':
		return 1
	}
	return 0
}

// walkSimple visits the calls of a simple script and reports whether it
// did; it visits nothing when the script needs the full walk.
func (w *walker) walkSimple(v *view) bool {
	stmts, ok := simpleStatements(v)
	if !ok {
		return false
	}
	calls := make([]*call, len(stmts))
	for i, words := range stmts {
		first := v.text[words[0].from:words[0].to]
		if reserved[first] || containsByte(first, '=') {
			return false
		}
		toks := make([]token, len(words))
		for j, s := range words {
			val := v.text[s.from:s.to]
			toks[j] = token{val: val, literal: true, tail: val, raw: val, after: s.to}
		}
		from, to := words[0].from, words[len(words)-1].to
		c := &call{v: v, text: v.text[from:to], from: from, res: resolve(toks, nil)}
		if r := c.res; r.cmd >= 0 && (shells[r.name] || r.name == "eval" || reserved[r.name]) {
			return false // followed into another script, or a declaration
		}
		c.env = append(append([]EnvVar(nil), v.env...), c.res.env...)
		calls[i] = c
	}
	for _, c := range calls {
		w.visit(c)
	}
	return true
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}
