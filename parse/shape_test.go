package parse

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestShapeFit holds the vectorized shapeFit to the byte-at-a-time
// reference, and the reference to what a shape means, on lines that fit
// and lines with one byte changed at every place.
func TestShapeFit(t *testing.T) {
	shape := makeShape("<hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh> -> <hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh> (hhhhhhhh)")
	good := []byte("<00000001, c0a8edd2, 0000027c, 0a718322, 00009003, 00000006> -> <00000000, 0A718322, 00009003, c0a8edd2, 0000027c, fFfFfFfF> (00000005)")
	if len(good) != len(shape) {
		t.Fatalf("test line is %d bytes, shape %d", len(good), len(shape))
	}
	if n := shapeFitGo(good, shape); n != len(good) {
		t.Fatalf("shapeFitGo(good) = %d, want %d", n, len(good))
	}
	// Every byte that may or may not fit, at every place.
	for i := range good {
		for c := range 256 {
			line := append([]byte(nil), good...)
			line[i] = byte(c)
			fits := line[i] == good[i]
			if shape[i] == shapeHex {
				fits = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
			}
			want := len(line)
			if !fits {
				want = i
			}
			if got := shapeFitGo(line, shape); got != want {
				t.Fatalf("byte %d = %q: shapeFitGo = %d, want %d", i, byte(c), got, want)
			}
			if got := shapeFit(line, shape); got != want {
				t.Fatalf("byte %d = %q: shapeFit = %d, want %d", i, byte(c), got, want)
			}
			// Every length from 32 on: the last block overlaps the one before.
			if i < 40 {
				for n := 32; n <= len(line); n++ {
					w := min(want, n)
					if got := shapeFitAVX2Slice(line[:n], shape[:n]); got != w {
						t.Fatalf("byte %d = %q, %d bytes: shapeFitAVX2 = %d, want %d", i, byte(c), n, got, w)
					}
				}
			}
		}
	}
}

// shapeFitAVX2Slice calls the vectorized shapeFit on every machine that
// has it (32 bytes or more), and the reference elsewhere.
func shapeFitAVX2Slice(s, shape []byte) int {
	n := min(len(s), len(shape))
	if !vecShape || n < 32 {
		return shapeFitGo(s, shape)
	}
	return shapeFitAVX2(unsafe.SliceData(s), unsafe.SliceData(shape), n)
}

// TestShapeFitRandom compares the two on random lines over an alphabet
// close to a dump's, in random shapes.
func TestShapeFitRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdefABCDEFgG ,;<>/()-\x00\xff\x80"
	for range 20000 {
		n := 32 + rng.IntN(300)
		shape, line := make([]byte, n), make([]byte, n)
		for i := range n {
			c := alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(2) == 0 {
				shape[i] = shapeHex
				c = "0123456789abcdefABCDEF"[rng.IntN(22)]
			} else {
				shape[i] = c
			}
			line[i] = c
			if rng.IntN(n) == 0 {
				line[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		if got, want := shapeFitAVX2Slice(line, shape), shapeFitGo(line, shape); got != want {
			t.Fatalf("line %q shape %q: vectorized %d, reference %d", line, shape, got, want)
		}
	}
}

// FuzzShapeFit: the vectorized shapeFit is the reference on any bytes.
func FuzzShapeFit(f *testing.F) {
	f.Add([]byte("<00000001, c0a8edd2, 0000027c, 0a718322, 00009003, 00000006> -> <"), []byte("<hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh> -> <"))
	f.Fuzz(func(t *testing.T, line, picture []byte) {
		shape := makeShape(string(picture))
		if got, want := shapeFitAVX2Slice(line, shape), shapeFitGo(line, shape); got != want {
			t.Fatalf("vectorized %d, reference %d", got, want)
		}
		if got, want := shapeFit(line, shape), shapeFitGo(line, shape); got != want {
			t.Fatalf("shapeFit %d, reference %d", got, want)
		}
	})
}

// TestListScan holds the vectorized listScan to the byte-at-a-time
// reference, on random lists of every length and every m, and the
// reference to a plain reading of a value list.
func TestListScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "0123456789abcdef,,,,,>[] x\x00\xff"
	for range 20000 {
		b := make([]byte, 1+rng.IntN(300))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(3) != 0 && b[i] == '>' { // '>' rarer: long lists
				b[i] = '0'
			}
		}
		m := 1 + rng.IntN(40)
		e1, m1, c1, l1, ok1 := listScanGo(b, m)
		var e2, m2, c2 int
		var l2, ok2 bool
		if vecShape && len(b) >= 32 {
			e2, m2, c2, l2 = listScanAVX2(&b[0], len(b), m)
			ok2 = e2 >= 0
			if !ok2 {
				e2, m2, c2, l2 = 0, 0, 0, false
			}
		} else {
			e2, m2, c2, l2, ok2 = listScan(b, m)
		}
		if e1 != e2 || m1 != m2 || c1 != c2 || l1 != l2 || ok1 != ok2 {
			t.Fatalf("%q, m %d: vectorized %d %d %d %v %v, reference %d %d %d %v %v", b, m, e2, m2, c2, l2, ok2, e1, m1, c1, l1, ok1)
		}
	}
	list := []byte("1c001,40044080,1c,b,0,68daf999,0,c72f5ee5,c4bfaa92,2a,ffffffff,ffffffff,ffffffff,2000800,f9280> sync_mask=[0x0002800b] refresh time=3602")
	end, mth, commas, lbr, ok := listScan(list, 13)
	if wantEnd := bytes.IndexByte(list, '>'); !ok || end != wantEnd || commas != 14 || lbr || mth != nthComma(list[:end], 13) {
		t.Errorf("listScan of a value list: end %d mth %d commas %d lbr %v ok %v", end, mth, commas, lbr, ok)
	}
	if _, _, _, _, ok := listScan(list[:40], 13); ok {
		t.Error("listScan found a '>' in a list cut before it")
	}
}

