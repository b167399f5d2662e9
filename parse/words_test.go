package parse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// refHexList is the plain reading of a comma-separated hex list, to check
// hexList's fast path against.
func refHexList(s string) ([]uint32, bool) {
	var out []uint32
	for w := range strings.SplitSeq(s, ",") {
		w = strings.Trim(w, " \t")
		if w == "" || len(w) > 8 || strings.ContainsAny(w, " \t+-xX_") {
			return nil, false
		}
		v, err := strconv.ParseUint(w, 16, 32)
		if err != nil {
			return nil, false
		}
		out = append(out, uint32(v))
	}
	return out, true
}

func FuzzHexList(f *testing.F) {
	for _, s := range []string{"0001c001, 40044080, 0000000f", "1c001,40044080,f,b,0", "00000000", "0001c00g, 1", "12345678 , 9", "1 2", "", "123456789,1", " ABCDEF12,\tffffffff "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _, ok := hexList([]byte(s), nil)
		want, wok := refHexList(s)
		if ok != wok || (ok && !slicesEqual(got, want)) {
			t.Fatalf("hexList(%q) = %v %v, reference %v %v", s, got, ok, want, wok)
		}
	})
}

func slicesEqual(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzHexPrefix checks hexPrefix against hexList: the same words decoded
// up to n, the same count, and a failure whenever hexList fails within the
// first n words.
func FuzzHexPrefix(f *testing.F) {
	for _, s := range []string{"0001c001, 40044080, 0000000f", "1c001,40044080,f,b,0", "1,2,,3", "1,2,zz,3", "1,2,3,", " 1 , 2 ,\t3", "", "1,g"} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		full, _, fok := hexList([]byte(s), nil)
		got, words, _, ok := hexPrefix([]byte(s), nil, 0, int(n))
		if n == 0 {
			if ok != fok || !slicesEqual(got, full) || (ok && words != len(full)) {
				t.Fatalf("hexPrefix(%q, 0) = %v %d %v, hexList %v %v", s, got, words, ok, full, fok)
			}
			return
		}
		if fok {
			if !ok || words != len(full) || !slicesEqual(got, full[:min(int(n), len(full))]) {
				t.Fatalf("hexPrefix(%q, %d) = %v %d %v, hexList %v", s, n, got, words, ok, full)
			}
			return
		}
		// hexList failed: hexPrefix fails too when the bad word is one of the
		// first n or an empty word; it may accept a bad word past them.
		parts := strings.Split(s, ",")
		bad := -1
		for i, p := range parts {
			if _, _, pok := hexList([]byte(p), nil); !pok {
				bad = i
				break
			}
		}
		if bad >= 0 && bad < int(n) && ok {
			t.Fatalf("hexPrefix(%q, %d) accepted a list whose word %d is bad", s, n, bad)
		}
		if ok && words != len(parts) {
			t.Fatalf("hexPrefix(%q, %d) counted %d words, the list has %d", s, n, words, len(parts))
		}
	})
}

