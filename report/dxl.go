package report

import (
	"slices"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// DXL collects `asg dxl calc` results: for a source and destination, the
// blades per chassis, primary first [seed].
type DXL struct {
	calcs []dxlCalc
}

type dxlCalc struct {
	src, dst uint32
	blades   map[int][]decode.SGM // chassis (site) -> blades, primary first
}

// Add takes a dxl or dxl-chassis record; a chassis line joins the last
// result line. It reports whether the record was used.
func (d *DXL) Add(rec *parse.Record) bool {
	switch rec.Kind {
	case parse.KindDxl:
		d.calcs = append(d.calcs, dxlCalc{src: rec.Key.Src, dst: rec.Key.Dst, blades: map[int][]decode.SGM{}})
		return true
	case parse.KindDxlChassis:
		if len(d.calcs) == 0 {
			return false
		}
		c := &d.calcs[len(d.calcs)-1]
		c.blades[rec.Chassis] = slices.Clone(rec.SGMs)
		return true
	}
	return false
}

// Len is the number of calc results held.
func (d *DXL) Len() int {
	if d == nil {
		return 0
	}
	return len(d.calcs)
}

// Primaries returns the primary blade of every chassis from the calcs that
// match t's address pair in either direction (c2s and s2c), sorted. ok is
// false when no calc matches.
func (d *DXL) Primaries(t decode.Tuple) (prim []decode.SGM, ok bool) {
	if d == nil {
		return nil, false
	}
	for _, c := range d.calcs {
		if (c.src != t.Src || c.dst != t.Dst) && (c.src != t.Dst || c.dst != t.Src) {
			continue
		}
		ok = true
		for _, bl := range c.blades {
			if len(bl) > 0 && !slices.Contains(prim, bl[0]) {
				prim = append(prim, bl[0])
			}
		}
	}
	slices.SortFunc(prim, decode.SGM.Compare)
	return prim, ok
}

// AllPrimaries returns the primaries of every calc held, sorted; for
// decoding a bare sync_mask, where no address pair is known.
func (d *DXL) AllPrimaries() []decode.SGM {
	if d == nil {
		return nil
	}
	var prim []decode.SGM
	for _, c := range d.calcs {
		for _, bl := range c.blades {
			if len(bl) > 0 && !slices.Contains(prim, bl[0]) {
				prim = append(prim, bl[0])
			}
		}
	}
	slices.SortFunc(prim, decode.SGM.Compare)
	return prim
}
