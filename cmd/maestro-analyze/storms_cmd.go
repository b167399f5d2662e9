package main

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// StormsCmd reports sync-buffer storms.
type StormsCmd struct {
	Files           []string   `arg:"" optional:"" help:"Kernel-debug captures (.gz too), cphaprob syncstat outputs, connection dumps, folders; none or '-' reads stdin."`
	Bucket          float64    `default:"1" placeholder:"SECONDS" help:"Timeline bucket width."`
	TSUnit          tsUnitFlag `name:"ts-unit" enum:"s,ms,us,ns" default:"us" help:"Unit of the @;N; timestamps: ${enum} (assumed microseconds)."`
	RefreshInterval float64    `name:"refresh-interval" default:"512" placeholder:"SECONDS" help:"cphwd_conn_refresh_interval: the expected period of REFRESH waves."`
	SwitchoverAt    *float64   `name:"switchover-at" placeholder:"SECONDS" help:"When the switchover happened, in seconds on the capture's clock."`
	BurstFactor     float64    `name:"burst-factor" default:"5" help:"A bucket is part of a burst above this many times the baseline (median) rate."`
	SendingQueue    int64      `name:"sending-queue" default:"512" help:"Sending queue size when no syncstat gives it."`
	SyncInterval    int64      `name:"sync-interval" default:"100" placeholder:"MS" help:"Delta Sync interval when no syncstat gives it."`
}

// Run reads every input in one pass and prints the report.
func (c *StormsCmd) Run(g *Globals, stdio *IO) error {
	if c.Bucket <= 0 || c.RefreshInterval <= 0 || c.BurstFactor <= 0 || c.SendingQueue <= 0 || c.SyncInterval <= 0 {
		return usageError{fmt.Errorf("--bucket, --refresh-interval, --burst-factor, --sending-queue and --sync-interval must be positive")}
	}
	opt := storms.DefaultOptions()
	opt.Bucket, opt.RefreshInterval, opt.BurstFactor = c.Bucket, c.RefreshInterval, c.BurstFactor
	opt.SwitchoverAt, opt.SendingQueue, opt.SyncIntervalMs = c.SwitchoverAt, c.SendingQueue, c.SyncInterval
	f := g.feed(report.FeedOptions{TSUnit: c.TSUnit.seconds()})
	b := storms.New(f, opt)
	if err := readInputs(c.Files, stdio, g, f, parse.DefaultLimits()); err != nil {
		return err
	}
	if err := recognized(f, stdio); err != nil {
		return err
	}
	r := b.Report()
	printAccounting(stdio, &r.Inputs)
	switch g.Format {
	case report.JSON, report.NDJSON:
		return report.WriteJSON(stdio.Out, r)
	case report.CSV:
		return storms.WriteCSV(stdio.Out, r)
	}
	return storms.WriteTable(stdio.Out, r, g.palette)
}
