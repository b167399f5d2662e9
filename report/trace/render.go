package trace

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/report"
)

func (e *Event) timeText() string {
	if e.T == nil {
		return "-"
	}
	return strconv.FormatFloat(*e.T, 'f', e.decimals, 64)
}

// timeCell is the event's time in the table: the core's rule
// ([report.Times]), dates to the millisecond for an epoch-stamped capture.
func (e *Event) timeCell(z report.Times) string {
	if e.T == nil {
		return "-"
	}
	if report.IsEpoch(*e.T) {
		return z.Cell(*e.T, 3)
	}
	return e.timeText()
}

func sgmText(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func setsText(e *Event) (string, string) {
	if e.Sets == nil {
		return "", ""
	}
	return strings.Join(e.Sets.Active, " "), strings.Join(e.Sets.Backup, " ")
}

func bySiteText(e *Event) string {
	var parts []string
	for _, s := range e.BySite {
		p := fmt.Sprintf("site %d", s.Site)
		if s.State != "" {
			p += " " + s.State
		}
		parts = append(parts, p+": "+strings.Join(s.SGMs, " "))
	}
	return strings.Join(parts, "; ")
}

// WriteTable renders the trace for people.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	c := r.Connection
	title := "Connection " + c.Forward
	if c.Service != "" {
		title += "  " + c.Service
	}
	fmt.Fprintln(w, p.Bold.Sprint(p.Wrap(title, "  ")))
	fmt.Fprintf(w, "%s\n%s\n", p.Wrap("  reverse "+c.Reverse, "    "), p.Wrap("  orientation: "+c.Orientation, "    "))
	switch o := r.Owner; {
	case o == nil:
		fmt.Fprintln(w, "Owner: unknown (no input names it)")
	case o.SGM == nil:
		fmt.Fprintf(w, "Owner: %s\n", p.Bad.Sprint(p.Wrap(fmt.Sprintf("CCL id %d: %s", o.CCLID, o.Note), "  ")))
	default:
		text := fmt.Sprintf("%s (CCL id %d)", *o.SGM, o.CCLID)
		switch {
		case o.Corrected != nil && *o.Corrected:
			text = p.Good.Sprint(text)
		case o.Corrected != nil:
			text = p.Warn.Sprint(text)
		}
		// Wrapped plain, then coloured: escapes would count as width.
		plain := fmt.Sprintf("%s (CCL id %d)", *o.SGM, o.CCLID)
		wrapped := p.Wrap("Owner: "+plain+" "+o.Note, "  ")
		fmt.Fprintln(w, strings.Replace(wrapped, plain, text, 1))
		for _, cf := range o.Conflicts {
			fmt.Fprintln(w, p.Wrap("  conflict: "+p.RelAll(report.Sanitize(cf)), "    "))
		}
	}
	fmt.Fprintln(w, p.Wrap("Site states: "+p.RelAll(report.Sanitize(r.SiteStatesSource)), "  "))
	if r.DumpTime != "" {
		fmt.Fprintln(w, p.Wrap(fmt.Sprintf("Dump time: %s (%s)", r.DumpTime, r.DumpTimeSource), "  "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprintf("Holders (%d)", len(r.Holders)))
	if len(r.Holders) > 0 {
		var rows [][]string
		for _, h := range r.Holders {
			rem, to := "", ""
			if h.Remaining != nil {
				rem, to = strconv.Itoa(int(*h.Remaining)), strconv.Itoa(int(*h.Timeout))
			}
			src := ""
			if len(h.Sources) > 0 {
				src = h.Sources[0]
				if len(h.Sources) > 1 {
					src += fmt.Sprintf(" (+%d)", len(h.Sources)-1)
				}
			}
			rows = append(rows, []string{sgmText(h.SGM), h.Kind, rem, to, report.Sanitize(h.Meaning), p.RelAll(report.Sanitize(src))})
		}
		if err := p.Table(w, []report.Col{{Header: "SGM"}, {Header: "Kind"}, {Header: "Remaining (s)", Align: tw.AlignRight},
			{Header: "Timeout (s)", Align: tw.AlignRight, Drop: 1}, {Header: "Meaning"}, {Header: "Source", Cut: true}}, rows); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprintf("Timeline (%d events, %d sync_mask changes)", len(r.Events), r.MaskChanges))
	fmt.Fprintln(w, p.Wrap("Clock: "+r.Clock, "  "))
	if len(r.Events) > 0 {
		var rows [][]string
		for i := range r.Events {
			e := &r.Events[i]
			mask := ""
			if e.SyncMask != nil {
				mask = *e.SyncMask
				if e.MaskChange {
					mask = p.Warn.Sprint(mask + " *")
				}
			}
			act, bk := setsText(e)
			rows = append(rows, []string{e.timeCell(p.Times), p.Rel(report.Sanitize(e.Source)), sgmText(e.SGM), report.Sanitize(e.Op), mask,
				bySiteText(e), act, bk, report.Sanitize(e.Note)})
		}
		tc := report.Col{Header: "t (s)", Align: tw.AlignRight}
		for i := range r.Events {
			if t := r.Events[i].T; t != nil {
				if report.IsEpoch(*t) {
					tc = report.Col{Header: p.Times.Header(*t, ""), Whole: true}
				}
				break
			}
		}
		// At a narrow width the mask's split by site gives way first (the
		// sync_mask and the note stay), then the sets, then the source
		// line (JSON and CSV keep it).
		if err := p.Table(w, []report.Col{tc, {Header: "Source", Cut: true, Drop: 1}, {Header: "SGM"}, {Header: "Op", Whole: true}, {Header: "sync_mask", Whole: true},
			{Header: "Mask by site", Drop: 4}, {Header: "Active set", Drop: 2}, {Header: "Backup set", Drop: 3}, {Header: "Note"}}, rows); err != nil {
			return err
		}
		if r.MaskChanges > 0 {
			fmt.Fprintln(w, "* the owner's sync_mask changed here")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Verdict"))
	fmt.Fprintln(w, p.Wrap(p.RelAll(report.Sanitize(r.Verdict)), ""))
	s := r.Searched
	fmt.Fprintf(w, "\n%s\n", p.Wrap(fmt.Sprintf("Searched %d %s, %s lines, for %s: %s parsed, %s about this connection.",
		len(s.Inputs), pluralWord(len(s.Inputs), "input"), report.Thousands(s.Lines), patternText(s.Patterns), report.Thousands(s.Parsed), report.Thousands(s.Matched)), "  "))
	return nil
}

// traceCSVHeader are the columns of `trace --format csv`: the events.
var traceCSVHeader = []string{"t", "source", "sgm", "kind", "op", "direction", "sync_mask", "sgms", "by_site", "site_states", "active_set", "backup_set", "mask_change", "note"}

// WriteCSV renders the events, one row each.
func WriteCSV(w io.Writer, r *Report) error {
	rows := make([][]string, 0, len(r.Events))
	for i := range r.Events {
		e := &r.Events[i]
		t := ""
		if e.T != nil {
			t = e.timeText()
		}
		sgm, mask := "", ""
		if e.SGM != nil {
			sgm = *e.SGM
		}
		if e.SyncMask != nil {
			mask = *e.SyncMask
		}
		act, bk := setsText(e)
		rows = append(rows, []string{t, e.Source, sgm, e.Kind, e.Op, e.Direction, mask, strings.Join(e.SGMs, " "), bySiteText(e),
			e.StatesText, act, bk, strconv.FormatBool(e.MaskChange), e.Note})
	}
	return report.WriteCSV(w, traceCSVHeader, rows)
}
