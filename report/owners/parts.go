package owners

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"unsafe"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Owners on every core. The connections are split by hash into partitions,
// one table each, and each partition has a goroutine of its own while a big
// dump is read in chunks: a chunk's shard (parsed on the chunk's core)
// sorts what each record does to its connection (a connOp) by partition,
// and its merge hands each partition its list, in file order. A
// connection's ops thus reach its table in input order, whatever the number
// of partitions, and the audit is the serial one. Records the feed hands
// one at a time (every input that is not read in chunks) wait until the
// partitions have applied what came before, then are applied in place.

// connOp is what one record does to its connection.
type connOp struct {
	key          decode.Tuple // canonical
	h            uint64       // key's hash
	rem, timeout uint32       // opExpiry
	line         uint32       // the record's line (of its chunk, in a shard)
	owner        int8         // CCL id (0 to 63), opOwner
	kind, flags  uint8
	// 40 bytes: an op list is written on one core and read on another,
	// each cache line of it moving between them.
}

// connOp kinds and flags.
const (
	opEntry = iota // fw tab -u/-f full entry
	opLink         // fw tab -u link line
	opGconn        // gconn row
	opSync         // kernel-debug sync message

	opDir0     = 1 << 0 // the entry's key has direction 0
	opReversed = 1 << 1 // the key as given is not the canonical tuple
	opOwner    = 1 << 2 // owner is set
	opExpiry   = 1 << 3 // rem and timeout are set
	opDeleted  = 1 << 4 // a DELETE
)

// connTables is the set of distinct connections, in partitions by hash.
type connTables struct {
	parts  []*part
	s1, s2 uint64
}

// part is a partition of the connections, with the counts of its own.
// Each is written on a core of its own: the padding keeps what one writes
// (its table's count, its counts) off the cache lines of another's, or of
// any other small object the reading cores share.
type part struct {
	_ [64]byte
	connTable
	tables          int   // connections a table dump holds
	conflict, noSGM int64 // see Owners
	held            [decode.MaxIDs]int64
	// The holdings of the partition's connections (see connState.held),
	// each once, noHolding first; their indexes, and the one found last.
	holdings  []holding
	holdingIx map[holding]uint32
	lastHeld  uint32
	_         [64]byte
}

func newConnTables(n int) *connTables {
	g := &connTables{parts: make([]*part, max(1, n)), s1: rand.Uint64() | 1, s2: rand.Uint64() | 1}
	for i := range g.parts {
		g.parts[i] = newPart(g.s1, g.s2)
	}
	return g
}

// newPart is an empty partition whose hash has the seeds s1, s2.
func newPart(s1, s2 uint64) *part {
	return &part{connTable: *newSeededTable(0, s1, s2), holdings: []holding{noHolding}, holdingIx: map[holding]uint32{noHolding: 0}}
}

// part is the partition of the connection whose hash is h: by its low
// bits, as a table's slot is by its high bits.
func (g *connTables) part(h uint64) *part { return g.parts[g.partIndex(h)] }

func (g *connTables) partIndex(h uint64) uint64 {
	return (h & math.MaxUint32) * uint64(len(g.parts)) >> 32
}

// Len is the number of connections.
func (g *connTables) Len() int {
	n := 0
	for _, p := range g.parts {
		n += p.n
	}
	return n
}

// Grow makes room for n connections in all.
func (g *connTables) Grow(n int) {
	per := n/len(g.parts) + n/len(g.parts)/128 + 4096 // and the spread of a hash
	for _, p := range g.parts {
		p.Grow(per)
	}
}

// apply applies op, of a record of input attributed to the SGM ids, whose
// line is op.line plus base.
func (p *part) apply(op *connOp, ids []int, input int32, base uint32) {
	c := p.get(op.key, op.h)
	switch op.kind {
	case opEntry:
		if op.flags&opDir0 != 0 && c.flags&flagOriented == 0 {
			c.flags |= flagOriented
			if op.flags&opReversed != 0 {
				c.flags |= flagReversed
			}
		}
		if op.flags&opOwner != 0 {
			p.setOwner(c, int(op.owner))
		}
		p.table(c)
		if op.flags&opExpiry != 0 {
			p.hold(c, decode.Expiry{Remaining: op.rem, Timeout: op.timeout}, ids, input, uint32(min(uint64(op.line)+uint64(base), math.MaxUint32)))
		}
	case opLink:
		p.table(c)
	case opGconn:
		p.table(c)
		if op.flags&opOwner != 0 {
			p.setOwner(c, int(op.owner))
		}
	case opSync:
		if op.flags&opOwner != 0 {
			p.setOwner(c, int(op.owner))
		}
		if op.flags&opDeleted != 0 {
			c.flags |= flagDeleted
		}
	}
}

