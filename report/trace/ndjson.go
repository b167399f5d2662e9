package trace

import (
	"io"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteNDJSON writes the trace as NDJSON (see docs/json.md): a "summary"
// line (connection, owner, site states, verdict: the JSON document less
// its lists), one "holder" per SGM holding the connection, one "event" per
// timeline event, and the line accounting as "inputs".
func WriteNDJSON(w io.Writer, r *Report) error {
	nd := report.NewNDJSON(w)
	if err := nd.Object("summary", r, "holders", "events", "inputs"); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "holder", r.Holders); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "event", r.Events); err != nil {
		return err
	}
	return nd.Object("inputs", &r.Inputs)
}
