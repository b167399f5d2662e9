package main

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/entry"
)

// MaskCmd decodes a sync_mask.
type MaskCmd struct {
	Value string `arg:"" help:"The mask: 0x0001800e, 0001800e or [ 0x0000000c]; '-' reads it from stdin."`
	Owner string `placeholder:"SGM" help:"The connection owner (e.g. 1_02), to mark it when its site is DOWN."`
	DXL   string `name:"dxl" placeholder:"FILE" predictor:"file" help:"asg dxl calc output for the connection: with --sites, gives the active and backup sets."`
}

// Run decodes the mask.
func (c *MaskCmd) Run(g *Globals, stdio *IO) error {
	if c.Value == "-" {
		vals, err := stdinValues(stdio.In)
		if err != nil {
			return err
		}
		if len(vals) != 1 {
			return &report.UsageError{Err: fmt.Errorf("mask -: want one sync_mask on stdin, got %d lines", len(vals))}
		}
		c.Value = vals[0]
	}
	m, err := decode.ParseSyncMask(c.Value)
	if err != nil {
		return &report.UsageError{Err: err}
	}
	var owner decode.Owner
	if c.Owner != "" {
		s, err := decode.ParseSGM(c.Owner)
		if err != nil {
			return &report.UsageError{Err: err}
		}
		id, ok := g.ctx.Layout.ID(s)
		owner = decode.Owner{ID: id, SGM: s, InLayout: ok}
	}
	var prim []decode.SGM
	if c.DXL != "" {
		if err := g.loadDXL(c.DXL, stdio); err != nil {
			return err
		}
		prim = g.ctx.DXL.AllPrimaries()
	}
	mj := g.ctx.Mask(m, owner, prim, c.DXL != "")
	switch g.Format {
	case report.NDJSON:
		return report.NewNDJSON(stdio.Out).Object("mask", mj)
	case report.JSON:
		return report.WriteJSON(stdio.Out, mj)
	case report.CSV:
		return entry.WriteMaskCSV(stdio.Out, mj)
	}
	return entry.WriteMaskTable(stdio.Out, mj)
}
