package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/report/triage"
)

// exitFindings is the status of `triage --fail-on` when findings at that
// severity exist.
const exitFindings = 4

// TriageCmd triages a support bundle.
type TriageCmd struct {
	Bundles    []string               `arg:"" predictor:"file" help:"Folders, .tgz/.tar.gz/.tar/.gz archives (nested too) or cpinfo files; FILE@1_03 names the SGM."`
	HTML       string                 `name:"html" placeholder:"FILE" predictor:"file" help:"Also write a self-contained HTML report to FILE; '-' writes the page to stdout instead of the report."`
	FailOn     string                 `name:"fail-on" enum:"none,high,medium" default:"none" help:"Exit with status 4 when findings at this severity or above exist: ${enum} (default: ${default})."`
	ExpiryRisk expiryFlag             `name:"expiry-risk" default:"600" placeholder:"SECONDS" help:"R of the at-risk rule, 1 s to 1 year (default: ${default} s; see owners)."`
	MaxBytes   intFlag[maxBytesRange] `name:"max-bytes" default:"8589934592" help:"Stop reading an archive after this many decompressed bytes (gzip bombs), 1 to 2^40 (default: ${default}, 8 GiB)."`
}

// findingsError reports findings at the --fail-on severity.
type findingsError struct{ n int }

func (e findingsError) Error() string {
	return fmt.Sprintf("%d findings at the --fail-on severity", e.n)
}
func (findingsError) ExitCode() int { return exitFindings }

// Run reads every bundle as it arrived and prints the triage.
func (c *TriageCmd) Run(g *Globals, stdio *IO) error {
	f := g.feed(report.FeedOptions{})
	b := triage.New(f, c.ExpiryRisk.seconds(), storms.DefaultOptions())
	lim := g.limits()
	lim.MaxDecompressed = c.MaxBytes.v
	if err := readInputs(c.Bundles, stdio, g, f, lim); err != nil {
		return err
	}
	if err := recognized(f, stdio); err != nil {
		return err
	}
	r := b.Report()
	if c.HTML == "-" {
		// The page is the output: stdout carries it alone.
		printAccounting(stdio, &r.Inputs)
		if err := c.writeHTML(stdio.Out, r, g, lim); err != nil {
			return err
		}
		if n := countAtOrAbove(r.Findings, c.FailOn); n > 0 {
			return findingsError{n}
		}
		return nil
	}
	if c.HTML != "" {
		f, err := os.Create(c.HTML)
		if err != nil {
			return err
		}
		if err := c.writeHTML(f, r, g, lim); err != nil {
			_ = f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	printAccounting(stdio, &r.Inputs)
	var err error
	switch g.Format {
	case report.NDJSON:
		err = triage.WriteNDJSON(stdio.Out, r)
	case report.JSON:
		err = report.WriteJSON(stdio.Out, r)
	case report.CSV:
		err = triage.WriteCSV(stdio.Out, r)
	default:
		err = triage.WriteTable(stdio.Out, r, g.paletteFor(c.Bundles))
	}
	if err != nil {
		return err
	}
	if n := countAtOrAbove(r.Findings, c.FailOn); n > 0 {
		return findingsError{n}
	}
	return nil
}

// writeHTML writes the HTML report. The evidence lines it quotes are read
// in a second pass over the inputs (the first does not know which will be
// cited); stdin cannot be read twice, so then they are not quoted.
func (c *TriageCmd) writeHTML(w io.Writer, r *triage.Report, g *Globals, lim parse.Limits) error {
	when, err := generated(os.Getenv("SOURCE_DATE_EPOCH"), time.Now)
	if err != nil {
		return &report.UsageError{Err: err}
	}
	pg := triage.Page{Version: versionString(), Generated: when, Inputs: c.Bundles, Times: g.palette.Times}
	if q := triage.NewQuotes(r); q.Wanted() {
		if len(c.Bundles) == 0 || slices.Contains(c.Bundles, "-") {
			pg.NoQuotes = "stdin cannot be read a second time"
		} else if _, err := parse.Walk(c.Bundles, nil, lim, q.Read); err != nil {
			pg.NoQuotes = "reading the inputs again failed: " + report.Sanitize(err.Error())
		} else {
			pg.Quotes = q
		}
	}
	return triage.WriteHTML(w, r, pg)
}

// generated is the time the HTML report says it was made: the clock, or
// SOURCE_DATE_EPOCH (Unix seconds) when it is set, so that a rebuild from
// the same inputs gives the same page (reproducible-builds.org).
func generated(sourceDateEpoch string, now func() time.Time) (time.Time, error) {
	if sourceDateEpoch == "" {
		return now().UTC(), nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(sourceDateEpoch), 10, 64)
	if err != nil || n < 0 || n > maxUnix {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: want Unix seconds from 0 to %d", sourceDateEpoch, maxUnix)
	}
	return time.Unix(n, 0).UTC(), nil
}

func countAtOrAbove(fs []triage.Finding, level string) int {
	n := 0
	for _, f := range fs {
		switch {
		case level == "high" && f.Severity == triage.High,
			level == "medium" && (f.Severity == triage.High || f.Severity == triage.Medium):
			n++
		}
	}
	return n
}
