package main

import (
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// StormsCmd reports sync-buffer storms.
type StormsCmd struct {
	Files           []string                    `arg:"" optional:"" predictor:"file" help:"Kernel-debug captures (.gz too), cphaprob syncstat outputs, connection dumps, folders; none or '-' reads stdin."`
	Bucket          floatFlag[bucketRange]      `default:"1" placeholder:"SECONDS" help:"Timeline bucket width in seconds, 0.001 (1 ms) to 86400 (1 day) (default: ${default} s)."`
	TSUnit          tsUnitFlag                  `name:"ts-unit" enum:"s,ms,us,ns" default:"us" help:"Unit of the @;N; timestamps: ${enum} (default: ${default}, assumed microseconds)."`
	RefreshInterval floatFlag[refreshRange]     `name:"refresh-interval" default:"512" placeholder:"SECONDS" help:"cphwd_conn_refresh_interval, 1 to 86400 s: the expected period of REFRESH waves (default: ${default} s)."`
	SwitchoverAt    *floatFlag[switchoverRange] `name:"switchover-at" placeholder:"SECONDS" help:"When the switchover happened, in seconds on the capture's clock (within ±1e15; default: found in the capture)."`
	BurstFactor     floatFlag[burstRange]       `name:"burst-factor" default:"5" help:"A bucket is part of a burst above this many times the baseline (median) rate, 1 to 1000 (default: ${default})."`
	// No default tag: a pointer says whether the user gave it (the
	// forecast then counts the queue as known); the help shows 512.
	SendingQueue *intFlag[queueRange] `name:"sending-queue" placeholder:"512" help:"Sending queue size when no syncstat gives it, 1 to 1048576 (default 512)."`
	SyncInterval intFlag[syncRange]   `name:"sync-interval" default:"100" placeholder:"MS" help:"Delta Sync interval when no syncstat gives it, 1 to 60000 ms (default: ${default} ms)."`
}

// Run reads every input in one pass and prints the report.
func (c *StormsCmd) Run(g *Globals, stdio *IO) error {
	opt := storms.DefaultOptions()
	opt.Bucket, opt.RefreshInterval, opt.BurstFactor = c.Bucket.v, c.RefreshInterval.v, c.BurstFactor.v
	opt.SyncIntervalMs = c.SyncInterval.v
	if c.SwitchoverAt != nil {
		t := c.SwitchoverAt.v
		opt.SwitchoverAt = &t
	}
	if c.SendingQueue != nil {
		opt.SendingQueue, opt.SendingQueueGiven = c.SendingQueue.v, true
	}
	if err := opt.Check(); err != nil { // the flags' ranges are storms' own: never fails
		return &report.UsageError{Err: err}
	}
	f := g.feed(report.FeedOptions{TSUnit: c.TSUnit.seconds()})
	b := storms.New(f, opt)
	ps := storms.NewPstat(f) // fw ctl pstat Sync sections, beside the syncstat ones
	if err := readInputs(c.Files, stdio, g, f, g.limits()); err != nil {
		return err
	}
	if err := recognized(f, stdio); err != nil {
		return err
	}
	r := b.Report()
	ps.Fill(r)
	printAccounting(stdio, &r.Inputs)
	switch g.Format {
	case report.NDJSON:
		return storms.WriteNDJSON(stdio.Out, r)
	case report.JSON:
		return report.WriteJSON(stdio.Out, r)
	case report.CSV:
		return storms.WriteCSV(stdio.Out, r)
	}
	return storms.WriteTable(stdio.Out, r, g.paletteFor(c.Files))
}
