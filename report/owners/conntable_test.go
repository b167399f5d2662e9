package owners

import (
	"math/rand/v2"
	"testing"
	"unsafe"

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

// TestHoldings: what connections share is kept once per partition (the
// slot holds an index), so that a slot stays at 40 bytes; holders and the
// first-expiring entry's input come back as hold recorded them.
func TestHoldings(t *testing.T) {
	if got := unsafe.Sizeof(connSlot{}); got != 40 {
		t.Errorf("connSlot is %d bytes, want 40 (owners' bytes per connection rest on it)", got)
	}
	if got := unsafe.Sizeof(connOp{}); got != 40 {
		t.Errorf("connOp is %d bytes, want 40", got)
	}
	p := newPart(3, 5)
	conns := make([]*connState, 1000)
	for i := range conns {
		k := decode.Tuple{Src: uint32(i), Dst: 7, SPort: 1, DPort: 2, Proto: 6}
		conns[i] = p.get(k, p.hash(k))
		p.hold(conns[i], decode.Expiry{Remaining: 100, Timeout: 3600}, []int{1}, 0, uint32(i))
	}
	if len(p.holdings) != 2 {
		t.Fatalf("%d holdings for 1000 connections held alike, want 2 (none, and theirs)", len(p.holdings))
	}
	// One connection on three SGMs, its lowest remaining from input 2.
	c := conns[7]
	p.hold(c, decode.Expiry{Remaining: 200, Timeout: 3600}, []int{4}, 1, 50)
	p.hold(c, decode.Expiry{Remaining: 10, Timeout: 3600}, []int{9}, 2, 60)
	if h := p.holdings[c.held]; h.holders != 1<<1|1<<4|1<<9 || h.atIn != 2 {
		t.Fatalf("holding %+v, want SGMs 1, 4, 9 and input 2", h)
	}
	if r := p.ref(c); r.in != 2 || r.line != 60 || c.minRem != 10 || c.maxRem != 200 {
		t.Fatalf("ref %+v, remaining %d-%d", r, c.minRem, c.maxRem)
	}
	if p.held[1] != 1000 || p.held[4] != 1 || p.held[9] != 1 {
		t.Fatalf("held per SGM %d %d %d", p.held[1], p.held[4], p.held[9])
	}
	if r := p.ref(conns[8]); r.in != 0 || r.line != 8 {
		t.Fatalf("another connection's ref changed: %+v", r)
	}
}
