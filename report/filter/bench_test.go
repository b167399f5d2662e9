package filter

import (
	"bytes"
	"io"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// benchFilter reads data through a KeepRaw feed into a filter of c
// printing to io.Discard, b.N times; index adds the first pass (the
// owners of the entries, for link lines).
func benchFilter(b *testing.B, data []byte, c Conditions, index bool) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	ctx := report.Context{Layout: decode.DefaultLayout}
	for b.Loop() {
		var idx *Index
		if index {
			f1 := report.NewFeed(ctx, report.FeedOptions{Prefilter: KeepEntries{}})
			idx = NewIndex(f1, c)
			if err := f1.Read(parse.Source{Path: "in"}, parse.NewReader(bytes.NewReader(data), "in")); err != nil {
				b.Fatal(err)
			}
		}
		f := report.NewFeed(ctx, report.FeedOptions{KeepRaw: true})
		x := New(f, NewMatcher(c, decode.DefaultLayout, nil), idx, io.Discard, Options{})
		if err := f.Read(parse.Source{Path: "in"}, parse.NewReader(bytes.NewReader(data), "in")); err != nil {
			b.Fatal(err)
		}
		if err := x.Close(); err != nil || x.Matched == 0 {
			b.Fatal(x.Matched, err)
		}
	}
}

// BenchmarkFilterCapture is `filter --owner 1_01` of a 20,000-connection
// capture, with and without the pass over the entries that an owner
// condition makes.
func BenchmarkFilterCapture(b *testing.B) {
	_, kd, err := sim.Rendered(20000)
	if err != nil {
		b.Fatal(err)
	}
	c := Conditions{Owners: []int{0}}
	b.Run("one-pass", func(b *testing.B) { benchFilter(b, kd, c, false) })
	b.Run("two-passes", func(b *testing.B) { benchFilter(b, kd, c, true) })
}

// BenchmarkFilterDump is `filter --owner 1_01` of a 20,000-connection
// g_all dump: both passes.
func BenchmarkFilterDump(b *testing.B) {
	fw, _, err := sim.Rendered(20000)
	if err != nil {
		b.Fatal(err)
	}
	benchFilter(b, fw, Conditions{Owners: []int{0}}, true)
}
