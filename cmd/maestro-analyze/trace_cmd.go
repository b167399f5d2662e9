package main

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/trace"
)

// TraceCmd follows one connection through every input.
type TraceCmd struct {
	Connection  string     `arg:"" name:"connection" help:"src:sport-dst:dport/proto (either direction; proto a number or a name), or a pasted entry decode accepts, in quotes."`
	Files       []string   `arg:"" optional:"" predictor:"file" help:"Per-SGM dumps, g_all output, gconn, kernel-debug captures (.gz too), syncstat, asg dxl calc, folders, or FILE@1_03 to name the SGM; none or '-' reads stdin."`
	DXL         string     `name:"dxl" placeholder:"FILE" predictor:"file" help:"asg dxl calc output: splits each sync_mask into active and backup sync sets (dxl lines among the inputs count too)."`
	ExpiryRisk  expiryFlag `name:"expiry-risk" default:"600" placeholder:"SECONDS" help:"R of the at-risk rule, 1 s to 1 year (default: ${default} s): some SGM expires the entry within R while another refreshed it within R."`
	DumpTime    timeFlag   `name:"dump-time" placeholder:"TIME" help:"When the dumps were taken (RFC 3339 or Unix seconds), to predict the wall time of expiry (default: the newest fw tab -f LastUpdateTime, else none)."`
	TSUnit      tsUnitFlag `name:"ts-unit" enum:"s,ms,us,ns" default:"us" help:"Unit of the @;N; timestamps: ${enum} (default: ${default}, assumed microseconds)."`
	NoPrefilter bool       `name:"no-prefilter" help:"Parse every line, not only those that can name the connection (slower; to check the prefilter)."`
}

// notFoundError reports a connection that appears in none of the inputs.
type notFoundError struct{ msg string }

func (e notFoundError) Error() string { return e.msg }
func (notFoundError) ExitCode() int   { return exitNotFound }

// Run reads every input and prints the connection's story.
func (c *TraceCmd) Run(g *Globals, stdio *IO) error {
	conn, err := trace.ParseConnection(c.Connection)
	if err != nil {
		return &report.UsageError{Err: fmt.Errorf("CONNECTION: %w", err)}
	}
	if c.DXL != "" {
		if err := g.loadDXL(c.DXL, stdio); err != nil {
			return err
		}
	}
	opt := report.FeedOptions{TSUnit: c.TSUnit.seconds()}
	if !c.NoPrefilter {
		opt.Prefilter = parse.NewConnFilter(conn)
	}
	f := g.feed(opt)
	b := trace.New(f, conn, trace.Options{RiskWindow: c.ExpiryRisk.seconds(), DumpTime: c.DumpTime.unix})
	if err := readInputs(c.Files, stdio, g, f, g.limits()); err != nil {
		return err
	}
	r := b.Report()
	if r.Found {
		printAccounting(stdio, &r.Inputs)
	}
	switch g.Format {
	case report.NDJSON:
		err = trace.WriteNDJSON(stdio.Out, r)
	case report.JSON:
		err = report.WriteJSON(stdio.Out, r)
	case report.CSV:
		err = trace.WriteCSV(stdio.Out, r)
	default:
		if r.Found {
			err = trace.WriteTable(stdio.Out, r, g.paletteFor(c.Files))
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
