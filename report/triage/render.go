package triage

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteTable renders the triage for people: inventory, then the
// findings, most serious first, each with its evidence.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	var sgms []string
	for _, m := range r.Members {
		sgms = append(sgms, m.SGM)
	}
	fmt.Fprintln(w, p.Bold.Sprint(p.Wrap(fmt.Sprintf("Triage: %s, %d SGMs found (%s)", filesTitle(r), len(r.Members), strings.Join(sgms, " ")), "  ")))
	if p.Base != "" {
		fmt.Fprintln(w, p.Wrap("Paths are relative to "+report.Sanitize(p.Base)+".", "  "))
	}
	if len(r.OutsideLayout) > 0 {
		var out []string
		for _, m := range r.OutsideLayout {
			out = append(out, m.SGM)
		}
		fmt.Fprintln(w, p.Wrap("Outside the layout (not counted as found; see --layout): "+strings.Join(out, " "), "  "))
	}
	fmt.Fprintln(w, p.Wrap(fmt.Sprintf("Site states: %s (%s)", siteText(r.SiteStates), p.RelAll(report.Sanitize(r.SitesSource))), "  "))
	fmt.Fprintln(w)
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, p.Wrap(fmt.Sprintf("No findings: %s checked.", r.Checked), "  "))
	}
	for _, f := range r.Findings {
		level := f.Severity // spelled as in JSON and --fail-on: high, medium, info
		sev := level
		switch f.Severity {
		case High:
			sev = p.Bad.Sprint(sev)
		case Medium:
			sev = p.Warn.Sprint(sev)
		default:
			sev = p.Dim.Sprint(sev)
		}
		who := strings.Join(f.SGMs, " ")
		if who != "" {
			who = " [" + who + "]"
		}
		// Wrapped plain, then coloured: escapes would count as width.
		head := p.Wrap(level+" "+f.Code+who, "  ")
		head = sev + " " + p.Bold.Sprint(f.Code) + strings.TrimPrefix(head, level+" "+f.Code)
		fmt.Fprintf(w, "%s\n%s\n", head, p.Wrap("  "+p.RelAll(f.Message), "  "))
		for _, e := range f.Evidence {
			if strings.HasPrefix(e, "and ") && strings.HasSuffix(e, " more") {
				fmt.Fprintf(w, "    %s\n", e)
			} else {
				// The position stays on the line of its "at", shortened in
				// the middle when it is longer than that line.
				pos, rest, _ := strings.Cut(p.RelAll(e), " ")
				if room := p.Width - len("    at ") - 3; p.Width > 0 && room >= 20 { // Wrap gives a first line the room of the next
					pos = report.Shorten(pos, room)
				}
				if rest != "" {
					pos += " " + rest
				}
				fmt.Fprintln(w, p.Wrap("    at "+pos, "       "))
			}
		}
	}
	fmt.Fprintln(w)
	var rows [][]string
	for _, m := range r.Members {
		take := "not shown"
		if m.Take != nil {
			take = strconv.Itoa(*m.Take)
		}
		rows = append(rows, []string{m.SGM, report.Sanitize(m.Hostname), report.Sanitize(m.Version), take, m.State, strconv.Itoa(m.FileCount)})
	}
	for _, m := range r.OutsideLayout {
		take := "not shown"
		if m.Take != nil {
			take = strconv.Itoa(*m.Take)
		}
		rows = append(rows, []string{m.SGM + " (outside layout)", report.Sanitize(m.Hostname), report.Sanitize(m.Version), take, m.State, strconv.Itoa(m.FileCount)})
	}
	if len(rows) > 0 {
		if err := p.Table(w, []report.Col{{Header: "SGM"}, {Header: "Host", Cut: true}, {Header: "Version"},
			{Header: "JHF take", Align: tw.AlignRight}, {Header: "State"}, {Header: "Files", Align: tw.AlignRight}}, rows); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	rows = rows[:0]
	cols := []report.Col{{Header: "File", Cut: true}, {Header: "SGM"}, {Header: "SGM from", Drop: 1}, {Header: "Recognized lines"}, {Header: "Unrecognized", Align: tw.AlignRight}}
	if r.FilesSummarized {
		fmt.Fprintf(w, "%s files: one row per folder.\n", report.Thousands(int64(r.FileCount)))
		cols = append([]report.Col{{Header: "Folder", Cut: true}, {Header: "Files", Align: tw.AlignRight}}, cols[1:]...)
	}
	for _, f := range r.Files {
		row := []string{p.Rel(report.Sanitize(f.Name)), f.SGM, p.RelAll(report.Sanitize(f.Rule)), kindsText(f.Recognized), strconv.FormatInt(f.Unrecognized, 10)}
		if r.FilesSummarized {
			row = append([]string{row[0], strconv.Itoa(f.Files)}, row[1:]...)
		}
		rows = append(rows, row)
	}
	if err := p.Table(w, cols, rows); err != nil {
		return err
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Not read:")
		for _, s := range r.Skipped {
			fmt.Fprintln(w, p.Wrap("  "+p.RelAll(report.Sanitize(s)), "    "))
		}
	}
	if r.Unrecognized.Count > 0 {
		fmt.Fprintf(w, "\n%s\n", p.Wrap(fmt.Sprintf("%s lines not recognized (other command outputs, logs); most frequent shapes: %s", report.Thousands(r.Unrecognized.Count),
			p.RelAll(strings.Join(r.Unrecognized.Examples[:min(3, len(r.Unrecognized.Examples))], "; "))), "  "))
	}
	if r.Unrecognized.Rejected.Count > 0 {
		fmt.Fprintln(w, p.Wrap(fmt.Sprintf("%s damaged lines rejected; first: %s", report.Thousands(r.Unrecognized.Rejected.Count),
			p.RelAll(strings.Join(r.Unrecognized.Rejected.Examples[:min(2, len(r.Unrecognized.Rejected.Examples))], "; "))), "  "))
	}
	return nil
}

func siteText(m map[string]report.SiteState) string {
	if len(m) == 0 {
		return "unknown"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k].State)
	}
	return strings.Join(parts, ",")
}

// kindsText renders recognized line counts by kind, biggest first.
func kindsText(m map[string]int64) string {
	type kv struct {
		k string
		n int64
	}
	var kvs []kv
	for k, n := range m {
		if k == "section" || k == "host-header" || k == "table" {
			continue
		}
		kvs = append(kvs, kv{k, n})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].n != kvs[j].n {
			return kvs[i].n > kvs[j].n
		}
		return kvs[i].k < kvs[j].k
	})
	var parts []string
	for _, x := range kvs {
		parts = append(parts, fmt.Sprintf("%s %s", x.k, report.Thousands(x.n)))
	}
	return strings.Join(parts, ", ")
}

// WriteCSV renders the findings, one row each.
func WriteCSV(w io.Writer, r *Report) error {
	rows := make([][]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		rows = append(rows, []string{f.Severity, f.Code, strings.Join(f.SGMs, " "), f.Message, strings.Join(f.Evidence, " ")})
	}
	return report.WriteCSV(w, []string{"severity", "code", "sgms", "message", "evidence"}, rows)
}
