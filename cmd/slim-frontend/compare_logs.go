//go:build !slimimage

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// logSink gives each phase of compare one progress line and its own log
// file, as buildx and dive users expect: the thousands of build-log lines go
// to files, the terminal shows what happened and how long it took. In
// verbose mode the logs stream to the terminal instead.
type logSink struct {
	progress io.Writer
	dir      string // "" when verbose
}

func newLogSink(progress io.Writer, verbose bool) (*logSink, error) {
	if verbose {
		return &logSink{progress: progress}, nil
	}
	dir, err := os.MkdirTemp("", "slim-compare-logs-")
	if err != nil {
		return nil, err
	}
	return &logSink{progress: progress, dir: dir}, nil
}

// stream is where a builder streams its output live: the terminal when
// verbose, else nowhere (each phase records its output in its file).
func (l *logSink) stream() io.Writer {
	if l.dir == "" {
		return l.progress
	}
	return nil
}

// phase is one step of compare: its log writer, its file and its clock.
type phase struct {
	sink  *logSink
	w     io.Writer
	file  *os.File
	start time.Time
}

// begin starts a phase: the start of its progress line, and its log file.
func (l *logSink) begin(name, what string) *phase {
	ph := &phase{sink: l, w: l.progress, start: time.Now()}
	if l.dir == "" {
		fmt.Fprintf(l.progress, "=== compare: %s: %s\n", name, what)
		return ph
	}
	f, err := os.Create(filepath.Join(l.dir, strings.ReplaceAll(name, " ", "-")+".log"))
	if err != nil {
		// Without a file the log still reaches the terminal.
		fmt.Fprintf(l.progress, "compare: %s: %s (log: %v; streaming)\n", name, what, err)
		return ph
	}
	ph.file, ph.w = f, f
	fmt.Fprintf(l.progress, "compare: %-14s %s ... ", name, what)
	return ph
}

// record appends output gathered after the fact to the phase's file; in
// verbose mode it was streamed already.
func (ph *phase) record(out string) {
	if ph.file != nil {
		io.WriteString(ph.file, out)
	}
}

// end finishes the progress line with the elapsed time and the log's path;
// a failed phase's error names the log.
func (ph *phase) end(err error) error {
	elapsed := time.Since(ph.start).Seconds()
	if ph.file == nil {
		if err == nil {
			fmt.Fprintf(ph.sink.progress, "=== compare: done in %.1fs\n", elapsed)
		}
		return err
	}
	ph.file.Close()
	if err != nil {
		fmt.Fprintf(ph.sink.progress, "FAILED after %.1fs (log %s)\n", elapsed, ph.file.Name())
		return fmt.Errorf("%w\n(full log: %s)", err, ph.file.Name())
	}
	fmt.Fprintf(ph.sink.progress, "%.1fs (log %s)\n", elapsed, ph.file.Name())
	return nil
}

var (
	warningsHeader = regexp.MustCompile(`^\s*\d+ warnings? found`)
	ansiEscape     = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
)

// buildWarnings returns the warnings buildx printed at the end of a build
// log, one per line ("PipNoCache: added --no-cache-dir: … (line 6)").
func buildWarnings(log string) []string {
	var out []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(ansiEscape.ReplaceAllString(log, "")))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case warningsHeader.MatchString(line):
			in, out = true, nil
		case in && strings.HasPrefix(strings.TrimSpace(line), "- "):
			out = append(out, strings.TrimPrefix(strings.TrimSpace(line), "- "))
		case in && strings.TrimSpace(line) != "":
			in = false
		}
	}
	return out
}

// printWarnings shows the slim build's warnings: what slim changed, at
// which line.
func printWarnings(w io.Writer, results []variantResult) {
	for _, r := range results {
		if r.name != "slim" {
			continue
		}
		ws := buildWarnings(r.log)
		fmt.Fprintf(w, "\nslim's warnings (%d):\n", len(ws))
		for _, x := range ws {
			fmt.Fprintf(w, "  - %s\n", x)
		}
	}
}
