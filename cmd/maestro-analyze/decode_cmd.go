package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/entry"
)

// DecodeCmd decodes pasted entries.
type DecodeCmd struct {
	Entries []string `arg:"" optional:"" predictor:"file" help:"Entries to decode, each quoted, or files (an argument naming an existing file is read); none or '-' reads lines from stdin."`
	DXL     string   `name:"dxl" placeholder:"FILE" predictor:"file" help:"asg dxl calc output: with --sites, splits sync masks into active and backup sets."`
}

// Run decodes every argument, or every stdin line.
func (c *DecodeCmd) Run(g *Globals, stdio *IO) error {
	if c.DXL != "" {
		if err := g.loadDXL(c.DXL, stdio); err != nil {
			return err
		}
	}
	// Each line was pasted to be decoded: one no format recognizes is an
	// error here, not a line of other output to skip.
	f := g.feed(report.FeedOptions{RejectUnrecognized: true, OnReject: func(err error) {
		if !parse.IsQuiet(err) {
			fmt.Fprintln(stdio.Err, report.Sanitize(err.Error()))
		}
	}})
	w := entry.NewWriter(stdio.Out, g.Format, g.palette)
	d := entry.NewDecoder(f, w.Write)
	if len(c.Entries) == 0 {
		c.Entries = []string{"-"}
	}
	for i, arg := range c.Entries {
		var err error
		file := arg != "-" && isFileArg(arg)
		if file {
			fmt.Fprintf(stdio.Err, "maestro-analyze: decode: %s names an existing file: decoding its lines\n", report.Sanitize(parse.QuoteName(arg)))
		}
		if arg == "-" || file {
			// stdin goes the way every command reads its inputs (archives,
			// nesting, limits); a pasted argument stays text.
			d.Arg = 0
			var skipped []parse.Skipped
			skipped, err = f.Walk([]string{arg}, stdio.In, g.limits())
			for _, s := range skipped {
				fmt.Fprintf(stdio.Err, "maestro-analyze: %s\n", report.Sanitize(s.String()))
			}
			if err == nil && g.Strict && len(skipped) > 0 {
				err = fmt.Errorf("--strict: %d of the inputs or archive members skipped or not read to the end", len(skipped))
			}
		} else {
			d.Arg = i + 1
			err = f.ReadString("argument "+strconv.Itoa(i+1), arg)
		}
		if err == nil {
			err = d.Err
		}
		if err != nil {
			_ = w.Close()
			if parse.IsRejected(err) {
				return rejectedError{1}
			}
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	stats := f.Stats()
	n := stats.RejectedLines()
	if n > 0 {
		fmt.Fprintf(stdio.Err, "maestro-analyze: decoded %d %s; %d %s rejected (%s)\n",
			d.Entries, pluralEntry(d.Entries), n, plural(n, "line"), reasons(stats))
		return rejectedError{n}
	}
	in := f.Accounting()
	in.RejectedExamples = nil // each was printed where it was met
	printAccounting(stdio, &in)
	return nil
}

// reasons renders rejected counts by reason, sorted by reason.
func reasons(s *parse.Stats) string { return reasonsOf(s.Rejected) }

func reasonsOf(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func pluralEntry(n int) string {
	if n == 1 {
		return "entry"
	}
	return "entries"
}
