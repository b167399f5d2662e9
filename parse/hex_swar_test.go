package parse

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"strings"
	"testing"
)

// TestBytesEq8 checks the SWAR byte test against a plain comparison, every
// byte beside every other.
func TestBytesEq8(t *testing.T) {
	for c := range 256 {
		for d := range 256 {
			x := uint64(c) | uint64(d)<<8 | uint64(',')<<16
			want := uint64(0x800000)
			if c == ',' {
				want |= 0x80
			}
			if d == ',' {
				want |= 0x8000
			}
			if got := bytesEq8(x, ','); got != want {
				t.Fatalf("bytes %#x %#x: ',' at %#x, want %#x", c, d, got, want)
			}
		}
	}
}

// TestNthComma checks the 8-bytes-at-a-time search against a count of
// commas one byte at a time.
func TestNthComma(t *testing.T) {
	seed := uint64(1)
	rnd := func() uint64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return seed >> 33
	}
	for range 200000 {
		b := make([]byte, rnd()%40)
		for k := range b {
			b[k] = ",,a0 >"[rnd()%6]
		}
		m := 1 + int(rnd()%8)
		want, k := -1, 0
		for i, c := range b {
			if c == ',' {
				if k++; k == m {
					want = i
					break
				}
			}
		}
		if got := nthComma(b, m); got != want {
			t.Fatalf("nthComma(%q, %d) = %d, want %d", b, m, got, want)
		}
	}
}

// FuzzHexPrefixSkip checks the skipped words against the rule: the words
// from skip on are those hexPrefix decodes with nothing skipped, the first
// skip read 0, and every word is counted; a list hexPrefix takes whole is
// taken with words skipped too, and a bad word among the skipped ones is
// no failure.
func FuzzHexPrefixSkip(f *testing.F) {
	for _, s := range []string{"0001c001, 40044080, 0000000f", "1c001,40044080,f,b,0", "1,2,,3", "1,zz,3,4", "1,2,3,", " 1 , 2 ,\t3", "", "1,g", "1"} {
		f.Add(s, uint8(1), uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, skip, n uint8) {
		if n > 0 && skip >= n || skip > 32 {
			return // skipCount never asks for that
		}
		got, words, _, ok := hexPrefix([]byte(s), nil, int(skip), int(n))
		parts := strings.Split(s, ",")
		if ok && words != len(parts) {
			t.Fatalf("hexPrefix(%q, %d, %d) counted %d words, the list has %d", s, skip, n, words, len(parts))
		}
		full, fwords, _, fok := hexPrefix([]byte(s), nil, 0, int(n))
		if fok && (!ok || words != fwords) {
			t.Fatalf("hexPrefix(%q, %d, %d) = %v %d %v; nothing skipped: %v %d", s, skip, n, got, words, ok, full, fwords)
		}
		if !ok {
			return
		}
		k := min(int(skip), len(parts))
		for i, w := range got {
			if i < k && w != 0 {
				t.Fatalf("hexPrefix(%q, %d, %d): skipped word %d reads %x", s, skip, n, i, w)
			}
		}
		if len(parts) > k {
			rest := []byte(strings.Join(parts[k:], ","))
			want, _, _, rok := hexPrefix(rest, nil, 0, max(int(n)-k, 0))
			if n > 0 && int(n) <= k {
				return
			}
			if !rok || !slicesEqual(got[k:], want) {
				t.Fatalf("hexPrefix(%q, %d, %d) = %v; the words after the skipped: %v %v", s, skip, n, got, want, rok)
			}
		}
	})
}

// TestNonHex8 checks the hex test of 8 bytes against the table, every byte
// beside every other, and hex8Value against the byte-at-a-time reading.
func TestNonHex8(t *testing.T) {
	for c := range 256 {
		for d := range 256 {
			x := uint64(c) | uint64(d)<<8 | uint64('0')<<16
			want := uint64(0)
			if hexClass[c] >= 16 {
				want |= 0x80
			}
			if hexClass[d] >= 16 {
				want |= 0x8000
			}
			if got := nonHex8(x) & 0xffffff; got != want {
				t.Fatalf("bytes %#x %#x: non-hex %#x, want %#x", c, d, got, want)
			}
		}
	}
	for _, s := range []string{"0", "f", "F", "1bb", "ac102381", "ABCDEF01", "0000000a", "9", "7fffffff", "deadbeef"} {
		b := []byte(s + "........")
		want, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex8Value(binary.LittleEndian.Uint64(b), len(s)); uint64(got) != want {
			t.Errorf("hex8Value(%q) = %#x, want %#x", s, got, want)
		}
	}
}

