package storms

import (
	"math"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

func TestDistinctEstimate(t *testing.T) {
	for _, n := range []int{0, 1, 40, 1000, 50000, 1000000} {
		var d distinct
		for i := range n {
			tp := decode.Tuple{Src: 0x0a000000 + uint32(i), Dst: 0xac100001, SPort: uint16(i), DPort: 443, Proto: 6}
			d.add(tp)
			d.add(tp) // repeats do not count
		}
		got := float64(d.count())
		tol := math.Max(1, 0.03*float64(n)) // 3%: more than three standard errors
		if n <= 1000 {
			tol = math.Max(1, 0.005*float64(n))
		}
		if math.Abs(got-float64(n)) > tol {
			t.Errorf("distinct(%d) = %.0f, off by more than %.0f", n, got, tol)
		}
	}
}

// TestAddEither checks that addEither counts as add of the canonical tuple
// does, register for register, both ways of every tuple.
func TestAddEither(t *testing.T) {
	var a, b distinct
	seed := uint64(7)
	for range 100000 {
		seed = seed*6364136223846793005 + 1442695040888963407
		tu := decode.Tuple{Src: uint32(seed >> 32), Dst: uint32(seed), SPort: uint16(seed >> 17), DPort: uint16(seed >> 3), Proto: uint8(seed >> 50)}
		if seed>>60 == 0 {
			tu.Dst, tu.DPort = tu.Src, tu.SPort+uint16(seed>>58&1) // same address, ports equal or not
		}
		a.add(tu.Canonical())
		b.addEither(&tu)
		rev := tu.Reverse()
		b.addEither(&rev)
	}
	if a.reg != b.reg {
		t.Fatal("addEither counts differently from add of the canonical tuple")
	}
}
