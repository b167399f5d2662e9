package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// OwnersCmd audits where connection owners live across all SGMs.
type OwnersCmd struct {
	Files      []string `arg:"" optional:"" help:"Dumps (fw tab -u/-f, gconn, kernel debug, asg dxl calc), folders, or FILE@1_03 to name the SGM; none or '-' reads stdin."`
	ExpiryRisk uint32   `name:"expiry-risk" default:"600" placeholder:"SECONDS" help:"R of the at-risk rule: some SGM expires the entry within R while another refreshed it within R."`
	List       bool     `help:"List the at-risk connections, most urgent first, instead of the summary."`
	DumpTime   string   `name:"dump-time" placeholder:"TIME" help:"When the dumps were taken (RFC 3339 or Unix seconds), to predict expiry times."`
}

// Run reads every input and prints the audit.
func (c *OwnersCmd) Run(g *Globals, stdio *IO) error {
	e, err := g.setup(stdio)
	if err != nil {
		return err
	}
	var dump int64
	if c.DumpTime != "" {
		if dump, err = parseTime(c.DumpTime); err != nil {
			return usageError{fmt.Errorf("--dump-time: %w", err)}
		}
	}
	if c.ExpiryRisk == 0 {
		return usageError{fmt.Errorf("--expiry-risk must be positive")}
	}
	b := report.NewOwners(e.ctx, c.ExpiryRisk, dump)
	// A full R81.20 entry is about 420 bytes (a link line adds 135): size
	// the table once for that many connections, rather than double it
	// while reading. The cap bounds what inputs that hold each
	// connection many times (g_all dumps of many SGMs) make us reserve.
	b.Grow(int(min(inputSize(c.Files)/420, 4_000_000)))
	err = readInputs(c.Files, stdio, e, parse.DefaultLimits(), nil, func(src parse.Source, r *parse.Reader) error {
		return b.Read(src, r, e.strict)
	})
	if err != nil {
		return err
	}
	r := b.Report()
	if e.format == report.Table {
		printAccounting(stdio, &r.Inputs)
	}
	switch {
	case c.List && e.format == report.NDJSON:
		err = report.WriteNDJSON(stdio.Out, r.AtRisk)
	case c.List && e.format == report.JSON:
		err = report.WriteJSON(stdio.Out, r.AtRisk)
	case c.List && e.format == report.CSV:
		err = report.WriteRiskCSV(stdio.Out, r.AtRisk)
	case c.List:
		err = report.WriteRiskTable(stdio.Out, r.AtRisk)
	case e.format == report.JSON || e.format == report.NDJSON:
		err = report.WriteJSON(stdio.Out, r)
	case e.format == report.CSV:
		err = report.WriteOwnersCSV(stdio.Out, r)
	default:
		err = report.WriteOwnersTable(stdio.Out, r, e.palette)
	}
	if err != nil {
		return err
	}
	return nil
}

func parseTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("%q: want RFC 3339 (2025-09-30T04:18:08Z) or Unix seconds", s)
	}
	return t.Unix(), nil
}
