package main

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// TraceCmd follows one connection through every input.
type TraceCmd struct {
	Connection  string   `arg:"" name:"connection" help:"src:sport-dst:dport/proto (either direction; proto a number or a name), or a pasted entry decode accepts, in quotes."`
	Files       []string `arg:"" optional:"" help:"Per-SGM dumps, g_all output, gconn, kernel-debug captures (.gz too), syncstat, asg dxl calc, folders, or FILE@1_03 to name the SGM; none or '-' reads stdin."`
	DXL         string   `name:"dxl" placeholder:"FILE" help:"asg dxl calc output: splits each sync_mask into active and backup sync sets (dxl lines among the inputs count too)."`
	ExpiryRisk  uint32   `name:"expiry-risk" default:"600" placeholder:"SECONDS" help:"R of the at-risk rule: some SGM expires the entry within R while another refreshed it within R."`
	DumpTime    string   `name:"dump-time" placeholder:"TIME" help:"When the dumps were taken (RFC 3339 or Unix seconds), to predict the wall time of expiry."`
	TSUnit      string   `name:"ts-unit" enum:"s,ms,us,ns" default:"us" help:"Unit of the @;N; timestamps: ${enum} (assumed microseconds)."`
	NoPrefilter bool     `name:"no-prefilter" help:"Parse every line, not only those that can name the connection (slower; to check the prefilter)."`
}

// Help is the detailed help of `trace --help`.
func (c *TraceCmd) Help() string {
	return `Tells one connection's story from whatever inputs are given: the connection in
both directions, its owner and whether correction reaches it, every SGM holding
it (full entry or link, remaining/timeout), a timeline of every sync message and
correction line about it with its sync_mask decoded per site (active and backup
sets with --sites or the mask's own site states, and asg dxl calc), each change
of the owner's sync_mask explained, and a closing verdict.

Only lines that name the connection's addresses (hex as fw tab and kernel debug
print them, dotted as fw tab -f, gconn and correction lines do) are parsed.

Exit status: 0 found; 3 the connection appears in none of the inputs (the
message says what was searched); 1 runtime error; 80 usage error.`
}

// notFoundError reports a connection that appears in none of the inputs.
type notFoundError struct{ msg string }

func (e notFoundError) Error() string { return e.msg }
func (notFoundError) ExitCode() int   { return exitNotFound }

// Run reads every input and prints the connection's story.
func (c *TraceCmd) Run(g *Globals, stdio *IO) error {
	e, err := g.setup(stdio)
	if err != nil {
		return err
	}
	conn, err := report.ParseConnection(c.Connection)
	if err != nil {
		return usageError{fmt.Errorf("CONNECTION: %w", err)}
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
	if c.DXL != "" {
		if err := e.loadDXL(c.DXL, stdio); err != nil {
			return err
		}
	}
	b := report.NewTrace(conn, report.TraceOptions{
		Context: e.ctx, RiskWindow: c.ExpiryRisk, DumpTime: dump, NoPrefilter: c.NoPrefilter,
		TSUnit: tsUnits[c.TSUnit],
	})
	err = readInputs(c.Files, stdio, e, parse.DefaultLimits(), nil, func(src parse.Source, r *parse.Reader) error {
		return b.Read(src, r, e.strict)
	})
	if err != nil {
		return err
	}
	r := b.Report()
	switch e.format {
	case report.JSON, report.NDJSON:
		err = report.WriteJSON(stdio.Out, r)
	case report.CSV:
		err = report.WriteTraceCSV(stdio.Out, r)
	default:
		if r.Found {
			printAccounting(stdio, &r.Inputs)
			err = report.WriteTraceTable(stdio.Out, r, e.palette)
		}
	}
	if err != nil {
		return err
	}
	if !r.Found {
		return notFoundError{r.NotFoundText()}
	}
	return nil
}
