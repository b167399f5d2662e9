package main

import (
	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/entry"
)

// MaskCmd decodes a sync_mask.
type MaskCmd struct {
	Value string `arg:"" help:"The mask: 0x0001800e, 0001800e or [ 0x0000000c]."`
	Owner string `placeholder:"SGM" help:"The connection owner (e.g. 1_02), to mark it when its site is DOWN."`
	DXL   string `name:"dxl" placeholder:"FILE" help:"asg dxl calc output for the connection: with --sites, gives the active and backup sets."`
}

// Run decodes the mask.
func (c *MaskCmd) Run(g *Globals, stdio *IO) error {
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
