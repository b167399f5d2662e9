package parse

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Hand-written number parsing on byte slices: the hot paths parse millions
// of words and must not allocate.

// hexWord parses 1..8 hex digits (no prefix, no spaces).
func hexWord(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// decUint parses a decimal number up to 2^32-1.
func decUint(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return uint32(v), v <= 0xffffffff
}

// decInt parses an optionally negative decimal number into its 32-bit two's
// complement word, as `fw tab -f` prints interface words (-1 = ffffffff).
func decInt(b []byte) (uint32, bool) {
	if len(b) > 0 && b[0] == '-' {
		v, ok := decUint(b[1:])
		return -v, ok && v <= 1<<31
	}
	return decUint(b)
}

// ipv4 parses a dotted IPv4 address into a big-endian word.
func ipv4(b []byte) (uint32, bool) {
	var w uint32
	for i := range 4 {
		j := bytes.IndexByte(b, '.')
		if i == 3 {
			j = len(b)
		}
		if j <= 0 || j > 3 {
			return 0, false
		}
		n, ok := decUint(b[:j])
		if !ok || n > 255 {
			return 0, false
		}
		w = w<<8 | n
		if i < 3 {
			b = b[j+1:]
		}
	}
	return w, true
}

// trimSpace trims ASCII spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// hexClass maps a byte to its hex digit value, or to one of the classes
// below; one table lookup per byte keeps hexList to a single pass.
var hexClass = func() (t [256]byte) {
	for i := range t {
		t[i] = clsOther
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	t[' '], t['\t'], t[','] = clsSpace, clsSpace, clsComma
	return t
}()

const (
	clsSpace = 16 + iota
	clsComma
	clsOther
)

// hexList parses comma-separated hex words ("0001c001, 40044080" or
// "1c001,40044080") into dst[:0], in one pass over b. On a bad word it
// returns the byte offset of that word within b and false.
func hexList(b []byte, dst []uint32) ([]uint32, int, bool) { return hexListAppend(b, dst[:0]) }

// hexListAppend is hexList appending to dst.
func hexListAppend(b []byte, dst []uint32) ([]uint32, int, bool) {
	var v uint32
	digits := 0 // digits in the current word
	start := 0  // offset of the current word's first non-space byte
	after := false
	for i := 0; i < len(b); i++ {
		// Fast path for the common shape, a word of exactly 8 digits then
		// a comma or the end ("0001c001, "): eight lookups, one check.
		if digits == 0 && i+8 <= len(b) && (i+8 == len(b) || b[i+8] == ',') {
			if w, ok := hex8(b[i : i+8]); ok {
				dst = append(dst, w)
				if i+8 == len(b) {
					return dst, 0, true
				}
				i += 8 // at the comma; the loop moves past it
				after, start = false, i+1
				continue
			}
		}
		c := hexClass[b[i]]
		switch {
		case c < 16:
			if after || digits == 8 {
				return dst, start, false // "12 34" or more than 8 digits
			}
			if digits == 0 {
				start = i
			}
			v = v<<4 | uint32(c)
			digits++
		case c == clsSpace:
			after = digits > 0
		case c == clsComma:
			if digits == 0 {
				return dst, i, false // empty word
			}
			dst = append(dst, v)
			v, digits, after = 0, 0, false
			start = i + 1
		default:
			if digits == 0 {
				start = i
			}
			return dst, start, false
		}
	}
	if digits == 0 {
		return dst, start, false
	}
	return append(dst, v), 0, true
}

// words8 decodes the leading words of b in the shape a fw tab dump prints
// them, exactly 8 hex digits each with ", " between ("0001c001, 40044080,
// ..."), after optional blanks, up to n words (n <= 0: all of them). It
// returns the words and the offset just past the last one decoded; it stops
// at the first word or separator of another shape, and the caller decides
// from what is at that offset (the general parse when in doubt). This is
// the fast path of the hot fw tab words: a fixed stride, no byte loop.
func words8(b []byte, dst []uint32, n int) ([]uint32, int) {
	i := 0
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	end := i
	for i+8 <= len(b) {
		w, ok := hex8(b[i : i+8])
		if !ok {
			break
		}
		if fastBreakWord != nil {
			w = fastBreakWord(len(dst), w)
		}
		dst = append(dst, w)
		end = i + 8
		if len(dst) == n || end+2 > len(b) || b[end] != ',' || b[end+1] != ' ' {
			break
		}
		i = end + 2
	}
	return dst, end
}

// hexPrefix is hexList for a reader that needs only words skip to n-1 (n <=
// 0: to the last): it decodes those, and counts the others (vectorized
// counts of commas) without decoding or checking them; the first skip read
// 0 in vals. Only a list that ends in a comma is an error there. words is
// the number of words in b.
func hexPrefix(b []byte, dst []uint32, skip, n int) (vals []uint32, words, off int, ok bool) {
	dst, base := dst[:0], 0
	if skip = min(skip, len(zeroWords)); n > 0 {
		skip = min(skip, n-1)
	}
	if skip > 0 {
		c := nthComma(b, skip)
		if c < 0 { // skip words or fewer: none is decoded
			words = 1 + bytes.Count(b, []byte{','})
			if t := trimSpace(b); len(t) == 0 || t[len(t)-1] == ',' {
				return dst, words, len(b) - len(t), false
			}
			return append(dst, zeroWords[:min(words, skip)]...), words, 0, true
		}
		dst, base, b = append(dst, zeroWords[:skip]...), c+1, b[c+1:]
		if n > 0 {
			n -= skip
		}
	}
	cut := len(b)
	if n > 0 {
		k := 0
		for i, c := range b {
			if c == ',' {
				if k++; k == n {
					cut = i
					break
				}
			}
		}
	}
	if vals, off, ok = hexListAppend(b[:cut], dst); !ok || cut == len(b) {
		return vals, len(vals), base + off, ok
	}
	rest := b[cut+1:]
	words = len(vals) + 1 + bytes.Count(rest, []byte{','})
	if t := trimSpace(rest); len(t) == 0 || t[len(t)-1] == ',' {
		return vals, words, base + len(b) - len(t), false
	}
	return vals, words, 0, true
}

// zeroWords are the value words a reader counts without decoding them.
var zeroWords [32]uint32

// SWAR (SIMD within a register) constants: a byte of 0x01, of 0x80.
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// bytesEq8 returns the 8 bytes of x with 0x80 in each byte equal to c, 0 in
// the others (no byte borrows from its neighbour).
func bytesEq8(x uint64, c byte) uint64 {
	const lo7 = 0x7f7f7f7f7f7f7f7f
	z := x ^ uint64(c)*swarLo
	return ^((z&lo7 + lo7) | z | lo7)
}

// nonHex8 returns the 8 bytes of x with 0x80 in each byte that is not a
// hex digit (0-9, a-f, A-F, as hexClass) and 0 in the others. Each test
// (y - n*0x01..) & 0x80.., y's bytes with their top bit set, leaves a
// byte's top bit set when its low 7 bits are n or more, and no byte
// borrows from its neighbour.
func nonHex8(x uint64) uint64 {
	y := x | swarHi
	l := y | 0x2020202020202020 // A-F as a-f
	digit := (y - '0'*swarLo) &^ (y - ('9'+1)*swarLo)
	letter := (l - 'a'*swarLo) &^ (l - ('f'+1)*swarLo)
	return (^(digit | letter) | x) & swarHi
}

// keyWordsLen is how many bytes keyWords reads: the longest six key words
// and their separators take 54.
const keyWordsLen = 56

// keyWords reads the six key words of a sync line at b[j:]
// ("0,a845cea,8922,ac102381,1bb,6>": 1 to 8 hex digits each, ',' between,
// '>' after the last) into k and returns the index past the '>', or false.
// b must hold keyWordsLen bytes from j. Every byte that is not a hex digit
// is found in 7 loads, and so every word's place at once: finding each
// word's end before the next word's start made a chain of dependent loads
// (a hot spot of storms).
func keyWords(b []byte, j int, k *[6]uint32) (int, bool) {
	if vecShape && len(b)-j >= keyWordsVecLen {
		end, ok := keyWordsAVX2(&b[j], k)
		return j + end, ok
	}
	return keyWordsGo(b, j, k)
}

// keyWordsVecLen is how many bytes keyWordsAVX2 may read.
const keyWordsVecLen = 72

// keyWordsGo is keyWords with SWAR loads: for machines without AVX2, keys
// near the end of what was read, and the tests' reference.
func keyWordsGo(b []byte, j int, k *[6]uint32) (int, bool) {
	w := b[j : j+keyWordsLen]
	var seps uint64 // bit i: w[i] is not a hex digit
	for q := range 4 {
		seps |= byteMask(nonHex8(binary.LittleEndian.Uint64(w[8*q:]))) << (8 * q)
	}
	if bits.OnesCount64(seps) < 6 { // most keys end within 32 bytes: the rest is only read for longer ones
		for q := 4; q < keyWordsLen/8; q++ {
			seps |= byteMask(nonHex8(binary.LittleEndian.Uint64(w[8*q:]))) << (8 * q)
		}
	}
	start := 0
	for i := range 6 {
		p := bits.TrailingZeros64(seps) // 64 when there are no more
		if n := p - start; n < 1 || n > 8 || w[p] != ",,,,,>"[i] {
			return 0, false
		}
		k[i] = hex8Value(binary.LittleEndian.Uint64(w[start:]), p-start)
		seps &= seps - 1
		start = p + 1
	}
	return j + start, true
}

// byteMask gathers the top bits of x's 8 bytes (0x80 marks, as nonHex8's)
// into its low 8 bits, byte i's into bit i.
func byteMask(x uint64) uint64 { return (x & swarHi) * 0x0002040810204081 >> 56 }

// nonDigit8 returns the 8 bytes of x with 0x80 in each byte that is not a
// decimal digit (as nonHex8, for 0-9 alone).
func nonDigit8(x uint64) uint64 {
	y := x | swarHi
	digit := (y - '0'*swarLo) &^ (y - ('9'+1)*swarLo)
	return (^digit | x) & swarHi
}

// dec8Value is the value of the first n (0 to 8) bytes of x, decimal
// digits, the first the most significant: the digits moved to the top of
// the word (leading zeros below them), then combined in pairs, fours and
// eights.
func dec8Value(x uint64, n int) uint64 {
	if n == 0 {
		return 0
	}
	v := (x - '0'*swarLo) << (64 - 8*n) // the bytes past the digits fall out
	v = (v*10 + v>>8) & 0x00ff00ff00ff00ff
	v = (v*100 + v>>16) & 0x0000ffff0000ffff
	return (v*10000 + v>>32) & 0xffffffff
}

// hex8Value is the value of the first n (1 to 8) bytes of x, hex digits,
// the first the most significant: each byte's digit (a letter has bit 6
// set: +9), then the nibbles packed.
func hex8Value(x uint64, n int) uint32 {
	d := x&(0x0f*swarLo) + (x>>6&swarLo)*9
	d = bits.ReverseBytes64(d) >> (64 - 8*n)
	d = (d | d>>4) & 0x00ff00ff00ff00ff
	d = (d | d>>8) & 0x0000ffff0000ffff
	return uint32(d | d>>16)
}

// nthComma returns the index of the m-th ',' of b (m >= 1), or -1 when b
// has fewer: 8 bytes at a time, a count of the commas in each.
func nthComma(b []byte, m int) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		c := bytesEq8(binary.LittleEndian.Uint64(b[i:]), ',')
		n := bits.OnesCount64(c)
		if n >= m {
			for range m - 1 {
				c &= c - 1
			}
			return i + bits.TrailingZeros64(c)>>3
		}
		m -= n
	}
	for ; i < len(b); i++ {
		if b[i] == ',' {
			if m--; m == 0 {
				return i
			}
		}
	}
	return -1
}

