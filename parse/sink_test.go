package parse

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// The differential tests of ScanSink: the fw tab lines its sink takes as
// fields must be those, with those values, that the full parser's Records
// hold, and the rest of the read the same.

// fwTabLine is what a fw tab record or the sink's fields say of a line:
// the fields FwTabFields carries; "" for a record of another kind.
func fwTabLine(rec *Record, skip int) string {
	switch rec.Kind {
	case KindFwTab:
		w, ok := rec.Word(skip)
		return fmt.Sprintf("entry %d key=%v dir=%d %v expiry=%v %+v word%d=%x %v\n", rec.Pos.Line, rec.HasKey, rec.Key.Dir, rec.Key, rec.HasExpiry, rec.Expiry, skip, w, ok)
	case KindFwTabLink:
		return fmt.Sprintf("link %d key=%v target=dir=%d %v\n", rec.Pos.Line, rec.HasKey, rec.Link.Dir, rec.Link)
	}
	return ""
}

// printSink writes the fields it takes as fwTabLine writes a Record.
type printSink struct {
	sb   *strings.Builder
	skip int
}

func (p printSink) TakeFwTab(f *FwTabFields) {
	if f.Link {
		fmt.Fprintf(p.sb, "link %d key=true target=dir=%d %v\n", f.Line, f.Key.Dir, f.Key)
		return
	}
	if f.WordIndex != p.skip {
		fmt.Fprintf(p.sb, "word index %d, want %d\n", f.WordIndex, p.skip)
	}
	fmt.Fprintf(p.sb, "entry %d key=true dir=%d %v expiry=true %+v word%d=%x true\n", f.Line, f.Key.Dir, f.Key, f.Expiry, p.skip, f.Word)
}

// sinkTranscript reads r to the end, with ScanSink and a printSink when
// sink is set, else with Scan, and writes each record (fw tab records as
// fwTabLine), each rejection and the accounting.
func sinkTranscript(sb *strings.Builder, r *Reader, sink bool, skip int) {
	var s FwTabSink
	if sink {
		s = printSink{sb, skip}
	}
	for r.ScanSink(s) {
		rec, err := r.Record()
		if err != nil {
			writeErr(sb, err)
			continue
		}
		if l := fwTabLine(rec, skip); l != "" {
			sb.WriteString(l)
			continue
		}
		c := *rec
		c.shape = KindNone
		fmt.Fprintf(sb, "%+v\n", c)
	}
	st := r.Stats()
	fmt.Fprintf(sb, "stats lines=%d recognized=%v ignored=%v rejected=%v\n", st.Lines, st.Recognized, st.Ignored, st.Rejected)
}

// sinkCase is how a differential read is made.
type sinkCase struct {
	max     int  // SetMaxLineLen, 0 for the default
	oneByte bool // reads of one byte
}

// sinkDiff reads data with the fast paths and a sink, and with the full
// parser, and returns the first difference, or "".
func sinkDiff(tb testing.TB, data []byte, valWords, skip int, c sinkCase) string {
	tb.Helper()
	read := func(fast bool) string {
		var sb strings.Builder
		var in io.Reader = bytes.NewReader(data)
		if c.oneByte {
			in = iotest.OneByteReader(in)
		}
		r := NewReader(in, "in.txt")
		r.SetFastPaths(fast)
		r.SetValueWords(valWords)
		r.SetSkipWords(skip)
		if c.max > 0 {
			r.SetMaxLineLen(c.max)
		}
		sinkTranscript(&sb, r, fast, skip)
		return sb.String()
	}
	full, fast := read(false), read(true)
	if full == fast {
		return ""
	}
	return firstDiff(full, fast)
}

// sinkTaken counts the lines a sink takes of data, read as owners reads.
func sinkTaken(data []byte) int {
	r := NewReader(bytes.NewReader(data), "in.txt")
	r.SetValueWords(14)
	r.SetSkipWords(13)
	var c countSink
	for r.ScanSink(&c) {
	}
	return int(c)
}

type countSink int

func (c *countSink) TakeFwTab(*FwTabFields) { *c++ }

