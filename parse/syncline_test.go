package parse

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// The differential test of syncLine: a line it takes, it must take with
// the length lineEnd finds and the fields syncFields reads (the path
// syncSink took before it, itself held to the full parser by
// TestSyncSinkMatchesFull); a line it is not sure of it must leave.

// syncLineRef is what syncSink made of the line at the start of buf
// without syncLine: its length and fields, or ok false.
func syncLineRef(r *Reader, buf []byte) (n int, f SyncFields, ok bool) {
	n, nul := lineEnd(buf)
	if n < 40 || n > r.lr.max || nul || buf[n-1] != ';' {
		return 0, f, false
	}
	_, ok = r.syncFields(buf[:n], &f, &f.Key, nil)
	return n, f, ok
}

// syncLineCheck runs syncLine and the reference on line, followed by
// filler; it returns whether syncLine and the reference took the line,
// and what differs.
func syncLineCheck(r *Reader, line, filler []byte) (took, refTook bool, diff string) {
	buf := append(append(append([]byte(nil), line...), '\n'), filler...)
	n0, f0, ok0 := syncLineRef(r, buf) // first: it keeps the prefix syncLine looks up
	ok0 = ok0 && buf[0] == '@'         // as syncSink asks before either
	var f SyncFields
	n, ok := r.syncLine(buf, &f)
	switch {
	case !ok:
		return false, ok0, ""
	case !ok0:
		return true, ok0, fmt.Sprintf("syncLine took %q, which syncFields refuses", line)
	case n != n0 || f != f0:
		return true, ok0, fmt.Sprintf("line %q:\n syncLine  %d %+v\n syncFields %d %+v", line, n, f, n0, f0)
	}
	return true, ok0, ""
}

// syncLineMutants are line with one byte replaced, inserted or removed,
// at rng's choice of places, and the bytes that tell the shapes apart.
func syncLineMutants(line []byte, rng *rand.Rand, n int) [][]byte {
	const special = ",>[]<()=;:x X\t0fFg9\n\x00\r@_"
	var out [][]byte
	for range n {
		at := rng.IntN(len(line))
		c := special[rng.IntN(len(special))]
		m := append([]byte(nil), line...)
		switch rng.IntN(3) {
		case 0:
			m[at] = c
		case 1:
			m = append(m[:at], append([]byte{c}, m[at:]...)...)
		default:
			m = append(m[:at], m[at+1:]...)
		}
		out = append(out, m)
	}
	return out
}

func TestSyncLineMatches(t *testing.T) {
	if !vecLine {
		t.Skip("syncLine needs AVX2 and a fast PEXT")
	}
	cfg := sim.DefaultConfig()
	cfg.Conns = 500
	capture := simCapture(t, cfg)
	var lines [][]byte
	for l := range bytes.Lines(capture) {
		if l = bytes.TrimSuffix(l, []byte("\n")); len(l) > 0 && l[0] == '@' {
			lines = append(lines, l)
		}
	}
	filler := bytes.Repeat([]byte("x"), syncLineMin)
	rng := rand.New(rand.NewPCG(14, 2))
	for _, w := range []struct{ n, skip int }{{14, 13}, {3, 2}, {16, 15}, {0, 0}, {14, 0}} {
		r := NewReader(bytes.NewReader(nil), "t")
		r.SetValueWords(w.n)
		r.SetSkipWords(w.skip)
		took, refTook, bad := 0, 0, 0
		for _, l := range lines {
			ok, ref, d := syncLineCheck(r, l, filler)
			if ok {
				took++
			}
			if ref {
				refTook++
			}
			if d != "" && bad < 5 {
				bad++
				t.Errorf("%+v: %s", w, d)
			}
		}
		if w.skip > 0 && w.n == w.skip+1 && took < refTook*99/100 {
			t.Errorf("%+v: syncLine took %d of the %d sync lines syncFields reads", w, took, refTook)
		}
		if (w.skip == 0 || w.n != w.skip+1) && took > 0 {
			t.Errorf("%+v: syncLine took %d lines in a mode it does not read", w, took)
		}
		mutants, mtook := 0, 0
		for i := 0; i < len(lines); i += 7 {
			for _, m := range syncLineMutants(lines[i], rng, 40) {
				mutants++
				ok, _, d := syncLineCheck(r, m, filler)
				if ok {
					mtook++
				}
				if d != "" && bad < 10 {
					bad++
					t.Errorf("%+v, mutant: %s", w, d)
				}
			}
		}
		t.Logf("%+v: syncLine took %d of %d lines (syncFields %d), %d of %d mutants", w, took, len(lines), refTook, mtook, mutants)
	}
}