// hex8 parses exactly 8 hex digits, in one load (see nonHex8).
func hex8(b []byte) (uint32, bool) {
	x := binary.LittleEndian.Uint64(b[:8])
	if nonHex8(x) != 0 {
		return 0, false
	}
	return hex8Value(x, 8), true
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// key6 reads a key in the shape a fw tab dump prints it, six words of
// exactly 8 hex digits with ", " between (58 bytes), as words8 would, into
// w: the six words and their separators checked together, with no branch
// per word. It returns false for any other shape. (The words are written
// through w, not returned: a returned array is copied in 16-byte moves that
// stall on the 4-byte stores that filled it.)
func key6(b []byte, w *[6]uint32) bool {
	if len(b) != 58 {
		return false
	}
	var x [6]uint64
	var bad uint64
	for i := range 6 {
		x[i] = binary.LittleEndian.Uint64(b[10*i:])
		bad |= nonHex8(x[i])
		if i < 5 {
			bad |= uint64(binary.LittleEndian.Uint16(b[10*i+8:]) ^ (',' | ' '<<8))
		}
	}
	if bad != 0 {
		return false
	}
	for i := range 6 {
		w[i] = hex8Value(x[i], 8)
		if fastBreakWord != nil {
			w[i] = fastBreakWord(i, w[i])
		}
	}
	return true
}

// hexPrefix8 is hexPrefix when b has the fixed shape of words8 past the
// skip words it counts, or false (and the general parse decides).
func hexPrefix8(b []byte, dst []uint32, skip, n int) (vals []uint32, words int, ok bool) {
	dst = dst[:0]
	if skip > 0 {
		c := nthComma(b, skip)
		if c < 0 {
			return dst, 0, false
		}
		dst, b = append(dst, zeroWords[:skip]...), b[c+1:]
	}
	vals, end := words8(b, dst, n)
	switch {
	case len(vals) == skip:
		return dst[:0], 0, false
	case n > 0 && len(vals) == n && end < len(b) && b[end] == ',':
		rest := b[end+1:]
		if t := trimSpace(rest); len(t) == 0 || t[len(t)-1] == ',' {
			return dst[:0], 0, false // the general parse says where
		}
		return vals, n + 1 + bytes.Count(rest, []byte{','}), true
	case len(trimSpace(b[end:])) == 0:
		return vals, len(vals), true
	}
	return dst[:0], 0, false
}
