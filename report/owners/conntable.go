package owners

import (
	"math/bits"
	"math/rand/v2"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// connTable is the owners report's set of distinct connections: an
// open-addressing hash table (linear probing) that holds each canonical
// tuple next to its state, 40 bytes a slot (what many connections share,
// their holders and an input, is kept once per partition: see
// part.holding). Beside the slots, a byte per slot, its tag, says whether
// the slot is used and holds 7 bits of its key's hash: probing walks the
// tags, 1/40 of the slots' size and so
// mostly in cache, and reads a slot only when its tag matches, so that
// finding a connection costs one cache miss (the slot it is in), not one
// per slot probed. The hash is seeded at random, so that a crafted dump
// cannot pile its keys into one probe run; nothing reads the table in slot
// order without sorting what it finds, so the output does not depend on
// the seed.
type connTable struct {
	tags   []uint8 // per slot: 0 when free, else tagOf the key's hash
	slots  []connSlot
	size   uint64 // len(slots)
	n      int
	s1, s2 uint64
}

// tagOf is a used slot's tag for hash h: bits the slot (high bits) and the
// partition (bits 24-31, see connTables.partIndex) do not depend on, and
// the top bit set.
func tagOf(h uint64) uint8 { return uint8(h>>8) | 0x80 }

type connSlot struct {
	key decode.Tuple
	connState
}

// maxLoad is the fill, in eighths, past which the table doubles.
const maxLoad = 7

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
	old, oldTags := t.slots, t.tags
	t.slots = make([]connSlot, size)
	adviseHuge(t.slots)
	t.tags = make([]uint8, size)
	t.size = uint64(size)
	for i, tag := range oldTags {
		if tag != 0 {
			s := &old[i]
			h := t.hash(s.key)
			j := t.slot(h)
			for t.tags[j] != 0 {
				j = t.next(j)
			}
			t.tags[j] = tag // the seeds, and so the hash, are the table's own
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
	return t.hashOf(k.Src, k.Dst, k.SPort, k.DPort, k.Proto)
}

// hashOf is the hash of the tuple whose fields are given.
func (t *connTable) hashOf(src, dst uint32, sport, dport uint16, proto uint8) uint64 {
	return seededHash(t.s1, t.s2, src, dst, sport, dport, proto)
}

// seededHash is the hash of a tuple under the seeds s1, s2 (see opInto).
func seededHash(s1, s2 uint64, src, dst uint32, sport, dport uint16, proto uint8) uint64 {
	a := uint64(src)<<32 | uint64(dst)
	b := uint64(sport)<<24 | uint64(dport)<<8 | uint64(proto)
	hi, lo := bits.Mul64(a^s1, b^s2)
	return hi ^ lo
}

// get returns the state of k, whose hash is h, adding it if missing.
func (t *connTable) get(k decode.Tuple, h uint64) *connState {
	tag := tagOf(h)
	for j := t.slot(h); ; j = t.next(j) {
		switch t.tags[j] {
		case 0:
			if (t.n+1)*8 > len(t.slots)*maxLoad {
				t.resize(len(t.slots) * 2)
				return t.get(k, h)
			}
			t.n++
			t.tags[j] = tag
			s := &t.slots[j]
			// Field by field: k arrives spilled to the stack by narrow
			// stores, and a whole-Tuple copy loads it 16 bytes at a time,
			// which those stores cannot forward to.
			s.key.Src, s.key.Dst, s.key.SPort, s.key.DPort, s.key.Proto = k.Src, k.Dst, k.SPort, k.DPort, k.Proto
			s.connState = connState{owner: -1, minSGM: -1, maxSGM: -1} // held 0: noHolding
			return &s.connState
		case tag:
			if s := &t.slots[j]; s.key == k {
				return &s.connState
			}
		}
	}
}

// probe is the slot get would look at last for a key whose hash is h, as
// far as the tags tell: the first with h's tag, or the free one.
func (t *connTable) probe(h uint64) *connSlot {
	tag := tagOf(h)
	j := t.slot(h)
	for t.tags[j] != 0 && t.tags[j] != tag {
		j = t.next(j)
	}
	return &t.slots[j]
}

// Len is the number of connections.
func (t *connTable) Len() int { return t.n }

// each calls fn with every connection, in slot order.
func (t *connTable) each(fn func(k decode.Tuple, c *connState)) {
	for i, tag := range t.tags {
		if tag != 0 {
			fn(t.slots[i].key, &t.slots[i].connState)
		}
	}
}