// applyAll applies a batch of ops of this partition. The slots are far
// bigger than the caches, so each op's slot is a cache miss, and so may be
// its tag: the
// loop asks for the tag of the op tagsAhead on and for the slot of the op
// slotsAhead on (found by its tag, fetched by then; both ends, as a slot
// may span two cache lines) while it applies the op at hand, so that the
// misses overlap with the work. The prefetches are instructions that do
// not wait for their line (see prefetch): loads would hold the CPU back
// until theirs arrived. BenchmarkApplyAll: 72-85 ns per op with batches of
// plain loads ahead, 49-55 with this.
func (p *part) applyAll(b opBatch) { applyBatch(b, p, nil) }

// applyAll applies a batch of ops of any partitions (those Owners.Add
// took), in order, each to its own.
func (g *connTables) applyAll(b opBatch) { applyBatch(b, nil, g) }

// applyBatch is applyAll: every op to one, or (one nil) each to its
// partition of g.
func applyBatch(b opBatch, one *part, g *connTables) {
	const tagsAhead, slotsAhead = 32, 16
	at := func(h uint64) *part {
		if one != nil {
			return one
		}
		return g.part(h)
	}
	ops := b.ops
	n := len(ops)
	for i := range min(tagsAhead, n) {
		prefetch(at(ops[i].h).tagAddr(ops[i].h))
	}
	for i := range min(slotsAhead, n) {
		s := at(ops[i].h).slotAddr(ops[i].h)
		prefetch2(s, s+unsafe.Sizeof(connSlot{})-1)
	}
	for i := range ops {
		// One call that prefetches the tag of the op tagsAhead on and
		// the slot of the op slotsAhead on (calls are not free: the
		// four this took were a tenth of the loop). Past the end, the
		// op at hand's own address, which is in cache.
		t := uintptr(unsafe.Pointer(&ops[i]))
		s, e := t, t
		if j := i + tagsAhead; j < n {
			t = at(ops[j].h).tagAddr(ops[j].h)
		}
		if j := i + slotsAhead; j < n {
			s = at(ops[j].h).slotAddr(ops[j].h)
			e = s + unsafe.Sizeof(connSlot{}) - 1
		}
		prefetch3(t, s, e)
		at(ops[i].h).apply(&ops[i], b.ids, b.input, b.base)
	}
}

// tagAddr is the address of the tag where the probe for hash h starts.
func (p *part) tagAddr(h uint64) uintptr { return uintptr(unsafe.Pointer(&p.tags[p.slot(h)])) }

// slotAddr is the address of the slot the probe for hash h ends at, as far
// as the tags tell (see probe).
func (p *part) slotAddr(h uint64) uintptr { return uintptr(unsafe.Pointer(p.probe(h))) }

// table marks c as held by a table dump.
func (p *part) table(c *connState) {
	if c.flags&flagTable == 0 {
		c.flags |= flagTable
		p.tables++
	}
}

func (p *part) setOwner(c *connState, id int) {
	switch {
	case c.owner < 0:
		c.owner = int8(id)
	case int(c.owner) != id:
		p.conflict++
	}
}

// hold records an entry's expiry on every SGM the record belongs to.
func (p *part) hold(c *connState, e decode.Expiry, ids []int, input int32, line uint32) {
	h := p.holdings[c.held]
	was := h
	if c.flags&flagExpiry == 0 || e.Remaining < c.minRem {
		h.atIn, c.atLine = input, line
	}
	if len(ids) == 0 {
		p.noSGM++
		expiry(c, e, -1)
	}
	for _, id := range ids {
		if id < 64 && h.holders&(1<<uint(id)) == 0 {
			h.holders |= 1 << uint(id)
			p.held[id]++
		}
		expiry(c, e, id)
	}
	if h != was {
		c.held = p.holding(h)
	}
}

// holding is the index of h among the partition's holdings, added if it
// is new. The one found last is tried first: the entries of a chunk come
// from one input and the same SGMs, and mostly make the same holding.
func (p *part) holding(h holding) uint32 {
	if p.holdings[p.lastHeld] == h {
		return p.lastHeld
	}
	i, ok := p.holdingIx[h]
	if !ok {
		i = uint32(len(p.holdings))
		p.holdings = append(p.holdings, h)
		p.holdingIx[h] = i
	}
	p.lastHeld = i
	return i
}

// ref is where c's entry that expires first was read.
func (p *part) ref(c *connState) entryRef {
	return entryRef{in: p.holdings[c.held].atIn, line: c.atLine}
}

func expiry(c *connState, e decode.Expiry, sgm int) {
	if c.flags&flagExpiry == 0 || e.Remaining < c.minRem {
		c.minRem, c.minSGM = e.Remaining, int8(sgm)
	}
	if c.flags&flagExpiry == 0 || e.Remaining > c.maxRem {
		c.maxRem, c.maxSGM = e.Remaining, int8(sgm)
	}
	c.timeout = max(c.timeout, e.Timeout)
	c.flags |= flagExpiry
}

// partWorkers are the partitions' goroutines while chunks are merged.
type partWorkers struct {
	in      []chan opBatch
	pending sync.WaitGroup // batches sent and not yet applied
	running sync.WaitGroup // the goroutines
}

