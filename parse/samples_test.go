package parse

import "testing"

// TestSamplesAccounting reads every file shipped in samples/ (archives
// included) and checks that every line is accounted for: recognized +
// ignored + rejected = lines read.
func TestSamplesAccounting(t *testing.T) {
	inputs := 0
	skipped, err := Walk([]string{"../samples"}, nil, DefaultLimits(), func(src Source, r *Reader) error {
		inputs++
		for r.Scan() {
			_, _ = r.Record()
		}
		s := r.Stats()
		if got := s.RecognizedLines() + s.IgnoredLines() + s.RejectedLines(); got != s.Lines {
			t.Errorf("%s: %d lines read, %d accounted for (%d recognized, %d ignored, %d rejected)",
				src.Name, s.Lines, got, s.RecognizedLines(), s.IgnoredLines(), s.RejectedLines())
		}
		if c := r.CPViewOf(); c != nil { // a database: samples, no lines
			if len(c.HA) == 0 || len(c.Missing) > 0 {
				t.Errorf("%s: CPView database with %d HA samples, missing %v", src.Name, len(c.HA), c.Missing)
			}
			return nil
		}
		if s.Lines == 0 {
			t.Errorf("%s: no lines", src.Name)
		}
		return r.Err()
	})
	if err != nil || len(skipped) > 0 {
		t.Fatalf("walk: %v, skipped %v", err, skipped)
	}
	if inputs < 10 {
		t.Errorf("only %d inputs under samples/", inputs)
	}
}
