package owners

import (
	"bytes"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

func BenchmarkOwnersReport(b *testing.B) {
	fw, _, err := sim.Rendered(20000)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(fw)))
	b.ReportAllocs()
	for b.Loop() {
		f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
		o := New(f, 0, 0)
		if err := f.Read(parse.Source{Path: "fw"}, parse.NewReader(bytes.NewReader(fw), "fw")); err != nil {
			b.Fatal(err)
		}
		_ = o.Report()
	}
}