// randWord is 8 random bytes of alpha (a linear congruential generator
// at *seed), with any byte now and then when wild.
func randWord(seed *uint64, alpha []byte, wild bool) (b [8]byte) {
	for k := range b {
		*seed = *seed*6364136223846793005 + 1442695040888963407
		b[k] = alpha[(*seed>>33)%uint64(len(alpha))]
		if wild && (*seed>>20)%7 == 0 {
			b[k] = byte(*seed >> 41)
		}
	}
	return b
}

// TestHex8 holds the one-load hex8 to the table, on random 8-byte words
// of near-hex bytes.
func TestHex8(t *testing.T) {
	seed := uint64(3)
	alpha := []byte("0123456789abcdefABCDEF ,;gG/:@`\x00\xff")
	for range 1000000 {
		b := randWord(&seed, alpha, true)
		var want uint32
		wok := true
		for _, c := range b {
			d := hexClass[c]
			if d >= 16 {
				wok = false
			}
			want = want<<4 | uint32(d&0xf)
		}
		got, ok := hex8(b[:])
		if ok != wok || ok && got != want {
			t.Fatalf("hex8(%q) = %#x %v, want %#x %v", b, got, ok, want, wok)
		}
	}
}

// TestKey6 holds the fixed-shape key reader to words8 on keys and near
// misses: what key6 takes, words8 reads the same.
func TestKey6(t *testing.T) {
	base := "00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006"
	cases := []string{base, strings.ToUpper(base), strings.Replace(base, ", ", ",,", 1), strings.Replace(base, "ac", "ag", 1),
		strings.Replace(base, ", 0000", ",  000", 1), base + " ", base[:57], base + ", 00000007", strings.Replace(base, "00000050", "0000005", 1) + "0"}
	for _, c := range cases {
		var got [6]uint32
		ok := key6([]byte(c), &got)
		ws, end := words8([]byte(c), nil, 7)
		want := ok == (len(ws) == 6 && end == len(c))
		if !want || ok && [6]uint32(ws) != got {
			t.Errorf("key6(%q) = %x %v; words8 %x, end %d", c, got, ok, ws, end)
		}
	}
	if !key6([]byte(base), new([6]uint32)) {
		t.Fatal("key6 refuses the common key")
	}
}

// TestFastHexWord holds fastHexWord, whose path depends on how many bytes
// follow the word (one load with 9 or more, else a byte at a time), to a
// plain reading of the rule: the longest run of hex digits at i, 1 to 8 of
// them, and the index of the byte after it.
func TestFastHexWord(t *testing.T) {
	seed := uint64(7)
	alpha := []byte("0123456789abcdefABCDEF ,>]gG/:@`\x00\xff")
	for range 200000 {
		seed = seed*6364136223846793005 + 1442695040888963407
		n := int(seed>>59) % 14
		b := make([]byte, n)
		for k := range b {
			seed = seed*6364136223846793005 + 1442695040888963407
			b[k] = alpha[(seed>>33)%uint64(len(alpha))]
		}
		run := 0
		for run < len(b) && hexClass[b[run]] < 16 {
			run++
		}
		v, j, ok := fastHexWord(b, 0)
		wantOK := run >= 1 && run <= 8
		if ok != wantOK {
			t.Fatalf("fastHexWord(%q) ok %v, want %v", b, ok, wantOK)
		}
		if !ok {
			continue
		}
		want, err := strconv.ParseUint(string(b[:run]), 16, 32)
		if err != nil || uint64(v) != want || j != run {
			t.Fatalf("fastHexWord(%q) = %#x, %d; want %#x, %d", b, v, j, want, run)
		}
	}
}

