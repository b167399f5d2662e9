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
	for _, write := range []func() error{
		func() error { return report.NDJSONRows(nd, "finding", r.Findings) },
		func() error { return report.NDJSONRows(nd, "event", r.Timeline) },
		func() error { return report.NDJSONRows(nd, "member", r.Members) },
		func() error { return report.NDJSONRows(nd, "outside_layout", r.OutsideLayout) },
		func() error { return report.NDJSONRows(nd, "file", r.Files) },
	} {
		if err := write(); err != nil {
			return err
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