// TestSinkMatchesFull: the simulator's dumps of every SGM, and the cases
// the read-ahead must leave to the line reader (see
// TestFastAheadMatchesFull), give through a sink what the full parser
// gives, in every word mode (those ScanSink does not take fields in are
// Scan).
func TestSinkMatchesFull(t *testing.T) {
	dump := simDump(t, func() sim.Config { c := sim.DefaultConfig(); c.Conns = 2000; return c }())
	if n, lines := sinkTaken(dump), bytes.Count(dump, []byte("\n<")); n < lines*9/10 {
		t.Fatalf("the sink took %d of some %d entry and link lines: the test would test little", n, lines)
	}
	first := bytes.IndexByte(dump, '<')
	var variants strings.Builder
	for _, a := range fwtabVariants {
		for _, b := range fwtabVariants {
			fmt.Fprintf(&variants, "%s\n%s\n", a, b)
		}
	}
	cases := map[string]struct {
		data []byte
		c    sinkCase
	}{
		"plain":            {dump, sinkCase{}},
		"one-byte reads":   {dump, sinkCase{oneByte: true}},
		"crlf":             {bytes.ReplaceAll(dump, []byte("\n"), []byte("\r\n")), sinkCase{}},
		"limit 200":        {dump, sinkCase{max: 200}},
		"limit 135":        {dump, sinkCase{max: fwLinkLen}},
		"limit 134":        {dump, sinkCase{max: fwLinkLen - 1}},
		"bom, entry first": {append([]byte("\xef\xbb\xbf"), dump[first:]...), sinkCase{}},
		"no last newline":  {bytes.TrimSuffix(dump, []byte("\n")), sinkCase{}},
		"variant pairs":    {[]byte(variants.String()), sinkCase{}},
	}
	// ScanSink takes fields only when one value word is decoded (the
	// modes 14/13 and 3/2); in the others it is Scan, which the fast path
	// tests hold to the full parser. One-byte reads are slow (under the
	// race detector above all): the owners mode alone.
	modes := []struct{ n, skip int }{{14, 13}, {3, 2}, {0, 0}}
	for name, c := range cases {
		for i, w := range modes {
			if c.c.oneByte && i > 0 {
				continue
			}
			if d := sinkDiff(t, c.data, w.n, w.skip, c.c); d != "" {
				t.Errorf("%s, %+v value words: the sink's fields differ from the full parser\n%s", name, w, d)
			}
		}
	}
}

// TestSinkDiffCatches breaks what the sink is handed, and what the fast
// path decodes for it: the differential check must see each.
func TestSinkDiffCatches(t *testing.T) {
	dump := simDump(t, func() sim.Config { c := sim.DefaultConfig(); c.Conns = 200; return c }())
	for name, breakIt := range map[string]func(*FwTabFields){
		"expiry":     func(f *FwTabFields) { f.Expiry.Timeout++ },
		"key":        func(f *FwTabFields) { f.Key.SPort++ },
		"direction":  func(f *FwTabFields) { f.Key.Dir ^= 1 },
		"owner word": func(f *FwTabFields) { f.Word ^= 1 << 8 },
		"line":       func(f *FwTabFields) { f.Line++ },
		"kind":       func(f *FwTabFields) { f.Link = !f.Link },
	} {
		fastBreakFields = breakIt
		d := sinkDiff(t, dump, 14, 13, sinkCase{})
		fastBreakFields = nil
		if d == "" {
			t.Errorf("breaking the %s handed to the sink went unseen", name)
		}
	}
	fastBreakWord = func(i int, w uint32) uint32 {
		if i == 13 {
			w++
		}
		return w
	}
	d := sinkDiff(t, dump, 14, 13, sinkCase{})
	fastBreakWord = nil
	if d == "" {
		t.Error("breaking the owner word's decoding went unseen")
	}
}

// TestKeyTextFits holds the check of a key's digits to keyFits of its
// words, on keys with each word at and around its bounds.
func TestKeyTextFits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	edges := []uint32{0, 1, 0xff, 0x100, 0xffff, 0x10000, 0xfffff, 0x1000000, 0xffffffff}
	for range 20000 {
		var w [6]uint32
		for i := range w {
			if rng.IntN(2) == 0 {
				w[i] = edges[rng.IntN(len(edges))]
			} else {
				w[i] = rng.Uint32() >> rng.IntN(32)
			}
		}
		text := fmt.Sprintf("%08x, %08x, %08x, %08x, %08x, %08x", w[0], w[1], w[2], w[3], w[4], w[5])
		if got, want := keyTextFits([]byte(text)), keyFits(&w); got != want {
			t.Fatalf("keyTextFits(%q) = %v, keyFits = %v", text, got, want)
		}
		var d [6]uint32
		if !fastKey(append([]byte(text), 0), &d) && keyFits(&w) || d != w {
			t.Fatalf("fastKey(%q) = %x", text, d)
		}
	}
}

// FuzzSink holds ScanSink to the full parser on arbitrary lines, each
// read alone and after an entry (so that it is read from what the line
// reader read ahead).
func FuzzSink(f *testing.F) {
	for _, l := range fwtabVariants {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) > 4096 {
			return
		}
		after := append(append([]byte(fwtabVariants[0]+"\n"), line...), '\n')
		after = append(after, line...)
		for _, w := range wordModes {
			for _, data := range [][]byte{line, after} {
				if d := sinkDiff(t, data, w.n, w.skip, sinkCase{}); d != "" {
					t.Fatalf("%+v value words: %q\n%s", w, data, d)
				}
			}
		}
	})
}