// FuzzListScan: the vectorized listScan is the reference on any bytes.
func FuzzListScan(f *testing.F) {
	f.Add([]byte("1c001,40044080,1c,b,0,68daf999,0,c72f5ee5,c4bfaa92,2a,ffffffff,ffffffff> sync_mask=[0x3]"), 13)
	f.Fuzz(func(t *testing.T, b []byte, m int) {
		m = 1 + (m&0xff)%64
		e1, m1, c1, l1, ok1 := listScanGo(b, m)
		e2, m2, c2, l2, ok2 := listScan(b, m)
		if !ok2 {
			e2, m2, c2, l2 = 0, 0, 0, false
		}
		if e1 != e2 || m1 != m2 || c1 != c2 || l1 != l2 || ok1 != ok2 {
			t.Fatalf("m %d: vectorized %d %d %d %v %v, reference %d %d %d %v %v", m, e2, m2, c2, l2, ok2, e1, m1, c1, l1, ok1)
		}
	})
}

// TestLineEnd holds the vectorized lineEnd to the reference on random
// bytes with newlines and NULs here and there.
func TestLineEnd(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		b := make([]byte, rng.IntN(400))
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
			switch rng.IntN(150) {
			case 0:
				b[i] = '\n'
			case 1:
				b[i] = 0
			}
		}
		n1, z1 := lineEndGo(b)
		n2, z2 := lineEnd(b)
		if len(b) < 32 {
			n1, z1 = -1, false
		}
		if n1 != n2 || z1 != z2 {
			t.Fatalf("%q: vectorized %d %v, reference %d %v", b, n2, z2, n1, z1)
		}
	}
}

// BenchmarkShapeFit is shapeFit of a whole R81.20 entry (420 bytes), and a
// listScan and a lineEnd of it: each is a few nanoseconds per 32 bytes.
// The first version's constants went to the X registers by legacy-SSE
// MOVQ, each a state transition once a Y register was in use: 478 ns an
// entry on the 2-core sandbox, 20 with VMOVQ.
func BenchmarkShapeFit(b *testing.B) {
	line := []byte("<00000000, ac103d42, 00001234, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280, 80000000, 00000340, 00000000, 06f31308, 00007fac, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000, 00000000; 00000001 ; 3394/3618>\n")
	sink := 0
	b.Run("shapeFit", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			sink += shapeFit(line, fwEntryShape)
		}
	})
	b.Run("listScan", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			end, _, _, _, _ := listScan(line, 13)
			sink += end
		}
	})
	b.Run("lineEnd", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			n, _ := lineEnd(line)
			sink += n
		}
	})
	if sink == 0 {
		b.Fatal("no work done")
	}
}

// TestHexKey holds the vectorized key decoding to the word-at-a-time
// reference and to the words the key was printed from, with digits of
// either case.
func TestHexKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var want [6]uint32
		var b []byte
		for i := range want {
			want[i] = rng.Uint32() >> rng.IntN(32)
			if i > 0 {
				b = append(b, ", "...)
			}
			for j := 28; j >= 0; j -= 4 {
				d := "0123456789abcdef"[want[i]>>uint(j)&15]
				if d >= 'a' && rng.IntN(2) == 0 {
					d -= 'a' - 'A'
				}
				b = append(b, d)
			}
		}
		var got, ref [6]uint32
		hexKeyAVX2(&b[0], &got)
		hexKeyGo(b, &ref)
		if got != want || ref != want {
			t.Fatalf("%q: hexKeyAVX2 %x, hexKeyGo %x, want %x", b, got, ref, want)
		}
	}
}

// BenchmarkHexKey is a key's six words decoded, vectorized and a word at
// a time.
func BenchmarkHexKey(b *testing.B) {
	key := []byte("00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006")
	var w [6]uint32
	b.Run("avx2", func(b *testing.B) {
		for b.Loop() {
			hexKeyAVX2(&key[0], &w)
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			hexKeyGo(key, &w)
		}
	})
	if w[1] != 0x0af18768 {
		b.Fatalf("decoded %x", w)
	}
}
