package parse

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestPipeSameAsScan: Pipe yields the same records and rejections, in the
// same order, as a plain Scan loop, over batch boundaries.
func TestPipeSameAsScan(t *testing.T) {
	data, err := os.ReadFile("testdata/seed-entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	// > several batches, each with a rejected line and one no format recognizes
	in := strings.Repeat(string(data)+"| 0 | 1.2.3.4 | 1 |\ngarbage\n", 400)
	describe := func(rec *Record, err error) string {
		if err != nil {
			return "err " + err.Error()
		}
		w, _ := rec.Owner()
		return fmt.Sprintf("%s %s %v %d %x %v %v", rec.Pos, rec.Kind, rec.Key, len(rec.Vals), w, rec.Mask, rec.Extra)
	}
	var want []string
	r := NewReader(strings.NewReader(in), "in")
	for r.Scan() {
		want = append(want, describe(r.Record()))
	}
	var got []string
	p := NewReader(strings.NewReader(in), "in")
	if err := Pipe(p, func(rec *Record, err error) error {
		got = append(got, describe(rec, err))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) < 3*pipeBatch {
		t.Fatalf("%d records piped, %d scanned", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d: piped %q, scanned %q", i, got[i], want[i])
		}
	}
	if p.Stats().Lines != r.Stats().Lines || p.Stats().RejectedLines() != 400 || p.Stats().Ignored[ReasonUnrecognized] != 400 {
		t.Errorf("stats: piped %+v, scanned %+v", p.Stats(), r.Stats())
	}
}

// TestPipeStops: an error from fn stops reading and is returned.
func TestPipeStops(t *testing.T) {
	in := strings.Repeat("1_01:\n", 10*pipeBatch)
	stop := errors.New("stop")
	n := 0
	err := Pipe(NewReader(strings.NewReader(in), "in"), func(*Record, error) error {
		n++
		if n == 1500 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 1500 {
		t.Errorf("err %v after %d records", err, n)
	}
}
