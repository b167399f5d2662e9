package owners

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteTable renders the audit for people.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	fmt.Fprintf(w, "%s\n", p.Bold.Sprintf("Owner placement: %s connections, layout %s", report.Thousands(int64(r.Connections)), r.Layout))
	fmt.Fprintf(w, "Site states: %s\n\n", report.Sanitize(r.SiteStatesSource))
	var rows [][]string
	for _, s := range r.BySite {
		rows = append(rows, []string{strconv.Itoa(s.Site), s.State, report.Thousands(int64(s.Owners)), report.Pct(s.Owners, r.Connections), report.Thousands(s.Held)})
	}
	if err := report.RenderRows(w, []string{"Site", "State", "Owners", "Share", "Entries held"}, rows,
		tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight); err != nil {
		return err
	}
	fmt.Fprintln(w)
	rows = rows[:0]
	for _, c := range r.SGMs {
		rows = append(rows, []string{c.SGM.String(), report.Thousands(int64(c.Owners)), report.Thousands(c.Held)})
	}
	rows = append(rows, []string{"unknown", report.Thousands(int64(r.OwnerUnknown)), ""})
	if err := report.RenderRows(w, []string{"SGM", "Owners", "Entries held"}, rows, tw.AlignLeft, tw.AlignRight, tw.AlignRight); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Findings"))
	report.WriteFindings(w, r.Findings)
	return nil
}

var riskHeader = []string{"src", "sport", "dst", "dport", "proto", "min_remaining", "min_sgm", "max_remaining", "max_sgm", "timeout", "owner", "expires_at"}

func riskRow(c RiskConn) []string {
	return []string{c.Src, strconv.Itoa(int(c.SPort)), c.Dst, strconv.Itoa(int(c.DPort)), decode.ProtoName(c.Proto),
		strconv.Itoa(int(c.MinRemaining)), c.MinSGM, strconv.Itoa(int(c.MaxRemaining)), c.MaxSGM, strconv.Itoa(int(c.Timeout)), c.Owner, c.ExpiresAt}
}

// WriteRiskTable lists at-risk connections, most urgent first.
func WriteRiskTable(w io.Writer, list []RiskConn) error {
	rows := make([][]string, 0, len(list))
	for _, c := range list {
		rows = append(rows, riskRow(c))
	}
	return report.RenderRows(w, []string{"Src", "SPort", "Dst", "DPort", "Proto", "Expires in (s)", "On SGM", "Refreshed, left (s)", "On SGM", "Timeout", "Owner", "Expires at"}, rows,
		tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignLeft)
}

// WriteRiskCSV lists at-risk connections as CSV.
func WriteRiskCSV(w io.Writer, list []RiskConn) error {
	rows := make([][]string, 0, len(list))
	for _, c := range list {
		rows = append(rows, riskRow(c))
	}
	return report.WriteCSV(w, riskHeader, rows)
}

// WriteCSV renders one row per SGM.
func WriteCSV(w io.Writer, r *Report) error {
	var rows [][]string
	for _, c := range r.SGMs {
		rows = append(rows, []string{c.SGM.String(), strconv.Itoa(int(c.SGM.Site)), r.SiteStates[strconv.Itoa(int(c.SGM.Site))].State,
			strconv.Itoa(c.Owners), strconv.FormatInt(c.Held, 10)})
	}
	rows = append(rows, []string{"unknown", "", "", strconv.Itoa(r.OwnerUnknown), ""})
	return report.WriteCSV(w, []string{"sgm", "site", "site_state", "owners", "held"}, rows)
}
