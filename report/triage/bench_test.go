package triage

import (
	"bytes"
	"io"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// benchRead feeds data, named name, to a new feed and the analysis add
// registers with it, then makes the report, b.N times.
func benchRead(b *testing.B, data []byte, add func(f *report.Feed) func()) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
		rep := add(f)
		if err := f.Read(parse.Source{Path: "in"}, parse.NewReader(bytes.NewReader(data), "in")); err != nil {
			b.Fatal(err)
		}
		rep()
	}
}

// BenchmarkOwnersReport is the owners audit of a 20,000-connection g_all dump.
func BenchmarkOwnersReport(b *testing.B) {
	fw, _, err := sim.Rendered(20000)
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, fw, func(f *report.Feed) func() {
		o := owners.New(f, 0, 0)
		return func() { _ = o.Report() }
	})
}

// BenchmarkStormsReport is the storm report of a 20,000-connection capture.
func BenchmarkStormsReport(b *testing.B) {
	_, kd, err := sim.Rendered(20000)
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, kd, func(f *report.Feed) func() {
		s := storms.New(f, storms.DefaultOptions())
		return func() { _ = s.Report() }
	})
}

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
		if err := WriteHTML(io.Discard, r, Page{Version: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
