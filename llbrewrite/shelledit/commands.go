package shelledit

import "fmt"

// Commands reports every simple command in the script, with wrappers (env,
// sudo, exec, command, time, …) and `sh -c` strings resolved recursively, in
// source order. A wrapper slim cannot look through (command -v, env -S, a
// non-literal option) is reported itself; an `sh -c` string that does not
// parse is reported as the shell command. It fails only when the script
// itself does not parse.
func Commands(script string) ([]Command, error) {
	if cmds, ok := simpleCommands(script); ok {
		return cmds, nil
	}
	cmds := make([]Command, 0, 4)
	w := newWalker(nil, func(c *call) { cmds = append(cmds, commandOf(c, nil)) })
	if err := w.walk(newRoot(script)); err != nil {
		return nil, fmt.Errorf("parsing the shell script: %w", err)
	}
	return cmds, nil
}

// CommandsArgv is Commands for an exec-form RUN's argv; a shell's -c string
// is parsed as a script.
func CommandsArgv(argv []string) ([]Command, error) {
	var cmds []Command
	var perr error
	w := newWalker(nil, func(c *call) { cmds = append(cmds, commandOf(c, nil)) })
	w.unparsed = func(_ *view, err error) {
		if perr == nil {
			perr = fmt.Errorf("parsing the shell script: %w", err)
		}
	}
	w.argv(argv)
	return cmds, perr
}

// commandOf is the Command of c. Its Args are carved out of *buf when it
// has room (the caller's one array for several commands), else allocated.
func commandOf(c *call, buf *[]Arg) Command {
	cmd := headCommand(c.res.toks, c.res.head, c.text, buf)
	cmd.Env = c.env
	if c.v != nil {
		cmd.Line, cmd.Offset = c.v.line(c.from), c.v.rootOffset(c.from)
		cmd.Indirect = c.v.indirect
		if len(c.v.wrappers) > 0 {
			cmd.Wrappers = append(append([]string(nil), c.v.wrappers...), c.res.wrappers...)
		}
	}
	return cmd
}

// headCommand is the Command of the words toks resolved to h, written as
// text, on line 1.
func headCommand(toks []token, h head, text string, buf *[]Arg) Command {
	cmd := Command{Text: text, Wrappers: h.wrappers, Line: 1}
	if h.cmd < 0 {
		return cmd
	}
	cmd.Name, cmd.Path = h.name, toks[h.cmd].val
	words := toks[h.cmd+1:]
	if buf != nil && len(words) > 0 && cap(*buf)-len(*buf) >= len(words) {
		b := *buf
		cmd.Args, *buf = b[len(b):len(b):len(b)+len(words)], b[:len(b)+len(words)]
	} else if len(words) > 0 {
		cmd.Args = make([]Arg, 0, len(words))
	}
	for _, t := range words {
		cmd.Args = append(cmd.Args, Arg{Value: t.val, Literal: t.literal})
	}
	if isPython(h.name) {
		cmd.Module, _ = pythonModule(toks, h.cmd+1)
	}
	return cmd
}
