package report

import "github.com/maestro-analyze/maestro-analyze/parse"

// Inputs is the line accounting of every input read. A line is recognized
// (by kind), ignored (by reason; a line no format recognizes is ignored as
// "unrecognized", or "other cpinfo content" inside a cpinfo file) or
// rejected (by reason: it looks like one of the formats but is damaged).
// The lines no format recognized are also summarized by shape (see
// [parse.Stats.Shapes]).
type Inputs struct {
	Lines            int64            `json:"lines"`
	Recognized       map[string]int64 `json:"recognized"`
	Ignored          map[string]int64 `json:"ignored"`
	Rejected         map[string]int64 `json:"rejected"`
	RejectedExamples []string         `json:"rejected_examples"`
	// UnrecognizedLines is the number of lines no format recognized.
	UnrecognizedLines int64 `json:"unrecognized_lines"`
	// UnrecognizedShapes are their most frequent shapes, most lines first
	// (at most parse.MaxShapes); UnrecognizedOther counts the rest.
	UnrecognizedShapes []LineShape `json:"unrecognized_shapes"`
	UnrecognizedOther  OtherShapes `json:"unrecognized_other_shapes"`
}

// LineShape is one shape of lines no format recognized: the line with its
// numbers replaced by N, cut after a log header or at 48 bytes ("...").
type LineShape struct {
	Shape string `json:"shape"`
	Count int64  `json:"count"`
	First string `json:"first"` // position of the first line, "file:line"
}

// OtherShapes counts the lines of the shapes not listed.
type OtherShapes struct {
	Lines  int64 `json:"lines"`
	Shapes int   `json:"shapes"`
	// Sampled is true when there were too many shapes to count them all:
	// Shapes is then a lower bound, and the listed shapes are the most
	// frequent of a sample of them (their counts are exact).
	Sampled bool `json:"sampled"`
}

// NewInputs summarizes line accounting.
func NewInputs(s *parse.Stats) Inputs {
	in := Inputs{Lines: s.Lines, Recognized: map[string]int64{}, Ignored: map[string]int64{}, Rejected: map[string]int64{}, RejectedExamples: []string{},
		UnrecognizedLines: s.UnrecognizedLines(), UnrecognizedShapes: []LineShape{}}
	for _, k := range s.Kinds() {
		in.Recognized[k.String()] = s.Recognized[k]
	}
	for k, v := range s.Ignored {
		in.Ignored[k] = v
	}
	for k, v := range s.Rejected {
		in.Rejected[k] = v
	}
	for _, e := range s.Examples {
		in.RejectedExamples = append(in.RejectedExamples, e.Error())
	}
	listed := int64(0)
	for _, sh := range s.Shapes() {
		in.UnrecognizedShapes = append(in.UnrecognizedShapes, LineShape{Shape: sh.Shape, Count: sh.Count, First: sh.First.String()})
		listed += sh.Count
	}
	n, sampled := s.ShapeCount()
	in.UnrecognizedOther = OtherShapes{Lines: in.UnrecognizedLines - listed, Shapes: n - len(in.UnrecognizedShapes), Sampled: sampled}
	return in
}