// TestSyncLineShapes holds syncLine to syncFields on the shapes of the
// line's rest it must read, or leave: blanks and "0x" in the mask, the
// last value word, short lists, a list that ends at word m, letters, and
// bytes the full parser judges.
func TestSyncLineShapes(t *testing.T) {
	if !vecLine {
		t.Skip("syncLine needs AVX2 and a fast PEXT")
	}
	const head = "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6>"
	const vals = " vals(34)=<1c001,40044080,1c,b,0,68daf999,0,c72f5ee5,c4bfaa92,2a,ffffffff,ffffffff,ffffffff,2000800,f9280,80000000,340,0,4f8b230f,7f25,0,0,0,0,0,0,0,0,0,0,0,0,0,0>"
	const tail = " refresh time=3602 aggressive time=518 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;"
	cases := []struct {
		rest string
		take bool // syncLine must take it
	}{
		{vals + " sync_mask=[0x0002800b]" + tail, true},
		{vals + " sync_mask=[00000000]" + tail, true},
		{vals + " sync_mask=[ 0x00000001]" + tail, true},
		{vals + " sync_mask=[\t0X1F ]" + tail, true},
		{vals + " sync_mask=[0]" + tail, true},
		{" sync_mask=[ 0x00000001] ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;", true},
		{" vals(14)=<1,2,3,4,5,6,7,8,9,a,b,c,d,AbCdEf01> sync_mask=[1];", true},
		{" vals(15)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,f> sync_mask=[1];", true},
		{" vals(15)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e, f> sync_mask=[1];", true},
		{" vals(15)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,f > sync_mask=[1];", false},
		{" vals(15)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,> sync_mask=[1];", false},
		{" vals(16)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,f> sync_mask=[1];", false},
		{" vals(13)=<1,2,3,4,5,6,7,8,9,a,b,c,d> sync_mask=[1];", false},
		{" vals(14)=<1,2,3,4,5,6,7,8,9,a,b,c,d,123456789> sync_mask=[1];", false},
		{" vals(14)=<1,2,3,4,5,6,7,8,9,a,b,c,d,> sync_mask=[1];", false},
		{" vals(14)=<1,2,3,4,5,6,7,8,9,a,b,c,[,e> sync_mask=[1];", false},
		{" vals(14)=<1,2,3,4,5,6,7,8,9,a,b,c,\x00,e> sync_mask=[1];", false},
		{" vals(14)=<1,\t2,3,4,5,6,7,8,9,a,b,c,d,e> sync_mask=[1];", false},
		{" vals(14)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,\n> sync_mask=[1];", false},
		{" vals(014)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e> sync_mask=[1];", true},
		{" vals(000000014)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e> sync_mask=[1];", false},
		{" vals()=<1,2,3,4,5,6,7,8,9,a,b,c,d,e> sync_mask=[1];", false},
		{vals + " sync_mask=[0x123456789]" + tail, false},
		{vals + " sync_mask=[0x]" + tail, false},
		{vals + " sync_mask=[]" + tail, false},
		{vals + " sync_mask=[1" + tail, false},
		{vals + " sync_mask=[1]\x00;", false},
		{vals + " sync_mask=[1] (vals(" + tail, true},
		{" sync_mask=[1] vals(3)=<1,2,3>;", false},
		{" sync_mask=[1] (;", false},
		{vals + tail, false},
		{vals + " sync_mask=[1]" + tail + " ", false},
		{vals + " sync_mask=[1]" + tail + "\r", false},
	}
	for _, mode := range []struct{ n, skip int }{{14, 13}, {3, 2}} {
		r := NewReader(bytes.NewReader(nil), "t")
		r.SetValueWords(mode.n)
		r.SetSkipWords(mode.skip)
		for _, c := range cases {
			took, _, d := syncLineCheck(r, []byte(head+c.rest), bytes.Repeat([]byte("y"), syncLineMin))
			if d != "" {
				t.Errorf("%+v: %s", mode, d)
			}
			if mode.skip == 13 && took != c.take {
				t.Errorf("%+v: syncLine took %q: %v, want %v", mode, c.rest, took, c.take)
			}
		}
	}
}

// FuzzSyncLine holds syncLine to syncFields on any line: what it takes
// must be what syncFields reads.
func FuzzSyncLine(f *testing.F) {
	cfg := sim.DefaultConfig()
	cfg.Conns = 50
	for l := range bytes.Lines(simCapture(f, cfg)) {
		if l[0] == '@' {
			f.Add(bytes.TrimSuffix(l, []byte("\n")), uint8(13))
		}
	}
	f.Add([]byte("@;1;[fw4_1];SET: connections (8158) keys(6)=<0,1,2,3,4,5> vals(3)=<1,2,3> sync_mask=[ 0x1 ] x;"), uint8(2))
	filler := bytes.Repeat([]byte("z"), syncLineMin)
	f.Fuzz(func(t *testing.T, line []byte, skip uint8) {
		if !vecLine {
			t.Skip("syncLine needs AVX2 and a fast PEXT")
		}
		r := NewReader(bytes.NewReader(nil), "t")
		r.SetValueWords(int(skip%20) + 1)
		r.SetSkipWords(int(skip % 20))
		if _, _, d := syncLineCheck(r, line, filler); d != "" {
			t.Fatal(d)
		}
		// The line against itself as filler: the bytes after the '\n' must
		// not matter.
		if _, _, d := syncLineCheck(r, line, bytes.Repeat(append(line, '\n'), 1+syncLineMin/max(len(line), 1))); d != "" {
			t.Fatal(d)
		}
	})
}

// TestSyncRestLayout pins the offsets syncLineAVX2 writes syncRest's
// fields at.
func TestSyncRestLayout(t *testing.T) {
	var r syncRest
	got := [...]uintptr{unsafe.Offsetof(r.end), unsafe.Offsetof(r.word), unsafe.Offsetof(r.list), unsafe.Offsetof(r.mask), unsafe.Offsetof(r.k), unsafe.Sizeof(r)}
	if want := [...]uintptr{0, 8, 12, 16, 20, 48}; got != want {
		t.Fatalf("syncRest: offsets and size %v, the assembly writes %v", got, want)
	}
}
