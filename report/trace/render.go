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
	fmt.Fprintln(w, p.Bold.Sprint(title))
	fmt.Fprintf(w, "  reverse %s\n  orientation: %s\n", c.Reverse, c.Orientation)
	switch o := r.Owner; {
	case o == nil:
		fmt.Fprintln(w, "Owner: unknown (no input names it)")
	case o.SGM == nil:
		fmt.Fprintf(w, "Owner: %s\n", p.Bad.Sprintf("CCL id %d: %s", o.CCLID, o.Note))
	default:
		text := fmt.Sprintf("%s (CCL id %d)", *o.SGM, o.CCLID)
		switch {
		case o.Corrected != nil && *o.Corrected:
			text = p.Good.Sprint(text)
		case o.Corrected != nil:
			text = p.Warn.Sprint(text)
		}
		fmt.Fprintf(w, "Owner: %s %s\n", text, o.Note)
		for _, cf := range o.Conflicts {
			fmt.Fprintf(w, "  conflict: %s\n", report.Sanitize(cf))
		}
	}
	fmt.Fprintf(w, "Site states: %s\n", report.Sanitize(r.SiteStatesSource))
	if r.DumpTime != "" {
		fmt.Fprintf(w, "Dump time: %s (%s)\n", r.DumpTime, r.DumpTimeSource)
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
			rows = append(rows, []string{sgmText(h.SGM), h.Kind, rem, to, report.Sanitize(h.Meaning), report.Sanitize(src)})
		}
		if err := report.RenderRows(w, []string{"SGM", "Kind", "Remaining (s)", "Timeout (s)", "Meaning", "Source"}, rows,
			tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignLeft, tw.AlignLeft); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprintf("Timeline (%d events, %d sync_mask changes)", len(r.Events), r.MaskChanges))
	fmt.Fprintf(w, "Clock: %s\n", r.Clock)
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
			rows = append(rows, []string{e.timeText(), report.Sanitize(e.Source), sgmText(e.SGM), report.Sanitize(e.Op), mask,
				bySiteText(e), act, bk, report.Sanitize(e.Note)})
		}
		if err := report.RenderRows(w, []string{"t (s)", "Source", "SGM", "Op", "sync_mask", "Mask by site", "Active set", "Backup set", "Note"}, rows,
			tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft); err != nil {
			return err
		}
		if r.MaskChanges > 0 {
			fmt.Fprintln(w, "* the owner's sync_mask changed here")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Verdict"))
	fmt.Fprintln(w, report.Sanitize(r.Verdict))
	s := r.Searched
	fmt.Fprintf(w, "\nSearched %d %s, %s lines, for %s: %s parsed, %s about this connection.\n",
		len(s.Inputs), pluralWord(len(s.Inputs), "input"), report.Thousands(s.Lines), patternText(s.Patterns), report.Thousands(s.Parsed), report.Thousands(s.Matched))
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