// TestDec8 holds nonDigit8 and dec8Value to the byte-at-a-time reading of
// the `@;N;` stamp: every pair of bytes in the first two places, and random
// runs of digits of every length ended by other bytes.
func TestDec8(t *testing.T) {
	for c := range 256 {
		for d := range 256 {
			x := uint64(c) | uint64(d)<<8 | uint64('5')<<16
			want := uint64(0)
			if !isDigit(byte(c)) {
				want |= 0x80
			}
			if !isDigit(byte(d)) {
				want |= 0x8000
			}
			if got := nonDigit8(x) & 0xffffff; got != want {
				t.Fatalf("bytes %#x %#x: non-digit %#x, want %#x", c, d, got, want)
			}
		}
	}
	seed := uint64(11)
	alpha := []byte("0123456789;.:/ a\x00\xff")
	for range 200000 {
		b := randWord(&seed, alpha, false)
		x := binary.LittleEndian.Uint64(b[:])
		n := bits.TrailingZeros64(nonDigit8(x)) >> 3
		run := 0
		for run < 8 && isDigit(b[run]) {
			run++
		}
		if n != run {
			t.Fatalf("%q: %d digits found, want %d", b, n, run)
		}
		want := uint64(0)
		if run > 0 {
			want, _ = strconv.ParseUint(string(b[:run]), 10, 64)
		}
		if got := dec8Value(x, n); got != want {
			t.Fatalf("dec8Value(%q, %d) = %d, want %d", b, n, got, want)
		}
	}
}

// TestKeyWords holds keyWords to a plain reading of the rule it reads
// (six runs of 1 to 8 hex digits, ',' between, '>' after), on random keys
// whose words are near the limits and whose separators are sometimes off.
func TestKeyWords(t *testing.T) {
	plain := func(b []byte) (k [6]uint32, end int, ok bool) {
		j := 0
		for w := range 6 {
			n := 0
			for j+n < len(b) && hexClass[b[j+n]] < 16 {
				n++
			}
			if n < 1 || n > 8 || j+n >= len(b) || b[j+n] != ",,,,,>"[w] {
				return k, 0, false
			}
			v, _ := strconv.ParseUint(string(b[j:j+n]), 16, 32)
			k[w], j = uint32(v), j+n+1
		}
		return k, j, true
	}
	seed := uint64(5)
	rnd := func(n uint64) uint64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return (seed >> 33) % n
	}
	digits, other := "0123456789abcdefABCDEF", ",>; g\x00<"
	taken := 0
	for range 300000 {
		var b []byte
		for w := range 6 {
			for range 1 + rnd(9) { // 1 to 9 digits
				b = append(b, digits[rnd(uint64(len(digits)))])
			}
			sep := ",,,,,>"[w]
			if rnd(40) == 0 {
				sep = other[rnd(uint64(len(other)))]
			}
			b = append(b, sep)
		}
		for len(b) < keyWordsLen+int(rnd(4)) {
			b = append(b, "0, vals(34)=<1c0"[rnd(16)])
		}
		var got [6]uint32
		end, ok := keyWordsGo(b, 0, &got)
		want, wantEnd, wantOK := plain(b)
		if ok != wantOK || ok && (got != want || end != wantEnd) {
			t.Fatalf("keyWordsGo(%q) = %x, %d, %v; want %x, %d, %v", b, got, end, ok, want, wantEnd, wantOK)
		}
		// keyWords, which reads 72 bytes with AVX2 where it can, on the
		// key followed by the list's bytes.
		for len(b) < keyWordsVecLen+int(rnd(4)) {
			b = append(b, "0, vals(34)=<1c0"[rnd(16)])
		}
		var vec [6]uint32
		end, ok = keyWords(b, 0, &vec)
		if ok != wantOK || ok && (vec != want || end != wantEnd) {
			t.Fatalf("keyWords(%q) = %x, %d, %v; want %x, %d, %v", b, vec, end, ok, want, wantEnd, wantOK)
		}
		if ok {
			taken++
		}
	}
	if taken < 1000 {
		t.Fatalf("only %d keys of the rule were generated", taken)
	}
}
