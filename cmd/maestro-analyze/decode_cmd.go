package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// DecodeCmd decodes pasted entries.
type DecodeCmd struct {
	Entries []string `arg:"" optional:"" help:"Entries to decode, each quoted; none or '-' reads lines from stdin."`
	DXL     string   `name:"dxl" placeholder:"FILE" help:"asg dxl calc output: with --sites, splits sync masks into active and backup sets."`
}

// Run decodes every argument, or every stdin line.
func (c *DecodeCmd) Run(g *Globals, stdio *IO) error {
	e, err := g.setup(stdio)
	if err != nil {
		return err
	}
	if c.DXL != "" {
		if err := e.loadDXL(c.DXL, stdio); err != nil {
			return err
		}
	}
	w := report.NewEntryWriter(stdio.Out, e.format, e.palette)
	var stats parse.Stats
	entries := 0
	// feed decodes what r yields; line numbers are input lines, or the
	// argument index for arguments.
	feed := func(r *parse.Reader, argIndex int) error {
		defer stats.Add(r.Stats())
		for r.Scan() {
			rec, err := r.Record()
			if err != nil {
				if !parse.IsQuiet(err) {
					fmt.Fprintln(stdio.Err, report.Sanitize(err.Error()))
				}
				if e.strict {
					return rejectedError{1}
				}
				continue
			}
			switch rec.Kind {
			case parse.KindDxl, parse.KindDxlChassis:
				e.ctx.DXL.Add(rec) // context for the entries that follow
				continue
			case parse.KindSGMHeader, parse.KindHostHeader, parse.KindTable, parse.KindSyncstat, parse.KindSyncstatSection:
				continue
			}
			line := rec.Pos.Line
			if argIndex > 0 {
				line = argIndex
			}
			entries++
			if err := w.Write(e.ctx.Decode(rec, line)); err != nil {
				return err
			}
		}
		return r.Err()
	}
	if len(c.Entries) == 0 {
		c.Entries = []string{"-"}
	}
	for i, arg := range c.Entries {
		var err error
		if arg == "-" {
			in, oerr := parse.Open("-", stdio.In)
			if oerr != nil {
				return oerr
			}
			err = feed(parse.NewReader(in, in.Name), 0)
			_ = in.Close()
		} else {
			err = feed(parse.NewReader(strings.NewReader(arg), "argument "+strconv.Itoa(i+1)), i+1)
		}
		if err != nil {
			_ = w.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	n := stats.RejectedLines()
	if n > 0 {
		fmt.Fprintf(stdio.Err, "maestro-analyze: decoded %d %s; %d %s rejected (%s)\n",
			entries, pluralEntry(entries), n, plural(n, "line"), reasons(&stats))
		return rejectedError{n}
	}
	if e.format == report.Table {
		in := report.NewInputs(&stats)
		in.RejectedExamples = nil // each was printed where it was met
		printAccounting(stdio, &in)
	}
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
