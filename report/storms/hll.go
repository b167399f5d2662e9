package storms

import (
	"math"
	"math/bits"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// hllP is the HyperLogLog precision: 2^14 one-byte registers (16 KiB), a
// standard error of about 0.8%.
const hllP = 14

// distinct estimates how many distinct connections a stream names, in
// fixed memory whatever the capture's size (HyperLogLog, with linear
// counting for small sets, where it is exact in practice). The hash is
// fixed, so the estimate is deterministic.
type distinct struct {
	reg [1 << hllP]uint8
}

// add counts tuple t.
func (d *distinct) add(t decode.Tuple) {
	d.addHash(mix(uint64(t.Src)<<32|uint64(t.Dst), uint64(t.SPort)<<24|uint64(t.DPort)<<8|uint64(t.Proto)))
}

// addHash counts the element whose hash is h: its register, by the top
// hllP bits, keeps the highest rank of the rest.
func (d *distinct) addHash(h uint64) {
	i := h >> (64 - hllP)
	rank := uint8(bits.LeadingZeros64(h<<hllP|1<<(hllP-1)) + 1)
	d.reg[i] = max(d.reg[i], rank)
}

// addEither counts the connection of t whichever way t runs: add of
// t.Canonical(), without the branch on which end is lower (its outcome is
// a coin toss on a capture, a mispredicted branch every other line). t is
// read in place: a Tuple copied just after the parser's narrow stores
// filled it stalls.
func (d *distinct) addEither(t *decode.Tuple) {
	a, b := uint64(t.Src)<<16|uint64(t.SPort), uint64(t.Dst)<<16|uint64(t.DPort)
	lo, hi := min(a, b), max(a, b) // Canonical: the lower (address, port) first
	d.addHash(mix(lo>>16<<32|hi>>16, (lo&0xffff)<<24|(hi&0xffff)<<8|uint64(t.Proto)))
}

// mix is a 128-to-64-bit hash (the finalizer of MurmurHash3 over both
// words): fast, well spread, and the same on every run.
func mix(a, b uint64) uint64 {
	h := a ^ bits.RotateLeft64(b*0x9e3779b97f4a7c15, 31)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// count is the estimate.
func (d *distinct) count() int64 {
	const m = float64(1 << hllP)
	var sum float64
	zeros := 0
	for _, r := range d.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros)) // linear counting
	}
	return int64(math.Round(est))
}
