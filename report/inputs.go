package report

import "github.com/maestro-analyze/maestro-analyze/parse"

// Inputs is the line accounting of every input read.
type Inputs struct {
	Lines            int64            `json:"lines"`
	Recognized       map[string]int64 `json:"recognized"`
	Ignored          map[string]int64 `json:"ignored"`
	Rejected         map[string]int64 `json:"rejected"`
	RejectedExamples []string         `json:"rejected_examples"`
}

// NewInputs summarizes line accounting.
func NewInputs(s *parse.Stats) Inputs {
	in := Inputs{Lines: s.Lines, Recognized: map[string]int64{}, Ignored: map[string]int64{}, Rejected: map[string]int64{}, RejectedExamples: []string{}}
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
	return in
}
