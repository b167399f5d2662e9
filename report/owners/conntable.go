package owners

import (
	"math/bits"
	"math/rand/v2"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// connTable is the owners report's set of distinct connections: an
// open-addressing hash table (linear probing) that holds each canonical
// tuple next to its state, 40 bytes a slot, so that finding a connection
// costs one cache miss rather than the two or three of a Go map and a side
// slice. The hash is seeded at random, so that a crafted dump cannot pile
// its keys into one probe run; nothing reads the table in slot order
// without sorting what it finds, so the output does not depend on the seed.
type connTable struct {
	slots  []connSlot
	size   uint64 // len(slots)
	n      int
	s1, s2 uint64
}

type connSlot struct {
	key decode.Tuple
	connState
}

// flagUsed marks an occupied slot (connState.flags).
const flagUsed = 1 << 7

// maxLoad is the fill, in eighths, past which the table doubles.
const maxLoad = 6

func newConnTable(n int) *connTable {
	return newSeededTable(n, rand.Uint64()|1, rand.Uint64()|1)
}

// newSeededTable is a table for n connections whose hash has the seeds s1,
// s2 (those of the other partitions of a connTables).
func newSeededTable(n int, s1, s2 uint64) *connTable {
	t := &connTable{s1: s1, s2: s2}
	t.resize(slotsFor(n))
	return t
}

// slotsFor is the number of slots that holds n connections under maxLoad.
func slotsFor(n int) int { return max(16, (n*8+maxLoad-1)/maxLoad) }

// slot maps a hash to a slot: the high bits of h times the size, which
// works for any size (not only powers of two).
func (t *connTable) slot(h uint64) uint64 {
	hi, _ := bits.Mul64(h, t.size)
	return hi
}

// next is the slot after j, wrapping around.
func (t *connTable) next(j uint64) uint64 {
	if j++; j == t.size {
		return 0
	}
	return j
}

func (t *connTable) resize(size int) {
	old := t.slots
	t.slots = make([]connSlot, size)
	adviseHuge(t.slots)
	t.size = uint64(size)
	for i := range old {
		if s := &old[i]; s.flags&flagUsed != 0 {
			j := t.slot(t.hash(s.key))
			for t.slots[j].flags&flagUsed != 0 {
				j = t.next(j)
			}
			t.slots[j] = *s
		}
	}
}

// Grow makes room for n connections in all.
func (t *connTable) Grow(n int) {
	if size := slotsFor(n); size > len(t.slots) {
		t.resize(size)
	}
}

// hash mixes the tuple's 13 bytes with the seeds (a multiply-fold, as
// wyhash does).
func (t *connTable) hash(k decode.Tuple) uint64 {
	a := uint64(k.Src)<<32 | uint64(k.Dst)
	b := uint64(k.SPort)<<24 | uint64(k.DPort)<<8 | uint64(k.Proto)
	hi, lo := bits.Mul64(a^t.s1, b^t.s2)
	return hi ^ lo
}

// get returns the state of k, whose hash is h, adding it if missing.
func (t *connTable) get(k decode.Tuple, h uint64) *connState {
	for j := t.slot(h); ; j = t.next(j) {
		s := &t.slots[j]
		if s.flags&flagUsed == 0 {
			if (t.n+1)*8 > len(t.slots)*maxLoad {
				t.resize(len(t.slots) * 2)
				return t.get(k, h)
			}
			t.n++
			s.key = k
			s.connState = connState{owner: -1, minSGM: -1, maxSGM: -1, atIn: -1, flags: flagUsed}
			return &s.connState
		}
		if s.key == k {
			return &s.connState
		}
	}
}

// Len is the number of connections.
func (t *connTable) Len() int { return t.n }

// each calls fn with every connection, in slot order.
func (t *connTable) each(fn func(k decode.Tuple, c *connState)) {
	for i := range t.slots {
		if s := &t.slots[i]; s.flags&flagUsed != 0 {
			fn(s.key, &s.connState)
		}
	}
}
