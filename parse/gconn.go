package parse

import (
	"bytes"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Format: `fw ctl multik gconn` [seed][public]: a pipe table after a
// `Default:` label, framed by '=' lines:
//
//	| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|Inst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|
//	| 0 | 192.168.3.52 | 18192 | 192.168.3.240 | 46082 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 0 | 0 | UNDEF |
//
// Cells are split on '|' and trimmed (widths vary). `clstr mem ID` is the
// owner id in the layout (0 = 1_01, 15 = 2_02) [seed]. No IPv6, no VSX
// [public]. A header line, when present, fixes the column order.

// gconnColumns are the indexes of the cells used, by header name.
type gconnColumns struct {
	src, sport, dst, dport, proto, inst, owner int
}

var defaultGconnColumns = gconnColumns{src: 1, sport: 2, dst: 3, dport: 4, proto: 5, inst: 9, owner: 11}

const maxGconnCells = 32

// gconnLine parses a header or a data row.
func (r *Reader) gconnLine(t []byte, pos Pos) bool {
	var cells [maxGconnCells][]byte
	n := 0
	s := t[1:]
	for n < maxGconnCells {
		i := bytes.IndexByte(s, '|')
		if i < 0 {
			break
		}
		cells[n] = trimSpace(s[:i])
		n++
		s = s[i+1:]
	}
	if n > 0 && bytes.Equal(cells[0], []byte("Segm")) {
		r.gconnHeader(cells[:n])
		return r.ignore("banner")
	}
	if n == 1 {
		if produced, ok := r.asgStatCell(cells[0], pos); ok {
			return produced
		}
	}
	return r.finish(r.parseGconnRow(cells[:n], pos))
}

func (r *Reader) gconnHeader(cells [][]byte) {
	c := gconnColumns{src: -1, sport: -1, dst: -1, dport: -1, proto: -1, inst: -1, owner: -1}
	for i, h := range cells {
		switch string(h) {
		case "Src IP":
			c.src = i
		case "S.port":
			c.sport = i
		case "Dst IP":
			c.dst = i
		case "D.port":
			c.dport = i
		case "Proto":
			c.proto = i
		case "Inst":
			c.inst = i
		case "clstr mem ID":
			c.owner = i
		}
	}
	if c.src >= 0 && c.sport >= 0 && c.dst >= 0 && c.dport >= 0 && c.proto >= 0 {
		r.cols = c
	}
}

func (r *Reader) parseGconnRow(cells [][]byte, pos Pos) *SyntaxError {
	rec := &r.rec
	rec.reset(KindGconn, pos)
	c := r.cols
	need := max(c.src, c.sport, c.dst, c.dport, c.proto, c.owner) + 1
	if len(cells) < need {
		return synErr(pos, ErrCount, "gconn row has %d cells, expected at least %d", len(cells), need)
	}
	src, ok1 := ipv4(cells[c.src])
	dst, ok2 := ipv4(cells[c.dst])
	if !ok1 || !ok2 {
		return synErr(pos, ErrField, "gconn row: %q or %q is not an IPv4 address", clip(cells[c.src]), clip(cells[c.dst]))
	}
	sport, ok1 := decUint(cells[c.sport])
	dport, ok2 := decUint(cells[c.dport])
	proto, ok3 := decUint(cells[c.proto])
	if !ok1 || !ok2 || !ok3 {
		return synErr(pos, ErrField, "gconn row: ports and protocol must be decimal numbers")
	}
	if e := r.setKey(&rec.Key, 0, src, sport, dst, dport, proto, pos); e != nil {
		return e
	}
	rec.HasKey = true
	if c.owner >= 0 {
		id, ok := decUint(cells[c.owner])
		if !ok || id >= decode.MaxIDs {
			return synErr(pos, ErrField, "gconn row: clstr mem ID %q is not an id 0..63", clip(cells[c.owner]))
		}
		rec.OwnerID = int(id)
	}
	if c.inst >= 0 && c.inst < len(cells) {
		if n, ok := decUint(cells[c.inst]); ok {
			rec.Instance = int(n)
		}
	}
	return nil
}
