package main

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/report/timeline"
	"github.com/maestro-analyze/maestro-analyze/report/triage"
)

// TimelineCmd tells one chronological story of an incident across every SGM.
type TimelineCmd struct {
	Files []string  `arg:"" optional:"" help:"CPView history databases (found by content), syslog copies, cpinfo files, kernel-debug captures, folders, bundles; FILE@1_03 names the SGM; none or '-' reads stdin."`
	From  *timeFlag `name:"from" placeholder:"TIME" help:"Only events at or after TIME: epoch seconds or RFC 3339 (2025-09-30T02:00:00Z)."`
	To    *timeFlag `name:"to" placeholder:"TIME" help:"Only events at or before TIME: epoch seconds or RFC 3339."`
	SGM   string    `name:"sgm" placeholder:"SGM" help:"Only the events of this SGM (1_03)."`
}

// Run reads every input in one pass and prints the timeline.
func (c *TimelineCmd) Run(g *Globals, stdio *IO) error {
	var opt timeline.Options
	if c.From != nil {
		opt.From = &c.From.unix
	}
	if c.To != nil {
		opt.To = &c.To.unix
	}
	if c.SGM != "" {
		s, err := decode.ParseSGM(c.SGM)
		if err != nil {
			return &report.UsageError{Err: fmt.Errorf("--sgm: %w", err)}
		}
		opt.SGM = s
	}
	f := g.feed(report.FeedOptions{})
	st := storms.New(f, storms.DefaultOptions()) // the switchover and REFRESH waves of a capture
	tl := timeline.New(f)
	if err := readInputs(c.Files, stdio, g, f, g.limits()); err != nil {
		return err
	}
	if err := recognized(f, stdio); err != nil {
		return err
	}
	tl.SetCapture(triage.CaptureOf(st.Report()))
	r := tl.Report(opt)
	printAccounting(stdio, &r.Inputs)
	switch g.Format {
	case report.JSON:
		return timeline.WriteJSON(stdio.Out, r)
	case report.NDJSON:
		return timeline.WriteNDJSON(stdio.Out, r)
	case report.CSV:
		return timeline.WriteCSV(stdio.Out, r)
	}
	return timeline.WriteTable(stdio.Out, r, g.paletteFor(c.Files))
}
