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
