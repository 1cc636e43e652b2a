package shelledit

import "fmt"

// Commands reports every simple command in the script, with wrappers (env,
// sudo, exec, command, time, …) and `sh -c` strings resolved recursively, in
// source order. A wrapper slim cannot look through (command -v, env -S, a
// non-literal option) is reported itself; an `sh -c` string that does not
// parse is reported as the shell command. It fails only when the script
// itself does not parse.
func Commands(script string) ([]Command, error) {
	cmds := make([]Command, 0, 4)
	w := newWalker(nil, func(c *call) { cmds = append(cmds, commandOf(c)) })
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
	w := newWalker(nil, func(c *call) { cmds = append(cmds, commandOf(c)) })
	w.unparsed = func(_ *view, err error) {
		if perr == nil {
			perr = fmt.Errorf("parsing the shell script: %w", err)
		}
	}
	w.argv(argv)
	return cmds, perr
}

func commandOf(c *call) Command {
	r := c.res
	cmd := Command{Text: c.text, Env: c.env, Wrappers: r.wrappers, Line: 1}
	if c.v != nil {
		cmd.Line, cmd.Offset = c.v.line(c.from), c.v.rootOffset(c.from)
		cmd.Indirect = c.v.indirect
		if len(c.v.wrappers) > 0 {
			cmd.Wrappers = append(append([]string(nil), c.v.wrappers...), r.wrappers...)
		}
	}
	if r.cmd < 0 {
		return cmd
	}
	cmd.Name, cmd.Path = r.name, r.toks[r.cmd].val
	for _, t := range r.toks[r.cmd+1:] {
		cmd.Args = append(cmd.Args, Arg{Value: t.val, Literal: t.literal})
	}
	if pythonRe.MatchString(r.name) {
		cmd.Module, _ = pythonModule(r.toks, r.cmd+1)
	}
	return cmd
}
