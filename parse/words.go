package parse

import "bytes"

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

// hexList parses comma-separated hex words ("0001c001, 40044080" or
// "1c001,40044080") into dst[:0]. On a bad word it returns the byte offset of
// that word within b and false.
func hexList(b []byte, dst []uint32) ([]uint32, int, bool) {
	dst = dst[:0]
	off := 0
	for {
		i := bytes.IndexByte(b[off:], ',')
		end := len(b)
		if i >= 0 {
			end = off + i
		}
		w := b[off:end]
		lead := 0
		for lead < len(w) && (w[lead] == ' ' || w[lead] == '\t') {
			lead++
		}
		v, ok := hexWord(trimSpace(w))
		if !ok {
			return dst, off + lead, false
		}
		dst = append(dst, v)
		if i < 0 {
			return dst, 0, true
		}
		off = end + 1
	}
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
