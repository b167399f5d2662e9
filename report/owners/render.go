package owners

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteTable renders the audit for people.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	fmt.Fprintf(w, "%s\n", p.Bold.Sprintf("Owner placement: %s connections, layout %s", report.Thousands(int64(r.Connections)), r.Layout))
	fmt.Fprintf(w, "%s\n\n", p.Wrap("Site states: "+p.RelAll(report.Sanitize(r.SiteStatesSource)), "  "))
	var rows [][]string
	for _, s := range r.BySite {
		rows = append(rows, []string{strconv.Itoa(s.Site), s.State, report.Thousands(int64(s.Owners)), report.Pct(s.Owners, r.Connections), report.Thousands(s.Held)})
	}
	if err := p.Table(w, []report.Col{{Header: "Site", Align: tw.AlignRight}, {Header: "State"}, {Header: "Owners", Align: tw.AlignRight},
		{Header: "Share", Align: tw.AlignRight}, {Header: "Entries held", Align: tw.AlignRight}}, rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	rows = rows[:0]
	for _, c := range r.SGMs {
		rows = append(rows, []string{c.SGM.String(), report.Thousands(int64(c.Owners)), report.Thousands(c.Held)})
	}
	rows = append(rows, []string{"unknown", report.Thousands(int64(r.OwnerUnknown)), ""})
	if err := p.Table(w, []report.Col{{Header: "SGM"}, {Header: "Owners", Align: tw.AlignRight}, {Header: "Entries held", Align: tw.AlignRight}}, rows); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Findings"))
	p.WriteFindings(w, r.Findings)
	return nil
}

var riskHeader = []string{"src", "sport", "dst", "dport", "proto", "min_remaining", "min_sgm", "max_remaining", "max_sgm", "timeout", "owner", "expires_at"}

func riskRow(c RiskConn) []string {
	return []string{c.Src, strconv.Itoa(int(c.SPort)), c.Dst, strconv.Itoa(int(c.DPort)), decode.ProtoName(c.Proto),
		strconv.Itoa(int(c.MinRemaining)), c.MinSGM, strconv.Itoa(int(c.MaxRemaining)), c.MaxSGM, strconv.Itoa(int(c.Timeout)), c.Owner, c.ExpiresAt}
}

// riskCols are the columns of the at-risk list; at a narrow width the
// refreshed copy's remaining time and the timeout give way first, the
// expiry time last.
var riskCols = []report.Col{
	{Header: "Src", Whole: true}, {Header: "SPort", Align: tw.AlignRight}, {Header: "Dst", Whole: true}, {Header: "DPort", Align: tw.AlignRight}, {Header: "Proto", Drop: 3},
	{Header: "Expires in (s)", Align: tw.AlignRight}, {Header: "On SGM"}, {Header: "Refreshed, left (s)", Align: tw.AlignRight, Drop: 4},
	{Header: "On SGM", Drop: 5}, {Header: "Timeout", Align: tw.AlignRight, Drop: 6}, {Header: "Owner"}, {Header: "Expires at", Drop: 2},
}

// WriteRiskTable lists at-risk connections, most urgent first.
func WriteRiskTable(w io.Writer, list []RiskConn, p report.Palette) error {
	rows := make([][]string, 0, len(list))
	cols, zoned := riskCols, false
	for _, c := range list {
		row := riskRow(c)
		// The expiry time as the core writes dates (CSV and JSON keep
		// RFC 3339).
		if t, err := time.Parse(time.RFC3339, c.ExpiresAt); err == nil {
			row[len(row)-1] = p.Times.Cell(float64(t.Unix()), 0)
			if !zoned {
				zoned, cols = true, slices.Clone(riskCols)
				cols[len(cols)-1].Header += " " + p.Times.Zone(float64(t.Unix()))
			}
		}
		rows = append(rows, row)
	}
	return p.Table(w, cols, rows) // without --dump-time "Expires at" is empty: the first to go
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
