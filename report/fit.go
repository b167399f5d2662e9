package report

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
)

// Col is one column of a table laid out to a width by [Palette.Table].
type Col struct {
	Header string
	Align  tw.Align
	// Drop ranks the column among those given up when the table cannot
	// fit the width even with every column at its narrowest: the highest
	// goes first; 0 is never dropped. The most useful columns are 0.
	Drop int
	// Cut shortens a cell wider than its column in the middle
	// ("…/1_01/cpinfo.info:138") instead of wrapping it at spaces: for
	// paths and positions, whose two ends are what a reader needs. Cut
	// columns get room before the wrapped ones.
	Cut bool
	// Whole keeps the column as wide as its widest cell: for values that
	// mean nothing in part (addresses). A table that cannot fit drops
	// columns rather than cut them.
	Whole bool
}

// minCol is the narrowest a column that needs room is made: narrower
// columns hold too little of a path or a sentence to read.
const minCol = 8

// tableOverhead is the width the ASCII borders and padding add to the
// cells of an n-column table: "| " + " | " x (n-1) + " |".
func tableOverhead(n int) int { return 3*n + 1 }

// Table renders rows under cols. With p.Width 0 every column has its full
// width; otherwise the table is laid out to fit p.Width columns: narrow
// columns (numbers, SGMs) keep their width, wide ones share what is left,
// their cells wrapped at spaces by tablewriter (tw.WrapNormal) or, for
// Cut columns and words longer than the column, shortened in the middle.
// Columns with a Drop rank are left out, highest first, only when the
// rest cannot fit otherwise; a line under the table names them.
func (p Palette) Table(w io.Writer, cols []Col, rows [][]string) error {
	if p.Width <= 0 {
		header := make([]string, len(cols))
		align := make([]tw.Align, len(cols))
		for i, c := range cols {
			header[i], align[i] = c.Header, c.Align
		}
		return RenderRows(w, header, rows, align...)
	}
	keep, widths, empty := fitColumns(cols, rows, p.Width)
	all := make([]string, len(cols))
	var header []string
	var align []tw.Align
	perCol := tw.NewMapper[int, int]()
	var dropped []string
	for i, c := range cols {
		all[i] = c.Header
		if !keep[i] {
			if !empty[i] {
				dropped = append(dropped, c.Header)
			}
			continue
		}
		perCol.Set(len(header), widths[i]+2) // tablewriter's widths include the padding
		header = append(header, c.Header)
		align = append(align, c.Align)
	}
	t := NewTable(w, align...)
	t.Options(tablewriter.WithRowAutoWrap(tw.WrapNormal), tablewriter.WithHeaderAutoWrap(tw.WrapNormal), tablewriter.WithColumnWidths(perCol))
	t.Header(fitCells(all, cols, keep, widths))
	for _, r := range rows {
		if err := t.Append(fitCells(r, cols, keep, widths)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if len(dropped) > 0 {
		_, err := io.WriteString(w, p.Wrap("Not shown at this width: "+strings.Join(dropped, "; ")+" (--width or --format json show them).", "")+"\n")
		return err
	}
	return nil
}

// fitCells returns the kept cells of row, each made to fit its column.
func fitCells(row []string, cols []Col, keep []bool, widths []int) []string {
	out := make([]string, 0, len(cols))
	for i := range cols {
		if !keep[i] {
			continue
		}
		cell := ""
		if i < len(row) {
			cell = row[i]
		}
		out = append(out, fitCell(cell, widths[i], cols[i].Cut))
	}
	return out
}

// fitCell shortens what could not be wrapped to width: the whole cell of a
// Cut column, or any word longer than width (tablewriter would widen the
// column for it).
func fitCell(s string, width int, cut bool) string {
	if twwidth.Width(s) <= width || strings.Contains(s, "\x1b") {
		return s // fits, or is coloured: cutting could split an escape
	}
	if cut {
		return Shorten(s, width)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		words := strings.Fields(l)
		for j, wd := range words {
			if twwidth.Width(wd) > width {
				words[j] = Shorten(wd, width)
			}
		}
		lines[i] = strings.Join(words, " ")
	}
	return strings.Join(lines, "\n")
}

// fitColumns chooses the columns kept and their content widths so that the
// table fits width: every column gets what it needs up to a fair share of
// the room (max-min fairness), never less than its narrowest. Columns
// with nothing in them (empty) are the first to go.
func fitColumns(cols []Col, rows [][]string, width int) (keep []bool, widths []int, empty []bool) {
	n := len(cols)
	empty = make([]bool, n)
	need := make([]int, n)  // the widest cell or header
	soft := make([]int, n)  // the widest cell, or header word: the header may wrap
	least := make([]int, n) // the narrowest the column can be
	for i, c := range cols {
		hw, cw := 0, 0 // the longest header word, the widest cell
		for _, wd := range strings.Fields(c.Header) {
			hw = max(hw, twwidth.Width(wd))
		}
		for _, r := range rows {
			if i < len(r) {
				for _, l := range strings.Split(r[i], "\n") {
					cw = max(cw, twwidth.Width(l))
				}
			}
		}
		empty[i] = cw == 0
		need[i] = max(twwidth.Width(c.Header), cw)
		soft[i] = max(hw, cw)
		least[i] = max(hw, min(minCol, cw))
		if c.Whole {
			least[i] = need[i]
		}
	}
	keep = make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	sum := func(v []int) (s, k int) {
		for i := range v {
			if keep[i] {
				s += v[i]
				k++
			}
		}
		return s, k
	}
	nextDrop := func() int {
		drop := -1
		for i := range cols {
			if keep[i] && empty[i] {
				return i // a column with nothing in it goes first
			}
		}
		for i, c := range cols {
			if keep[i] && c.Drop > 0 && (drop < 0 || c.Drop > cols[drop].Drop) {
				drop = i
			}
		}
		return drop
	}
	for {
		s, k := sum(least)
		if s+tableOverhead(k) <= width {
			break
		}
		drop := nextDrop()
		if drop < 0 {
			break // cannot fit: the table is as narrow as it gets
		}
		keep[drop] = false
	}
	// A column that can be dropped also gives way to a path that would
	// otherwise be cut.
	for {
		widths = share(cols, keep, soft, least, width)
		widths = share(cols, keep, need, widths, width)
		short := false
		for i, c := range cols {
			short = short || (keep[i] && c.Cut && widths[i] < need[i])
		}
		drop := nextDrop()
		if !short || drop < 0 {
			return keep, widths, empty
		}
		keep[drop] = false
	}
}

// share gives the kept columns their least width and shares the room
// left among those that want more, up to need: the Cut columns first, up to 3/5 of it
// between them, since what they lose is lost; then the wrapped ones, the
// least wanting first, each up to an even share of what is left.
func share(cols []Col, keep []bool, need, least []int, width int) []int {
	widths := slices.Clone(least)
	room, k := width, 0
	for i := range cols {
		if keep[i] {
			room -= least[i]
			k++
		}
	}
	room -= tableOverhead(k)
	var cut, wrap []int
	for i, c := range cols {
		if keep[i] && need[i] > widths[i] {
			if c.Cut {
				cut = append(cut, i)
			} else {
				wrap = append(wrap, i)
			}
		}
	}
	byWant := func(a, b int) int { return (need[a] - least[a]) - (need[b] - least[b]) }
	slices.SortStableFunc(cut, byWant)
	slices.SortStableFunc(wrap, byWant)
	give := func(idx []int, room int) int {
		for j, i := range idx {
			if room <= 0 {
				break
			}
			g := min(need[i]-widths[i], room/(len(idx)-j))
			widths[i] += g
			room -= g
		}
		return room
	}
	cutRoom := max(0, room)
	if len(wrap) > 0 {
		cutRoom = cutRoom * 3 / 5
	}
	room -= cutRoom - give(cut, cutRoom)
	give(wrap, room)
	return widths
}

// Shorten cuts s to width display columns by taking out its middle and
// putting "…" in its place. It keeps the end, where a path has the file
// and the line, from a path separator when one is in reach
// ("…/1_01/cpinfo.info:138"), and as much of the start as fits beside it.
func Shorten(s string, width int) string {
	if twwidth.Width(s) <= width {
		return s
	}
	if width < 1 {
		return ""
	}
	tail := cutFrom(s, width-1, true)
	if i := strings.IndexAny(tail, "/!"); i > 0 && i <= len(tail)/2 {
		tail = tail[i:]
	}
	// A head only when it has room to say something: a few characters
	// of a prefix read as noise.
	head := ""
	if room := width - 1 - twwidth.Width(tail); room >= 6 {
		head = cutFrom(s, room, false)
		if i := strings.LastIndexAny(head, "/!"); i > 0 {
			head = head[:i+1]
		}
	}
	return head + "…" + tail
}

// cutFrom returns the longest end (fromEnd) or start of s that is at most
// width display columns wide.
func cutFrom(s string, width int, fromEnd bool) string {
	w, i, j := 0, 0, len(s)
	for i < j {
		var r rune
		var n int
		if fromEnd {
			r, n = utf8.DecodeLastRuneInString(s[i:j])
		} else {
			r, n = utf8.DecodeRuneInString(s[i:j])
		}
		rw := twwidth.Width(string(r))
		if w+rw > width {
			break
		}
		w += rw
		if fromEnd {
			j -= n
		} else {
			i += n
		}
	}
	if fromEnd {
		return s[j:]
	}
	return s[:i]
}

// Wrap wraps text to the palette's width at spaces, each line after the
// first starting with indent (the first line's own indent is the
// caller's, inside text). With no width it returns text as it is. Words
// longer than a line are shortened in the middle.
func (p Palette) Wrap(text, indent string) string {
	if p.Width <= 0 || twwidth.Width(text) <= p.Width {
		return text
	}
	lead := text[:len(text)-len(strings.TrimLeft(text, " "))]
	lim := p.Width - twwidth.Width(lead)
	if w := p.Width - twwidth.Width(indent); w < lim {
		lim = w
	}
	if lim < minCol {
		return text
	}
	words := strings.Fields(text)
	for i, wd := range words {
		if twwidth.Width(wd) > lim {
			words[i] = Shorten(wd, lim)
		}
	}
	lines, _ := twwarp.WrapString(strings.Join(words, " "), lim)
	return lead + strings.Join(lines, "\n"+indent)
}

// Rel shows a path or position relative to the one argument the user
// gave (p.Base): "samples/bundle/bundle.tgz!bundle/1_01/cpinfo.info:138"
// becomes "bundle/1_01/cpinfo.info:138", "samples/switchover/kdebug.txt:9"
// given samples/switchover (or samples/switchover/kdebug.txt) becomes
// "kdebug.txt:9". Anything else is returned as it is; so is everything
// when the user gave several arguments (p.Base is then empty), since the
// same member name could then come from two of them.
func (p Palette) Rel(s string) string {
	b := p.Base
	if b == "" || b == "-" {
		return s
	}
	for _, pre := range []string{b + "!", b + "/"} {
		if rest, ok := strings.CutPrefix(s, pre); ok && rest != "" {
			return rest
		}
	}
	if d := filepath.Dir(b); d != "." && d != "/" {
		if rest, ok := strings.CutPrefix(s, d+"/"); ok && rest != "" {
			return rest
		}
	}
	return s
}

// RelAll applies [Palette.Rel] to every space-separated word of s that is
// a path under the base, so a sentence that cites positions reads short.
func (p Palette) RelAll(s string) string {
	if p.Base == "" || !strings.Contains(s, p.Base) && !strings.Contains(s, filepath.Dir(p.Base)) {
		return s
	}
	words := strings.Split(s, " ")
	for i, wd := range words {
		open := strings.TrimLeft(wd, "(")
		words[i] = wd[:len(wd)-len(open)] + p.Rel(open)
	}
	return strings.Join(words, " ")
}
