package parse

import "bytes"

// Shapes: a line of a fixed-stride format checked against a pattern of the
// same length in one vectorized pass (32 bytes at a time, shapeFitAVX2, on
// amd64 with AVX2; a byte at a time elsewhere). A shape holds shapeHex
// where the line must hold a hex digit (0-9, a-f, A-F) and, everywhere
// else, the byte the line must hold there. The fw tab -u fast path
// (fwtab_fast.go) checks every byte of a line this way, and only then
// decodes the words it needs, at their known offsets, without checking
// them again.

// shapeHex marks a place for one hex digit in a shape. It is 0, so that a
// NUL in a line never fits a literal place of a shape.
const shapeHex = 0

// makeShape turns a picture of a shape, with 'h' where a hex digit goes,
// into a shape.
func makeShape(picture string) []byte {
	s := []byte(picture)
	for i, c := range s {
		if c == 'h' {
			s[i] = shapeHex
		}
	}
	return s
}

// shapeFit returns the length of the longest prefix of s that fits shape,
// at most min(len(s), len(shape)).
func shapeFit(s, shape []byte) int {
	n := min(len(s), len(shape))
	if vecShape && n >= 32 {
		return shapeFitAVX2(&s[0], &shape[0], n)
	}
	return shapeFitGo(s[:n], shape[:n])
}

// shapeFitGo is shapeFit a byte at a time, for short lines, for machines
// without AVX2 and as the tests' reference.
func shapeFitGo(s, shape []byte) int {
	n := min(len(s), len(shape))
	for i := range n {
		if p := shape[i]; p == shapeHex {
			if hexClass[s[i]] >= 16 {
				return i
			}
		} else if s[i] != p {
			return i
		}
	}
	return n
}

// listScan reads the comma-separated list at the start of b up to its
// first '>': end is that '>', mth the m-th comma before it (m >= 1; -1
// when there are fewer), commas how many commas come before it, lbr
// whether a '[' does. ok is false when no '>' lies in the 32-byte blocks
// of b that it reads whole (it reads no byte past len(b)); the caller then
// searches the slow way. One pass, 32 bytes at a time where the CPU can,
// in place of two IndexByte, nthComma and a Count.
func listScan(b []byte, m int) (end, mth, commas int, lbr, ok bool) {
	if m < 1 {
		return 0, 0, 0, false, false
	}
	if vecShape {
		if len(b) < 32 {
			return 0, 0, 0, false, false
		}
		end, mth, commas, lbr = listScanAVX2(&b[0], len(b), m)
		return end, mth, commas, lbr, end >= 0
	}
	return listScanGo(b, m)
}

// listScanGo is listScan a byte at a time, over whole 32-byte blocks as
// the vectorized one: for machines without AVX2, and the tests' reference.
func listScanGo(b []byte, m int) (end, mth, commas int, lbr, ok bool) {
	mth = -1
	for i, c := range b[:len(b)&^31] {
		switch c {
		case '>':
			return i, mth, commas, lbr, true
		case ',':
			if commas++; commas == m {
				mth = i
			}
		case '[':
			lbr = true
		}
	}
	return 0, 0, 0, false, false
}

// lineEnd returns the index of the first '\n' of b and whether a NUL comes
// before it, in one pass (32 bytes at a time where the CPU can); nl is -1
// when the whole 32-byte blocks of b hold no '\n' (the line reader then
// reads the slow way).
func lineEnd(b []byte) (nl int, nul bool) {
	if vecShape {
		if len(b) < 32 {
			return -1, false
		}
		return lineEndAVX2(&b[0], len(b))
	}
	return lineEndGo(b)
}

// lineEndGo is lineEnd with the byte search of the standard library, over
// the same whole blocks: for machines without AVX2, and the tests'
// reference.
func lineEndGo(b []byte) (nl int, nul bool) {
	b = b[:len(b)&^31]
	if nl = bytes.IndexByte(b, '\n'); nl < 0 {
		return -1, false
	}
	return nl, bytes.IndexByte(b[:nl], 0) >= 0
}
