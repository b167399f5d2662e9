package owners

import (
	"math/rand/v2"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// BenchmarkApplyAll applies a dump's ops (an entry and a link for each of
// 2M connections, in random order) to one partition, as a chunk's batches
// reach it.
func BenchmarkApplyAll(b *testing.B) {
	const conns = 1 << 20
	rng := rand.New(rand.NewPCG(1, 2))
	ops := make([]connOp, 0, 2*conns)
	p := newPart(rng.Uint64()|1, rng.Uint64()|1)
	for range conns {
		k := decode.Tuple{Src: rng.Uint32(), Dst: rng.Uint32(), SPort: uint16(rng.Uint32()), DPort: 443, Proto: 6}
		h := p.hash(k)
		ops = append(ops, connOp{key: k, h: h, kind: opEntry, flags: opDir0 | opOwner | opExpiry, owner: 3, rem: 100, timeout: 3600})
		ops = append(ops, connOp{key: k, h: h, kind: opLink})
	}
	rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
	ids := []int{1}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		p.connTable = *newSeededTable(conns*4/3, p.s1, p.s2)
		for i := range p.slots {
			p.slots[i].flags = 0
		}
		b.StartTimer()
		for i := 0; i < len(ops); i += 10000 {
			p.applyAll(opBatch{ops: ops[i:min(i+10000, len(ops))], ids: ids})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ops)), "ns/op-applied")
}
