package parse

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
