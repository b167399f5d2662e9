package report

import (
	"bytes"
	"io"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// benchScenario renders a simulated scenario of n connections once.
func benchScenario(b *testing.B, n int) (fwtab, kdebug []byte) {
	b.Helper()
	cfg := sim.DefaultConfig()
	cfg.Conns = n
	s, err := sim.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var fw, kd bytes.Buffer
	if err := s.WriteFwTabAll(&fw); err != nil {
		b.Fatal(err)
	}
	if err := s.WriteKdebug(&kd); err != nil {
		b.Fatal(err)
	}
	return fw.Bytes(), kd.Bytes()
}

func BenchmarkOwnersReport(b *testing.B) {
	fw, _ := benchScenario(b, 20000)
	b.SetBytes(int64(len(fw)))
	b.ReportAllocs()
	for b.Loop() {
		o := NewOwners(Context{Layout: decode.DefaultLayout}, 0, 0)
		if err := o.Read(parse.Source{Path: "fw"}, parse.NewReader(bytes.NewReader(fw), "fw"), false); err != nil {
			b.Fatal(err)
		}
		_ = o.Report()
	}
}

func BenchmarkStormsReport(b *testing.B) {
	_, kd := benchScenario(b, 20000)
	b.SetBytes(int64(len(kd)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewStorms(DefaultStormOptions())
		if err := s.Read(parse.Source{Path: "kd"}, parse.NewReader(bytes.NewReader(kd), "kd"), false); err != nil {
			b.Fatal(err)
		}
		_ = s.Report()
	}
}

func BenchmarkTriageReport(b *testing.B) {
	fw, kd := benchScenario(b, 5000)
	b.SetBytes(int64(len(fw) + len(kd)))
	b.ReportAllocs()
	for b.Loop() {
		t := NewTriage(Context{Layout: decode.DefaultLayout}, 0, DefaultStormOptions())
		for name, data := range map[string][]byte{"fw": fw, "kd": kd} {
			if err := t.Read(parse.Source{Path: name}, parse.NewReader(bytes.NewReader(data), name), false); err != nil {
				b.Fatal(err)
			}
		}
		r := t.Report()
		if err := WriteTriageHTML(io.Discard, r, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEntries(b *testing.B) {
	fw, _ := benchScenario(b, 2000)
	b.SetBytes(int64(len(fw)))
	b.ReportAllocs()
	ctx := Context{Layout: decode.DefaultLayout}
	for b.Loop() {
		w := NewEntryWriter(io.Discard, JSON, NewPalette(false))
		r := parse.NewReader(bytes.NewReader(fw), "fw")
		for r.Scan() {
			if rec, err := r.Record(); err == nil && rec.HasKey {
				if err := w.Write(ctx.Decode(rec, rec.Pos.Line)); err != nil {
					b.Fatal(err)
				}
			}
		}
		_ = w.Close()
	}
}
