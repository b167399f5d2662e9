package main

import (
	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// MaskCmd decodes a sync_mask.
type MaskCmd struct {
	Value string `arg:"" help:"The mask: 0x0001800e, 0001800e or [ 0x0000000c]."`
	Owner string `placeholder:"SGM" help:"The connection owner (e.g. 1_02), to mark it when its site is DOWN."`
	DXL   string `name:"dxl" placeholder:"FILE" help:"asg dxl calc output for the connection: with --sites, gives the active and backup sets."`
}

// Run decodes the mask.
func (c *MaskCmd) Run(g *Globals, stdio *IO) error {
	e, err := g.setup(stdio)
	if err != nil {
		return err
	}
	m, err := decode.ParseSyncMask(c.Value)
	if err != nil {
		return usageError{err}
	}
	var owner decode.Owner
	if c.Owner != "" {
		s, err := decode.ParseSGM(c.Owner)
		if err != nil {
			return usageError{err}
		}
		id, ok := e.ctx.Layout.ID(s)
		owner = decode.Owner{ID: id, SGM: s, InLayout: ok}
	}
	var prim []decode.SGM
	if c.DXL != "" {
		if err := e.loadDXL(c.DXL, stdio); err != nil {
			return err
		}
		prim = e.ctx.DXL.AllPrimaries()
	}
	mj := e.ctx.Mask(m, owner, prim, c.DXL != "")
	switch e.format {
	case report.JSON, report.NDJSON:
		return report.WriteJSON(stdio.Out, mj)
	case report.CSV:
		return report.WriteMaskCSV(stdio.Out, mj)
	}
	return report.WriteMaskTable(stdio.Out, mj)
}
