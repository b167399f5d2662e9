package parse

import (
	"errors"
	"maps"
	"slices"
)

// MaxExamples is how many rejected lines a [Stats] keeps as examples.
const MaxExamples = 5

// Stats accounts for every line a Reader read: each line is recognized
// (by kind), ignored (by reason: blank, banner, prompt) or rejected (by
// reason). Lines = sum(Recognized) + sum(Ignored) + sum(Rejected).
type Stats struct {
	Lines      int64
	Recognized [numKinds]int64
	Ignored    map[string]int64
	Rejected   map[string]int64
	Examples   []*SyntaxError // the first MaxExamples rejected lines
}

func (s *Stats) ignore(reason string, n int) {
	if s.Ignored == nil {
		s.Ignored = make(map[string]int64)
	}
	s.Ignored[reason] += int64(n)
}

func (s *Stats) reject(e *SyntaxError, n int) {
	if s.Rejected == nil {
		s.Rejected = make(map[string]int64)
	}
	reason := ErrUnrecognized.Error()
	if e.Err != nil {
		reason = e.Err.Error()
	}
	s.Rejected[reason] += int64(n)
	if len(s.Examples) < MaxExamples && !e.Quiet {
		s.Examples = append(s.Examples, e)
	}
}

// RecognizedLines is the number of lines that gave records.
func (s *Stats) RecognizedLines() int64 { return sum(s.Recognized[:]) }

// IgnoredLines is the number of blank and banner lines.
func (s *Stats) IgnoredLines() int64 { return sum(slices.Collect(maps.Values(s.Ignored))) }

// RejectedLines is the number of rejected lines.
func (s *Stats) RejectedLines() int64 { return sum(slices.Collect(maps.Values(s.Rejected))) }

// Add folds o into s (for several inputs).
func (s *Stats) Add(o *Stats) {
	s.Lines += o.Lines
	for i, n := range o.Recognized {
		s.Recognized[i] += n
	}
	for k, n := range o.Ignored {
		s.ignore(k, int(n))
	}
	for k, n := range o.Rejected {
		if s.Rejected == nil {
			s.Rejected = make(map[string]int64)
		}
		s.Rejected[k] += n
	}
	for _, e := range o.Examples {
		if len(s.Examples) < MaxExamples {
			s.Examples = append(s.Examples, e)
		}
	}
}

// Kinds lists the kinds with recognized lines, in kind order.
func (s *Stats) Kinds() []Kind {
	var ks []Kind
	for k, n := range s.Recognized {
		if n > 0 {
			ks = append(ks, Kind(k))
		}
	}
	return ks
}

// IsRejected reports whether err is a rejected-line error.
func IsRejected(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se)
}

func sum(xs []int64) int64 {
	var t int64
	for _, x := range xs {
		t += x
	}
	return t
}

// IsQuiet reports whether err is a rejected-line error that repeats a
// reason already reported for its input.
func IsQuiet(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) && se.Quiet
}
