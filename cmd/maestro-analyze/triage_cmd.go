package main

import (
	"fmt"
	"os"

	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/report/triage"
)

// exitFindings is the status of `triage --fail-on` when findings at that
// severity exist.
const exitFindings = 4

// TriageCmd triages a support bundle.
type TriageCmd struct {
	Bundles    []string               `arg:"" help:"Folders, .tgz/.tar.gz/.tar/.gz archives (nested too) or cpinfo files; FILE@1_03 names the SGM."`
	HTML       string                 `name:"html" placeholder:"FILE" help:"Also write a self-contained HTML report to FILE."`
	FailOn     string                 `name:"fail-on" enum:"none,high,medium" default:"none" help:"Exit with status 4 when findings at this severity or above exist: ${enum}."`
	ExpiryRisk expiryFlag             `name:"expiry-risk" default:"600" placeholder:"SECONDS" help:"R of the at-risk rule, 1 s to 1 year (see owners)."`
	MaxBytes   intFlag[maxBytesRange] `name:"max-bytes" default:"8589934592" help:"Stop reading an archive after this many decompressed bytes (gzip bombs), 1 to 2^40."`
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
	if c.HTML != "" {
		if err := writeHTML(c.HTML, r); err != nil {
			return err
		}
	}
	printAccounting(stdio, &r.Inputs)
	var err error
	switch g.Format {
	case report.JSON, report.NDJSON:
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

func writeHTML(path string, r *triage.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := triage.WriteHTML(f, r, versionString()); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
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
