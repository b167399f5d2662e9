package storms

import (
	"bytes"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

func BenchmarkStormsReport(b *testing.B) {
	_, kd, err := sim.Rendered(20000)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(kd)))
	b.ReportAllocs()
	for b.Loop() {
		f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
		s := New(f, DefaultOptions())
		if err := f.Read(parse.Source{Path: "kd"}, parse.NewReader(bytes.NewReader(kd), "kd")); err != nil {
			b.Fatal(err)
		}
		_ = s.Report()
	}
}
