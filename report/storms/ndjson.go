package storms

import (
	"io"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteNDJSON writes the storm report as NDJSON (see docs/json.md): a
// "summary" line (the JSON document less its lists), one "point" per
// timeline bucket, one "burst" per burst, one "syncstat" per snapshot,
// one "syncstat_delta" per pair of snapshots, one "pstat" per fw ctl pstat
// Sync section, one "finding" per finding, and the line accounting as
// "inputs".
func WriteNDJSON(w io.Writer, r *Report) error {
	nd := report.NewNDJSON(w)
	if err := nd.Object("summary", r, "timeline", "bursts", "syncstat", "syncstat_deltas", "pstat", "findings", "inputs"); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "point", r.Timeline); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "burst", r.Bursts); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "syncstat", r.Syncstat); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "syncstat_delta", r.SyncstatDeltas); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "pstat", r.Pstat); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "finding", r.Findings); err != nil {
		return err
	}
	return nd.Object("inputs", &r.Inputs)
}
