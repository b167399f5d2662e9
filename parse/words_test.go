package parse

import (
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
