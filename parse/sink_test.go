package parse

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// The differential tests of ScanSinks: the fw tab lines its sink takes as
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
	case KindSync:
		if rec.Table != "connections" || !rec.HasKey || !rec.HasTime {
			return ""
		}
		w, ok := rec.Word(skip)
		ow, hasOwner := rec.Owner()
		return syncText(rec.Pos.Line, rec.Time, rec.Instance, rec.Op, rec.TableID, rec.Key, skip, w, ok, rec.HasMask, rec.Mask) +
			fmt.Sprintf("words=%d owner=%x %v\n", len(rec.Vals), ow, hasOwner)
	}
	return ""
}

// syncText is what a sync record of the connections table, or the sync
// sink's fields, say of a line.
func syncText(line int, t float64, inst int, op string, id uint32, k Key, skip int, w uint32, hasWord, hasMask bool, mask decode.SyncMask) string {
	return fmt.Sprintf("sync %d t=%v inst=%d op=%s table=%d dir=%d %v word%d=%x %v mask=%v %x\n", line, t, inst, op, id, k.Dir, k, skip, w, hasWord, hasMask, uint32(mask))
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

func (p printSink) TakeSync(f *SyncFields) bool {
	if f.WordIndex != p.skip {
		fmt.Fprintf(p.sb, "word index %d, want %d\n", f.WordIndex, p.skip)
	}
	ow, hasOwner := f.Owner()
	p.sb.WriteString(syncText(f.Line, float64(f.Stamp), f.Instance, f.Op, f.TableID, f.Key, p.skip, f.Word, f.HasWord, f.HasMask, f.Mask) +
		fmt.Sprintf("words=%d owner=%x %v\n", f.Words, ow, hasOwner))
	return true
}

// sinkTranscript reads r to the end, with ScanSinks and a printSink when
// sink is set, else with Scan, and writes each record (fw tab and sync
// records as fwTabLine), each rejection and the accounting.
func sinkTranscript(sb *strings.Builder, r *Reader, sink bool, skip int) {
	var s FwTabSink
	var sy SyncSink
	if sink {
		s, sy = printSink{sb, skip}, printSink{sb, skip}
	}
	for r.ScanSinks(s, sy) {
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
	for r.ScanSinks(&c, nil) {
	}
	return int(c)
}

type countSink int

func (c *countSink) TakeFwTab(*FwTabFields) { *c++ }

func (c *countSink) TakeSync(*SyncFields) bool { *c++; return true }

// syncTaken counts the sync lines a sink takes of data, read as storms
// reads.
func syncTaken(data []byte) int {
	r := NewReader(bytes.NewReader(data), "in.txt")
	r.SetValueWords(14)
	r.SetSkipWords(13)
	var c countSink
	for r.ScanSinks(nil, &c) {
	}
	return int(c)
}

// TestSyncSinkMatchesFull: the simulator's captures, read with a sync
// sink, give what the full parser gives, in the word modes the sink takes
// fields in and in one it does not; and so do the sync variants, alone,
// in pairs and after a line the sink takes.
func TestSyncSinkMatchesFull(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Conns = 2000
	capture := simCapture(t, cfg)
	if n, lines := syncTaken(capture), bytes.Count(capture, []byte("\n@;")); n < lines*8/10 {
		t.Fatalf("the sink took %d of some %d sync lines: the test would test little", n, lines)
	}
	cases := map[string]struct {
		data []byte
		c    sinkCase
	}{
		"capture":         {capture, sinkCase{}},
		"one-byte reads":  {capture[:min(len(capture), 1<<20)], sinkCase{oneByte: true}},
		"crlf":            {bytes.ReplaceAll(capture, []byte("\n"), []byte("\r\n")), sinkCase{}},
		"trailing blanks": {bytes.ReplaceAll(capture, []byte(";\n"), []byte("; \n")), sinkCase{}},
		"limit 300":       {capture, sinkCase{max: 300}},
		"no last newline": {bytes.TrimSuffix(capture, []byte("\n")), sinkCase{}},
		"nul":             {bytes.Replace(capture, []byte("SET:"), []byte("SET\x00"), 3), sinkCase{}},
		"variant pairs":   {variantPairs(syncVariants), sinkCase{}},
	}
	sinkDiffCases(t, cases, []struct{ n, skip int }{{14, 13}, {3, 2}, {16, 15}, {0, 0}})
}

// variantPairs is every pair of the lines, one line after the other.
func variantPairs(lines []string) []byte {
	var b strings.Builder
	for _, x := range lines {
		for _, y := range lines {
			fmt.Fprintf(&b, "%s\n%s\n", x, y)
		}
	}
	return []byte(b.String())
}

// sinkDiffCases runs sinkDiff on each case in each word mode (one-byte
// reads in the first mode alone: they are slow, under the race detector
// above all).
func sinkDiffCases(t *testing.T, cases map[string]struct {
	data []byte
	c    sinkCase
}, modes []struct{ n, skip int }) {
	t.Helper()
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

// TestSyncSinkDiffCatches breaks what the sync sink is handed: the
// differential check must see each.
func TestSyncSinkDiffCatches(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Conns = 200
	capture := simCapture(t, cfg)
	for name, breakIt := range map[string]func(*SyncFields){
		"stamp":      func(f *SyncFields) { f.Stamp++ },
		"op":         func(f *SyncFields) { f.Op += "x" },
		"key":        func(f *SyncFields) { f.Key.DPort++ },
		"direction":  func(f *SyncFields) { f.Key.Dir ^= 1 },
		"owner word": func(f *SyncFields) { f.Word ^= 1 << 8 },
		"no word":    func(f *SyncFields) { f.HasWord = !f.HasWord },
		"words":      func(f *SyncFields) { f.Words-- },
		"mask":       func(f *SyncFields) { f.Mask ^= 1 },
		"line":       func(f *SyncFields) { f.Line++ },
		"instance":   func(f *SyncFields) { f.Instance++ },
	} {
		fastBreakSync = breakIt
		d := sinkDiff(t, capture, 14, 13, sinkCase{})
		fastBreakSync = nil
		if d == "" {
			t.Errorf("breaking the %s handed to the sync sink went unseen", name)
		}
	}
}

// refusingSink refuses the n-th sync line it is handed.
type refusingSink struct{ n, seen int }

func (s *refusingSink) TakeSync(*SyncFields) bool { s.seen++; return s.seen < s.n }

// TestSyncSinkRefusal: a sink that refuses a line stops the read, and the
// Reader says why.
func TestSyncSinkRefusal(t *testing.T) {
	data := []byte(strings.Repeat(syncVariants[0]+"\n", 10))
	r := NewReader(bytes.NewReader(data), "in.txt")
	r.SetValueWords(14)
	r.SetSkipWords(13)
	s := &refusingSink{n: 4}
	records := 0
	for r.ScanSinks(nil, s) {
		records++
	}
	if !r.SinkRefused() || s.seen != 4 || records != 1 {
		t.Fatalf("refused=%v, sink saw %d lines, %d records (want true, 4, 1: the first line is read before any is read ahead)", r.SinkRefused(), s.seen, records)
	}
}

// TestSinkMatchesFull: the simulator's dumps of every SGM, and the cases
// the read-ahead must leave to the line reader (see
// TestFastAheadMatchesFull), give through a sink what the full parser
// gives, in every word mode (those ScanSinks does not take fields in are
// Scan).
func TestSinkMatchesFull(t *testing.T) {
	dump := simDump(t, func() sim.Config { c := sim.DefaultConfig(); c.Conns = 2000; return c }())
	if n, lines := sinkTaken(dump), bytes.Count(dump, []byte("\n<")); n < lines*9/10 {
		t.Fatalf("the sink took %d of some %d entry and link lines: the test would test little", n, lines)
	}
	first := bytes.IndexByte(dump, '<')
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
		"variant pairs":    {variantPairs(fwtabVariants), sinkCase{}},
	}
	// ScanSinks takes fields only when one value word is decoded (the
	// modes 14/13 and 3/2); in the others it is Scan, which the fast path
	// tests hold to the full parser.
	sinkDiffCases(t, cases, []struct{ n, skip int }{{14, 13}, {3, 2}, {0, 0}})
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

// FuzzSink holds ScanSinks to the full parser on arbitrary lines, each
// read alone and after an entry (so that it is read from what the line
// reader read ahead).
func FuzzSink(f *testing.F) {
	for _, l := range fwtabVariants {
		f.Add([]byte(l))
	}
	for _, l := range syncVariants {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) > 4096 {
			return
		}
		after := append(append([]byte(fwtabVariants[0]+"\n"), line...), '\n')
		after = append(after, line...)
		afterSync := append(append([]byte(syncVariants[0]+"\n"), line...), '\n')
		afterSync = append(afterSync, line...)
		for _, w := range wordModes {
			for _, data := range [][]byte{line, after, afterSync} {
				if d := sinkDiff(t, data, w.n, w.skip, sinkCase{}); d != "" {
					t.Fatalf("%+v value words: %q\n%s", w, data, d)
				}
			}
		}
	})
}
