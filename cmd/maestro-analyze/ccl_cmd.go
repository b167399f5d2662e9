package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/entry"
)

// CCLCmd decodes CCL words, ids and SGM names.
type CCLCmd struct {
	Values []string `arg:"" optional:"" help:"A value word 13 (0x2008000, 02008000: hex with 0x or 5+ digits), a CCL id (0..63) or an SGM (2_03); '-' reads values from stdin, one a line."`
}

// Run prints the rows asked for, or the whole table of the layout.
func (c *CCLCmd) Run(g *Globals, stdio *IO) error {
	l := g.ctx.Layout
	rows := entry.CCLTable(l)
	var values []string
	for _, v := range c.Values {
		if v != "-" {
			values = append(values, v)
			continue
		}
		in, err := stdinValues(stdio.In)
		if err != nil {
			return err
		}
		values = append(values, in...)
	}
	if len(values) == 0 && len(c.Values) > 0 {
		return &report.UsageError{Err: fmt.Errorf("ccl -: no value on stdin")}
	}
	c.Values = values
	if len(c.Values) > 0 {
		rows = rows[:0]
		for _, v := range c.Values {
			row, err := cclValue(l, v)
			if err != nil {
				return &report.UsageError{Err: err}
			}
			rows = append(rows, row)
		}
	}
	switch g.Format {
	case report.NDJSON:
		return report.WriteNDJSON(stdio.Out, "ccl", rows)
	case report.JSON:
		return report.WriteJSON(stdio.Out, rows)
	case report.CSV:
		return entry.WriteCCLCSV(stdio.Out, rows)
	}
	return entry.WriteCCLTable(stdio.Out, rows, l)
}

// cclValue reads one value: an SGM name, a hex word, or a decimal id.
func cclValue(l decode.Layout, v string) (entry.CCLRow, error) {
	t := strings.TrimSpace(v)
	if strings.Contains(t, "_") {
		s, err := decode.ParseSGM(t)
		if err != nil {
			return entry.CCLRow{}, err
		}
		id, ok := l.ID(s)
		if !ok {
			return entry.CCLRow{}, fmt.Errorf("%s is outside layout %s", s, l)
		}
		return entry.CCLFor(l, id, decode.CCLWord(id), v), nil
	}
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "0x") || len(t) >= 5 {
		w, err := strconv.ParseUint(strings.TrimPrefix(lower, "0x"), 16, 32)
		if err != nil {
			return entry.CCLRow{}, fmt.Errorf("%q: not a hex word of up to 8 digits", v)
		}
		return entry.CCLFor(l, decode.CCLID(uint32(w)), uint32(w), v), nil
	}
	id, err := strconv.Atoi(t)
	if err != nil || id < 0 || id >= decode.MaxIDs {
		return entry.CCLRow{}, fmt.Errorf("%q: not a CCL id 0..63, a hex word or an SGM name", v)
	}
	return entry.CCLFor(l, id, decode.CCLWord(id), v), nil
}
