package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// readInputs walks every argument (stdin, files, folders, archives, nested
// archives) through the feed. Inputs that were skipped or not read to the
// end (hostile archive members, limits) are printed on stderr; the feed
// keeps them for the reports. Under --strict a rejected line or a skipped
// input is an error.
func readInputs(args []string, stdio *IO, g *Globals, f *report.Feed, lim parse.Limits) error {
	hook, done := progress(args, stdio)
	lim.Progress = hook
	lim.AllowDevices = lim.AllowDevices || g.AllowDevices
	skipped, err := f.Walk(args, stdio.In, lim)
	done()
	for _, s := range skipped {
		fmt.Fprintf(stdio.Err, "maestro-analyze: %s\n", report.Sanitize(s.String()))
	}
	if n := f.Merged(); n > 0 {
		fmt.Fprintf(stdio.Err, "maestro-analyze: %s inputs beyond the first %s were read and accounted as one (the limit of inputs kept apart)\n",
			report.Thousands(int64(n)), report.Thousands(int64(f.MaxInputs())))
	}
	if parse.IsRejected(err) {
		fmt.Fprintln(stdio.Err, report.Sanitize(err.Error()))
		return rejectedError{1}
	}
	if err != nil {
		return err
	}
	if g.Strict && len(skipped) > 0 {
		return fmt.Errorf("--strict: %d of the inputs or archive members skipped or not read to the end", len(skipped))
	}
	return nil
}

// progressMin is the input size from which a progress bar is drawn.
const progressMin = 32 << 20

// progress returns a parse.Limits.Progress hook that draws a progress bar
// on stderr, and a function that clears it. The bar is drawn only when
// stderr is a terminal and the inputs are big enough to wait for, or when
// stdin is a pipe, whose size is unknown: then it shows the bytes read so
// far. stdout (data) is never touched.
func progress(args []string, stdio *IO) (hook func(int), done func()) {
	f, ok := stdio.Err.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return nil, func() {}
	}
	total := inputSize(args)
	if len(args) == 0 || slices.Contains(args, "-") {
		in, ok := stdio.In.(*os.File)
		var info os.FileInfo
		var err error
		if ok {
			info, err = in.Stat()
		}
		switch {
		case ok && err == nil && info.Mode().IsRegular():
			total += info.Size()
		case ok && isatty.IsTerminal(in.Fd()):
			// typed or pasted lines: no bar over them
		default:
			total = -1 // a pipe: a counter of the bytes read
		}
	}
	if total >= 0 && total < progressMin {
		return nil, func() {}
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(f), progressbar.OptionShowBytes(true), progressbar.OptionSetWidth(30),
		progressbar.OptionSetDescription("reading"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
	return func(n int) { _ = bar.Add(n) }, func() { _ = bar.Finish() }
}

// inputSize is the size on disk of the files the arguments name (folders
// walked; stdin and unreadable paths count 0).
func inputSize(args []string) int64 {
	var total int64
	for _, a := range args {
		a, _, _ = parse.SplitArg(a)
		_ = filepath.WalkDir(a, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					total += info.Size()
				}
			}
			return nil
		})
	}
	return total
}

// printAccounting writes the line accounting of every input to stderr, in
// every output format (stdout is data; JSON also carries it as "inputs"):
// lines read, recognized by kind, ignored, rejected by reason, the first
// rejected positions, then the lines no format recognized by shape.
func printAccounting(stdio *IO, in *report.Inputs) {
	var rec, ign, rej int64
	kinds := make([]string, 0, len(in.Recognized))
	for k, n := range in.Recognized {
		rec += n
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, in.Recognized[k]))
	}
	for _, n := range in.Ignored {
		ign += n
	}
	for _, n := range in.Rejected {
		rej += n
	}
	line := fmt.Sprintf("maestro-analyze: %d lines read: %d recognized", in.Lines, rec)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	line += fmt.Sprintf(", %d ignored, %d rejected", ign, rej)
	if rej > 0 {
		line += " (" + reasonsOf(in.Rejected) + "); first:"
	}
	if stdio.quiet && rej == 0 {
		return // --quiet: nothing rejected, nothing to say
	}
	fmt.Fprintln(stdio.Err, line)
	for _, ex := range in.RejectedExamples {
		fmt.Fprintf(stdio.Err, "  %s\n", report.Sanitize(ex))
	}
	if in.UnrecognizedLines > 0 {
		fmt.Fprintln(stdio.Err, "maestro-analyze: "+report.Sanitize(shapeSummary(in)))
	}
}