// TestSetValueWords checks what a Reader reading only the first value
// words accepts and rejects, on a sync line and a fw tab entry.
func TestSetValueWords(t *testing.T) {
	vals := "1c001,40044080,1c,b,0,68daf999,0,c72f5ee5,c4bfaa92,2a,ffffffff,ffffffff,ffffffff,2000800,f9280,80000000,%s,0"
	sync := "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(%d)=<" + vals + "> sync_mask=[0x0002800b];"
	entry := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000, %s, 00000000; 00000001 ; 3394/3618>"
	cases := []struct {
		line              string
		all, first, owner string // "ok" or the rejection reason, reading all words, the first 14, V13 alone
	}{
		{fmt.Sprintf(sync, 18, "340"), "ok", "ok", "ok"},
		{fmt.Sprintf(sync, 18, "xyz"), ErrHex.Error(), "ok", "ok"},                                                                  // bad word past V13: not checked
		{fmt.Sprintf(sync, 19, "340"), ErrCount.Error(), ErrCount.Error(), ErrCount.Error()},                                        // still counted
		{fmt.Sprintf(sync, 18, ""), ErrHex.Error(), "ok", "ok"},                                                                     // an empty word past V13: not checked
		{strings.Replace(fmt.Sprintf(sync, 19, "340"), ",0> sync", ",0,> sync", 1), ErrHex.Error(), ErrHex.Error(), ErrHex.Error()}, // a list ending in a comma
		{strings.Replace(fmt.Sprintf(sync, 18, "340"), "c72f5ee5", "c72f5eeg", 1), ErrHex.Error(), ErrHex.Error(), "ok"},            // bad word before V13: counted alone, not checked
		{strings.Replace(fmt.Sprintf(sync, 18, "340"), "2000800", "200080g", 1), ErrHex.Error(), ErrHex.Error(), ErrHex.Error()},    // V13 itself
		{strings.Replace(fmt.Sprintf(sync, 18, "340"), "c72f5ee5,", "", 1), ErrCount.Error(), ErrCount.Error(), ErrCount.Error()},   // one word fewer
		{fmt.Sprintf(entry, "000f9280"), "ok", "ok", "ok"},
		{fmt.Sprintf(entry, "000f928x"), ErrHex.Error(), "ok", "ok"},
		{strings.Replace(fmt.Sprintf(entry, "000f9280"), "9fb2ce04", "9fb2ce0x", 1), ErrHex.Error(), ErrHex.Error(), "ok"},
		{strings.Replace(fmt.Sprintf(entry, "000f9280"), "02000000", "0200000x", 1), ErrHex.Error(), ErrHex.Error(), ErrHex.Error()},
	}
	modes := []struct {
		name    string
		n, skip int
	}{{"all", 0, 0}, {"first 14", 14, 0}, {"V13 alone", 14, 13}}
	for _, c := range cases {
		var owner uint32 // V13 as read with all words decoded
		for _, m := range modes {
			r := NewReader(strings.NewReader(c.line), "t")
			r.SetValueWords(m.n)
			r.SetSkipWords(m.skip)
			if !r.Scan() {
				t.Fatalf("no record for %q", c.line)
			}
			rec, err := r.Record()
			got := "ok"
			if err != nil {
				got = errors.Unwrap(err).Error()
			}
			want := [...]string{c.all, c.first, c.owner}[map[int]int{0: 0, 14: 1}[m.n]+min(m.skip, 1)]
			if got != want {
				t.Errorf("%s, %q: got %s, want %s", m.name, c.line, got, want)
				continue
			}
			if err != nil {
				continue
			}
			w, ok := rec.Owner()
			if !ok {
				t.Errorf("%s, %q: no owner word", m.name, c.line)
			}
			if m.n == 0 || owner == 0 {
				owner = w
			} else if w != owner {
				t.Errorf("%s, %q: owner word %#x, %#x with all words", m.name, c.line, w, owner)
			}
			if m.n > 0 && len(rec.Vals) != m.n {
				t.Errorf("%s: %d words kept", m.name, len(rec.Vals))
			}
			if rec.Skipped != m.skip {
				t.Errorf("%s: Skipped %d", m.name, rec.Skipped)
			}
			if _, ok := rec.Word(0); ok == (m.skip > 0) {
				t.Errorf("%s: word 0 present: %v", m.name, ok)
			}
		}
	}
}

// BenchmarkHexList parses the lists of a sync line and a fw tab entry.
func BenchmarkHexList(b *testing.B) {
	lists := [][]byte{
		[]byte("0,a845cea,8922,ac102381,1bb,6"),
		[]byte("1c001,40044080,1c,b,0,68daf999,0,c72f5ee5,c4bfaa92,2a,ffffffff,ffffffff,ffffffff,2000800"),
		[]byte("0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033"),
	}
	var dst []uint32
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, l := range lists {
			dst, _, _ = hexList(l, dst)
		}
	}
}
