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

// gconnColumns are the indexes of the cells used, by header name, and the
// number of cells the header declares.
type gconnColumns struct {
	src, sport, dst, dport, proto, inst, owner int
	n                                          int
}

var defaultGconnColumns = gconnColumns{src: 1, sport: 2, dst: 3, dport: 4, proto: 5, inst: 9, owner: 11, n: 14}

const maxGconnCells = 32

// A row or header wider than the terminal that printed it (or cut by a tool
// at a fixed width) comes over two lines; nothing is lost at the break. It
// is joined back, with nothing between the pieces (cells are trimmed; a
// break inside a cell mends the cell), when:
//
//   - a row has fewer cells than the header declares (the R81 layout's 14
//     when no header was seen), and the next line's '|' add up with the
//     row's to the header's (n cells: n+1 '|'), so a complete row, which
//     has as many as the header, never continues one;
//   - a header (first cell "Segm") is followed by a line that holds a '|'
//     and does not start as a data row would (a first cell that is a
//     number), a rule ('=') or another header;
//
// and a '|' is not doubled at the break: a line that ends with '|' is not
// continued by one that starts with it (a chunk of a split file may start
// there, see boundary). A wrap over three lines or more is not joined.

// gconnLine parses a header or a data row.
func (r *Reader) gconnLine(t []byte, pos Pos) bool {
	var cells [maxGconnCells][]byte
	n := splitCells(t, &cells)
	if n > 0 && bytes.Equal(cells[0], []byte("Segm")) {
		return r.gconnHeaderLine(t)
	}
	if n == 1 {
		if produced, ok := r.asgStatCell(cells[0], pos); ok {
			return produced
		}
	}
	if n < r.cols.n {
		return r.gconnShortRow(t, n, pos)
	}
	return r.finish(r.parseGconnRow(cells[:n], pos))
}

// splitCells splits the row t (t[0] is '|') into its trimmed cells; text
// after the last '|' is dropped.
func splitCells(t []byte, cells *[maxGconnCells][]byte) int {
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
	return n
}

// gconnHeaderLine reads the header t, joined with the next line when that
// continues it.
func (r *Reader) gconnHeaderLine(t []byte) bool {
	var cells [maxGconnCells][]byte
	t, lines := r.gconnJoin(t, -1)
	n := splitCells(t, &cells)
	r.gconnHeader(cells[:n])
	r.stats.ignore("banner", lines)
	return false
}

// gconnShortRow parses the row t, which has n cells, fewer than the header
// declares, joined with the next line when that holds the rest.
func (r *Reader) gconnShortRow(t []byte, n int, pos Pos) bool {
	var cells [maxGconnCells][]byte
	t, lines := r.gconnJoin(t, r.cols.n-n)
	n = splitCells(t, &cells)
	e := r.parseGconnRow(cells[:n], pos)
	r.rec.Lines = lines
	if e != nil {
		r.rejectLine(e, lines)
		return true
	}
	return r.accept()
}

// gconnJoin joins the current line t with the next when that continues
// it: for a row, when it holds the want '|' the row lacks; for a header
// (want < 0), see isHeaderContinuation. It returns the text to parse and
// the number of lines it spans. t lies in r.cur, which is copied first:
// reading ahead reuses the line buffer.
func (r *Reader) gconnJoin(t []byte, want int) ([]byte, int) {
	off := r.col(t) - 1
	if off < 0 {
		r.join = append(r.join[:0], t...)
		r.cur, off = nil, 0
	} else {
		r.join = append(r.join[:0], r.cur...)
		r.cur = r.join // columns still map to the first line
	}
	end := off + len(t)
	t = r.join[off:end]
	line, n, tooLong, ok := r.nextLine()
	if !ok {
		return t, 1
	}
	next := trimSpace(line)
	continues := len(next) > 0 && notDoubled(t, next)
	if continues && want < 0 {
		continues = isHeaderContinuation(next)
	} else if continues {
		continues = bytes.Count(next, []byte{'|'}) == want
	}
	if tooLong || !continues || len(t)+len(next) > r.lr.max {
		r.pushBack(line, n, tooLong)
		return t, 1
	}
	r.stats.Lines++
	r.join = append(r.join[:end], next...)
	r.cur = nil // columns no longer map to one line
	return r.join[off:], 2
}

// notDoubled reports whether joining t and next keeps every '|' single.
func notDoubled(t, next []byte) bool {
	return t[len(t)-1] != '|' || next[0] != '|'
}

// isHeaderContinuation reports whether next, a non-empty trimmed line,
// continues a gconn header (the '|' at the break checked apart).
func isHeaderContinuation(next []byte) bool {
	bar := bytes.IndexByte(next, '|')
	if bar < 0 || next[0] == '=' {
		return false
	}
	first := next[:bar]
	if bar == 0 {
		first = next[1:]
		if i := bytes.IndexByte(first, '|'); i >= 0 {
			first = first[:i]
		}
	}
	first = trimSpace(first)
	if _, num := decUint(first); num || bytes.Equal(first, []byte("Segm")) {
		return false // a data row, or a new header
	}
	return true
}

func (r *Reader) gconnHeader(cells [][]byte) {
	c := gconnColumns{src: -1, sport: -1, dst: -1, dport: -1, proto: -1, inst: -1, owner: -1, n: len(cells)}
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
