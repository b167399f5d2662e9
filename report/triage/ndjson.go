package triage

import (
	"io"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteNDJSON writes the triage as NDJSON (see docs/json.md): a "summary"
// line (the JSON document less its lists and sub-reports), one "finding"
// per finding (most serious first), one "event" per timeline event (as
// timeline --format ndjson writes them), one "member" per SGM found, one
// "outside_layout" per SGM outside the layout, one "file" per inventory
// row, the owners and storms reports as one "owners" and one "storms"
// line, and the line accounting as "inputs".
func WriteNDJSON(w io.Writer, r *Report) error {
	nd := report.NewNDJSON(w)
	if err := nd.Object("summary", r, "findings", "timeline", "members", "outside_layout", "files", "owners", "storms", "inputs"); err != nil {
		return err
	}
	for _, l := range []struct {
		typ  string
		rows func(i int) any
		n    int
	}{
		{"finding", func(i int) any { return &r.Findings[i] }, len(r.Findings)},
		{"event", func(i int) any { return &r.Timeline[i] }, len(r.Timeline)},
		{"member", func(i int) any { return &r.Members[i] }, len(r.Members)},
		{"outside_layout", func(i int) any { return &r.OutsideLayout[i] }, len(r.OutsideLayout)},
		{"file", func(i int) any { return &r.Files[i] }, len(r.Files)},
	} {
		for i := range l.n {
			if err := nd.Object(l.typ, l.rows(i)); err != nil {
				return err
			}
		}
	}
	if r.Owners != nil {
		if err := nd.Object("owners", r.Owners); err != nil {
			return err
		}
	}
	if r.Storms != nil {
		if err := nd.Object("storms", r.Storms); err != nil {
			return err
		}
	}
	return nd.Object("inputs", &r.Inputs)
}
