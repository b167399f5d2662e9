package owners

import (
	"io"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// WriteNDJSON writes the audit as NDJSON (see docs/json.md): a "summary"
// line (the JSON document less its lists), then one line per at-risk
// "connection", "finding" and input "attribution", and the line
// accounting as "inputs".
func WriteNDJSON(w io.Writer, r *Report) error {
	nd := report.NewNDJSON(w)
	if err := nd.Object("summary", r, "at_risk", "findings", "attribution", "inputs"); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "connection", r.AtRisk); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "finding", r.Findings); err != nil {
		return err
	}
	if err := report.NDJSONRows(nd, "attribution", r.Attribution); err != nil {
		return err
	}
	return nd.Object("inputs", &r.Inputs)
}

// WriteRiskNDJSON writes `owners --list` as NDJSON: one "connection" line
// per at-risk connection, most urgent first.
func WriteRiskNDJSON(w io.Writer, list []RiskConn) error {
	return report.WriteNDJSON(w, "connection", list)
}
