package triage

import (
	"bytes"
	"io"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

func BenchmarkTriageReport(b *testing.B) {
	fw, kd, err := sim.Rendered(5000)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(fw) + len(kd)))
	b.ReportAllocs()
	for b.Loop() {
		f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
		t := New(f, 0, storms.DefaultOptions())
		for _, in := range []struct {
			name string
			data []byte
		}{{"fw", fw}, {"kd", kd}} {
			if err := f.Read(parse.Source{Path: in.name}, parse.NewReader(bytes.NewReader(in.data), in.name)); err != nil {
				b.Fatal(err)
			}
		}
		r := t.Report()
		if err := WriteHTML(io.Discard, r, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
