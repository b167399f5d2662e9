package entry

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// CCLRow is one row of the CCL table: an id, the SGM it names (empty
// outside the layout), and the value word 13 that carries it.
type CCLRow struct {
	ID     int     `json:"ccl_id"`
	SGM    *string `json:"sgm"`
	Word   string  `json:"word"`
	Binary string  `json:"binary"`
	Input  string  `json:"input,omitempty"`
}

// CCLTable is the seed article's table of CCL ids for layout l: one row per
// SGM, word with bit 25 set as the seed shows it.
func CCLTable(l decode.Layout) []CCLRow {
	rows := make([]CCLRow, 0, l.Size())
	for id := range l.Size() {
		rows = append(rows, CCLFor(l, id, decode.CCLWord(id), ""))
	}
	return rows
}

// CCLFor describes one id as found in word (the word as given, or the
// seed-style word when the input was an id or an SGM name).
func CCLFor(l decode.Layout, id int, word uint32, input string) CCLRow {
	r := CCLRow{ID: id, Word: strings.ToUpper(strconv.FormatUint(uint64(word), 16)), Binary: cclBinary(word), Input: input}
	if s, ok := l.SGM(id); ok {
		name := s.String()
		r.SGM = &name
	}
	return r
}

// cclBinary renders the word as the seed does: 15 high bits, the 6-bit
// CCL_ID, 11 low bits ("000000100000000 000001 00000000000").
func cclBinary(w uint32) string {
	b := fmt.Sprintf("%032b", w)
	return b[:15] + " " + b[15:21] + " " + b[21:]
}

// WriteCCLTable renders CCL rows; outside-layout ids say so.
func WriteCCLTable(w io.Writer, rows []CCLRow, l decode.Layout) error {
	withInput := len(rows) > 0 && rows[0].Input != ""
	header := []string{"SGM", "CCL id", "Bits (15 | CCL_ID 6 | 11)", "Word"}
	align := []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight}
	if withInput {
		header = append([]string{"Input"}, header...)
		align = append([]tw.Align{tw.AlignLeft}, align...)
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		sgm := fmt.Sprintf("outside layout %s", l)
		if r.SGM != nil {
			sgm = *r.SGM
		}
		row := []string{sgm, strconv.Itoa(r.ID), r.Binary, r.Word}
		if withInput {
			row = append([]string{report.Sanitize(r.Input)}, row...)
		}
		out = append(out, row)
	}
	return report.RenderRows(w, header, out, align...)
}

// WriteCCLCSV renders CCL rows as CSV.
func WriteCCLCSV(w io.Writer, rows []CCLRow) error {
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		sgm := ""
		if r.SGM != nil {
			sgm = *r.SGM
		}
		out = append(out, []string{r.Input, strconv.Itoa(r.ID), sgm, r.Word, r.Binary})
	}
	return report.WriteCSV(w, []string{"input", "ccl_id", "sgm", "word", "binary"}, out)
}

// WriteMaskTable renders a decoded mask.
func WriteMaskTable(w io.Writer, m *report.MaskJSON) error {
	e := Entry{SyncMask: m}
	return report.RenderRows(w, []string{"Field", "Value"}, entryRows(e, report.NewPalette(false)), tw.AlignLeft, tw.AlignLeft)
}

// WriteMaskCSV renders a decoded mask as one CSV row per site group.
func WriteMaskCSV(w io.Writer, m *report.MaskJSON) error {
	var rows [][]string
	for _, s := range m.BySite {
		rows = append(rows, []string{m.Value, strconv.Itoa(s.Site), s.State, strings.Join(s.SGMs, " ")})
	}
	return report.WriteCSV(w, []string{"sync_mask", "site", "state", "sgms"}, rows)
}
