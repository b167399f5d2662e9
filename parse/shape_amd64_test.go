package parse

import (
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

func TestPextFast(t *testing.T) {
	for _, c := range []struct {
		vendor string
		eax    uint32
		want   bool
	}{
		{"GenuineIntel", 0x000806f8, true},  // Sapphire Rapids
		{"AuthenticAMD", 0x00800f12, false}, // Zen 1 (family 0x17)
		{"AuthenticAMD", 0x00830f10, false}, // Zen 2
		{"HygonGenuine", 0x00900f02, false}, // Dhyana (family 0x18)
		{"AuthenticAMD", 0x00a20f10, true},  // Zen 3 (family 0x19)
		{"AuthenticAMD", 0x00b40f40, true},  // Zen 5 (family 0x1a)
	} {
		if got := pextFast(c.vendor, c.eax); got != c.want {
			t.Errorf("pextFast(%s, %#x) = %v, want %v", c.vendor, c.eax, got, c.want)
		}
	}
}

// BenchmarkSyncLine is the sink's read of a simulated capture with
// syncLine and without it (lineEnd and syncFields, as where PEXT is slow),
// in one run.
func BenchmarkSyncLine(b *testing.B) {
	c := sim.DefaultConfig()
	c.Conns = 20000
	data := simCapture(b, c)
	for _, on := range []bool{true, false} {
		name := "syncLine"
		if !on {
			name = "lineEnd+syncFields"
		}
		b.Run(name, func(b *testing.B) {
			if on && !vecLine {
				b.Skip("syncLine needs AVX2 and a fast PEXT")
			}
			defer func(v bool) { vecLine = v }(vecLine)
			vecLine = on
			var n countSink
			benchSinkWith(b, data, true, 14, 13, nil, &n)
			if n == 0 {
				b.Fatal("the sink took no line")
			}
		})
	}
}
