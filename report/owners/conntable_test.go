package owners

import (
	"math/rand/v2"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// TestConnTableLikeMap checks the table against a Go map through many
// doublings, with keys that differ in one field only and keys that repeat.
func TestConnTableLikeMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := newConnTable(0)
	want := map[decode.Tuple]uint32{}
	for i := range 200_000 {
		var k decode.Tuple
		switch i % 4 {
		case 0: // only the source port differs
			k = decode.Tuple{Src: 1, Dst: 2, SPort: uint16(i / 4), DPort: 443, Proto: 6}
		case 1: // a key seen before, or nearly
			k = decode.Tuple{Src: 1, Dst: 2, SPort: uint16(rng.IntN(1 + i/4)), DPort: 443, Proto: 6}
		default:
			k = decode.Tuple{Src: rng.Uint32() % 5000, Dst: rng.Uint32() % 3, SPort: uint16(rng.IntN(4)), DPort: uint16(rng.IntN(3)), Proto: uint8(rng.IntN(2))}
		}
		c := tab.get(k, tab.hash(k))
		c.timeout++
		want[k]++
	}
	if tab.Len() != len(want) {
		t.Fatalf("table holds %d connections, the map %d", tab.Len(), len(want))
	}
	seen := 0
	tab.each(func(k decode.Tuple, c *connState) {
		seen++
		if want[k] != c.timeout {
			t.Fatalf("%v counted %d times, want %d", k, c.timeout, want[k])
		}
		if c.owner != -1 || c.minSGM != -1 || c.maxSGM != -1 {
			t.Fatalf("%v: new state not initialised: %+v", k, *c)
		}
	})
	if seen != len(want) {
		t.Fatalf("each visited %d connections, want %d", seen, len(want))
	}
	if load := float64(tab.Len()) / float64(len(tab.slots)); load > maxLoad/8.0 {
		t.Errorf("load %.2f over the maximum %.2f", load, maxLoad/8.0)
	}
}

// BenchmarkConnTable adds 2M connections and looks each up once more, in
// random order, as an fw tab -u dump of entries and links does: the
// owners table against a Go map with a side slice of states, its
// predecessor. The figure is per 4M operations.
func BenchmarkConnTable(b *testing.B) {
	const n = 2_000_000
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([]decode.Tuple, 2*n)
	for i := range n {
		keys[i] = decode.Tuple{Src: rng.Uint32(), Dst: rng.Uint32(), SPort: uint16(i), DPort: 443, Proto: 6}
	}
	for i := n; i < 2*n; i++ {
		keys[i] = keys[rng.IntN(n)]
	}
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			t := newConnTable(n)
			for _, k := range keys {
				t.get(k, t.hash(k)).timeout++
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			index := make(map[decode.Tuple]uint32, n)
			conns := make([]connState, 0, n)
			for _, k := range keys {
				i, ok := index[k]
				if !ok {
					i = uint32(len(conns))
					index[k] = i
					conns = append(conns, connState{})
				}
				conns[i].timeout++
			}
		}
	})
}
