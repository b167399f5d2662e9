package main

import (
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
)

// OwnersCmd audits where connection owners live across all SGMs.
type OwnersCmd struct {
	Files      []string   `arg:"" optional:"" predictor:"file" help:"Dumps (fw tab -u/-f, gconn, kernel debug, asg dxl calc), folders, or FILE@1_03 to name the SGM; none or '-' reads stdin."`
	ExpiryRisk expiryFlag `name:"expiry-risk" default:"600" placeholder:"SECONDS" help:"R of the at-risk rule, 1 s to 1 year (default: ${default} s): some SGM expires the entry within R while another refreshed it within R."`
	List       bool       `help:"List the at-risk connections, most urgent first, instead of the summary."`
	DumpTime   timeFlag   `name:"dump-time" placeholder:"TIME" help:"When the dumps were taken (RFC 3339 or Unix seconds), to predict expiry times (default: none, times stay relative)."`
}

// Run reads every input and prints the audit.
func (c *OwnersCmd) Run(g *Globals, stdio *IO) error {
	f := g.feed(report.FeedOptions{})
	b := owners.New(f, c.ExpiryRisk.seconds(), c.DumpTime.unix)
	b.GrowForBytes(inputSize(c.Files))
	if err := readInputs(c.Files, stdio, g, f, g.limits()); err != nil {
		return err
	}
	if err := recognized(f, stdio); err != nil {
		return err
	}
	r := b.Report()
	printAccounting(stdio, &r.Inputs)
	switch {
	case c.List && g.Format == report.NDJSON:
		return owners.WriteRiskNDJSON(stdio.Out, r.AtRisk)
	case c.List && g.Format == report.JSON:
		return report.WriteJSON(stdio.Out, r.AtRisk)
	case c.List && g.Format == report.CSV:
		return owners.WriteRiskCSV(stdio.Out, r.AtRisk)
	case c.List:
		return owners.WriteRiskTable(stdio.Out, r.AtRisk, g.paletteFor(c.Files))
	case g.Format == report.NDJSON:
		return owners.WriteNDJSON(stdio.Out, r)
	case g.Format == report.JSON:
		return report.WriteJSON(stdio.Out, r)
	case g.Format == report.CSV:
		return owners.WriteCSV(stdio.Out, r)
	}
	return owners.WriteTable(stdio.Out, r, g.paletteFor(c.Files))
}