// opBatch is one chunk's ops for one partition.
type opBatch struct {
	ops   []connOp
	ids   []int
	input int32
	base  uint32
}

// shard sorts one chunk's ops by partition (see above).
type shard struct {
	o          *Owners
	ops        [][]connOp
	entries    int // full entries among the ops (see Owners.size)
	lastUpdate int64
}

// NewShard returns an empty shard of the audit, with lists of ops the
// partitions are done with, so that a big dump makes no garbage per chunk.
func (o *Owners) NewShard() report.Shard {
	sh := &shard{o: o, ops: make([][]connOp, len(o.tab.parts))}
	for i := range sh.ops {
		select {
		case sh.ops[i] = <-o.free:
		default:
			sh.ops[i] = make([]connOp, 0, o.opsCap())
		}
	}
	return sh
}

// minOpsCap is the capacity of a new op list before any chunk was merged:
// a partition's share of a 4 MiB chunk of an R81.20 dump with link lines
// (some 266 bytes a line) on two cores.
const minOpsCap = 8 << 10

// opsCap is the capacity of a new op list: a little more than the longest
// list a merged chunk made. A list grown by append from nothing left four
// times its size behind, never collected before the end (the heap stays
// under the collector's goal): 36 MB of fresh pages for the 2M dump, and
// every fresh page costs a fault and its zeroing.
func (o *Owners) opsCap() int {
	return int(max(o.longestOps.Load()*17/16, minOpsCap))
}

// Add takes a record of the chunk: every record can be taken. Its op is
// written in place at the end of its partition's list.
func (sh *shard) Add(it *report.Item) bool {
	if op := sh.o.tab.opInto(it.Record, &sh.lastUpdate, sh.place); op != nil && op.kind == opEntry {
		sh.entries++
	}
	return true
}

// AddFwTab takes a fw tab -u entry or link line of the chunk, as the
// parser's fast path read it: the op Add would make of its Record (opInto).
func (sh *shard) AddFwTab(f *parse.FwTabFields) {
	h := sh.o.tab.keyHash(&f.Key.Tuple)
	op := sh.place(h) // called directly: through keyOp it is a func value
	if f.Link {
		fillKey(op, &f.Key.Tuple, h, opLink, f.Line)
		return
	}
	fillKey(op, &f.Key.Tuple, h, opEntry, f.Line)
	sh.entries++
	op.entry(f.Key.Dir, true, f.Expiry)
	if f.WordIndex == decode.WordBits {
		op.ownerWord(f.Word)
	}
}

// place appends a zero op to the list of the partition of hash h and
// returns it.
func (sh *shard) place(h uint64) *connOp {
	i := sh.o.tab.partIndex(h)
	sh.ops[i] = append(sh.ops[i], connOp{})
	return &sh.ops[i][len(sh.ops[i])-1]
}

// Merge hands each partition its ops.
func (sh *shard) Merge(c report.ChunkContext) {
	o := sh.o
	o.flush() // the records taken one at a time before this chunk
	o.lastUpdate = max(o.lastUpdate, sh.lastUpdate)
	if o.work == nil {
		o.size(sh.entries, c.Bytes)
		o.startWorkers()
	}
	ids := o.idsOf(nil, c.SGMs)
	for i, ops := range sh.ops {
		if n := int64(len(ops)); n > o.longestOps.Load() {
			o.longestOps.Store(n) // the merging goroutine is the only writer
		}
		if len(ops) > 0 {
			o.work.pending.Add(1)
			o.work.in[i] <- opBatch{ops: ops, ids: ids, input: int32(c.Input), base: uint32(min(c.Base, math.MaxUint32))}
		}
	}
}

func (o *Owners) startWorkers() {
	w := &partWorkers{in: make([]chan opBatch, len(o.tab.parts))}
	for i, p := range o.tab.parts {
		w.in[i] = make(chan opBatch, 4)
		w.running.Add(1)
		go func(in chan opBatch) {
			defer w.running.Done()
			for b := range in {
				p.applyAll(b)
				select {
				case o.free <- b.ops[:0]:
				default:
				}
				w.pending.Done()
			}
		}(w.in[i])
	}
	o.work = w
}

// settle waits until the partitions have applied every chunk merged.
func (o *Owners) settle() {
	if o.work != nil {
		o.work.pending.Wait()
	}
}

// finish stops the partitions' goroutines and sums their counts into the
// audit's; reading may go on after it.
func (o *Owners) finish() {
	o.flush()
	if w := o.work; w != nil {
		for _, in := range w.in {
			close(in)
		}
		w.running.Wait()
		o.work = nil
	}
	o.tables, o.conflict, o.noSGM, o.held = 0, 0, 0, [decode.MaxIDs]int64{}
	for _, p := range o.tab.parts {
		o.tables += p.tables
		o.conflict += p.conflict
		o.noSGM += p.noSGM
		for i, n := range p.held {
			o.held[i] += n
		}
	}
}

// defaultParts is how many partitions an audit has: one per core.
func defaultParts() int { return runtime.GOMAXPROCS(0) }
