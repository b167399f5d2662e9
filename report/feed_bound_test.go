package report

import (
	"fmt"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// TestFeedMaxInputs: the table of inputs stops growing at MaxInputs; the
// inputs beyond are read all the same, as its last input.
func TestFeedMaxInputs(t *testing.T) {
	f := NewFeed(Context{Layout: decode.DefaultLayout}, FeedOptions{MaxInputs: 10})
	for i := range 25 {
		if err := f.ReadString(fmt.Sprintf("m%d", i), "1_01:\nx\n"); err != nil {
			t.Fatal(err)
		}
	}
	ins := f.Inputs()
	if len(ins) != 11 || f.Merged() != 15 || f.Stats().Lines != 50 || ins[10].Stats.Lines != 30 {
		t.Fatalf("%d inputs, %d merged, %d lines, last %d", len(ins), f.Merged(), f.Stats().Lines, ins[10].Stats.Lines)
	}
	if e := f.Evidence(); e.Inputs != 25 {
		t.Errorf("evidence counts %d inputs", e.Inputs)
	}
	if ins[10].Name != "(inputs beyond the first 10, from m10)" || ins[10].Stats.UnrecognizedLines() != 15 {
		t.Errorf("last input %q, %d unrecognized", ins[10].Name, ins[10].Stats.UnrecognizedLines())
	}
}