// shownShapes is how many shapes the accounting on stderr names.
const shownShapes = 3

// shapeSummary says what the lines no format recognized look like: "3,912
// lines of 2 unknown shapes (unrecognized 3,912): `@;N;[cpu_N];[fw4_N];fwldbcast_recv: ...`
// x3,900 first at capture.txt:17; ...".
func shapeSummary(in *report.Inputs) string {
	n := len(in.UnrecognizedShapes) + in.UnrecognizedOther.Shapes
	count := report.Thousands(int64(n))
	if in.UnrecognizedOther.Sampled {
		count = "more than " + count
	}
	var why []string
	for _, r := range []string{parse.ReasonCpinfoOther, parse.ReasonUnrecognized} {
		if k := in.Ignored[r]; k > 0 {
			why = append(why, r+" "+report.Thousands(k))
		}
	}
	s := fmt.Sprintf("%s %s of %s unknown %s", report.Thousands(in.UnrecognizedLines), report.Plural(int(min(in.UnrecognizedLines, 2)), "line"),
		count, report.Plural(min(n, 2), "shape"))
	if len(why) > 0 {
		s += " (" + strings.Join(why, ", ") + ")"
	}
	shapes := make([]string, 0, shownShapes+1)
	for _, sh := range in.UnrecognizedShapes[:min(shownShapes, len(in.UnrecognizedShapes))] {
		shapes = append(shapes, fmt.Sprintf("`%s` x%s first at %s", sh.Shape, report.Thousands(sh.Count), sh.First))
	}
	var restLines int64
	for _, sh := range in.UnrecognizedShapes[min(shownShapes, len(in.UnrecognizedShapes)):] {
		restLines += sh.Count
	}
	if rest := n - len(shapes); rest > 0 {
		restLines += in.UnrecognizedOther.Lines
		more := report.Thousands(int64(rest)) + " more " + report.Plural(min(rest, 2), "shape")
		if in.UnrecognizedOther.Sampled {
			more = "other shapes"
		}
		shapes = append(shapes, fmt.Sprintf("%s (%s %s)", more, report.Thousands(restLines), report.Plural(int(min(restLines, 2)), "line")))
	}
	return s + ": " + strings.Join(shapes, "; ")
}

// maxValueInput bounds what `mask -` and `ccl -` read from stdin: values
// are a few bytes each.
const maxValueInput = 1 << 20

// stdinValues reads the non-blank lines of r, trimmed, for the commands
// that take values rather than inputs (mask, ccl).
func stdinValues(r io.Reader) ([]string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxValueInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(b) > maxValueInput {
		return nil, &report.UsageError{Err: fmt.Errorf("stdin: more than %d bytes of values", maxValueInput)}
	}
	var vals []string
	for l := range strings.Lines(string(b)) {
		if t := strings.TrimSpace(l); t != "" {
			vals = append(vals, t)
		}
	}
	return vals, nil
}

// isFileArg reports whether a decode argument names an existing file or
// folder rather than being an entry: it is one line, does not start the
// way an entry does, and the path exists.
func isFileArg(arg string) bool {
	if arg == "" || strings.ContainsAny(arg, "\n") || strings.ContainsAny(arg[:1], "<[@;|") {
		return false
	}
	p, _, _ := parse.SplitArg(arg)
	_, err := os.Stat(p)
	return err == nil
}
