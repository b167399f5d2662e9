// Package owners is the owner placement audit: where the connection owners
// (CCL_ID) live across every SGM's dumps after a switchover, which
// connections some SGM is about to expire, and what the failure of one SGM
// costs.
package owners

import (
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// DefaultRiskWindow is R of the at-risk rule, in seconds.
const DefaultRiskWindow = report.DefaultRiskWindow

// connState is what the owners report keeps per distinct connection: 32
// bytes, next to its canonical tuple in a connTable slot.
type connState struct {
	minRem, maxRem, timeout uint32
	atLine                  uint32 // line of the entry that expires first (see holding.atIn)
	// held is the index of the connection's holding in its partition's
	// (see part.holding): the SGMs that hold it and the input of the entry
	// that expires first, kept once for all the connections that share
	// them (a dump of one SGM: all of them), in 4 bytes a slot, not 12.
	held           uint32
	owner          int8 // CCL id, -1 when no input named it
	minSGM, maxSGM int8 // SGM ids, -1 when not attributed
	flags          uint8
}

// holding is what connections share of their state (see connState.held).
type holding struct {
	holders uint64 // bit per SGM id holding a full entry
	atIn    int32  // input of the entry that expires first, -1 when no entry gave an expiry
}

// noHolding is the holding of a new connection, index 0 of every
// partition's.
var noHolding = holding{atIn: -1}

// entryRef is where an entry was read: an input and a line.
type entryRef struct {
	in   int32 // -1 for none
	line uint32
}

const (
	flagExpiry   = 1 << iota // some entry gave remaining/timeout
	flagReversed             // shown reversed from the canonical tuple (client side first)
	flagOriented             // orientation fixed by a dir-0 entry
	flagTable                // a table dump holds it (fw tab -u/-f entry or link, gconn row)
	flagDeleted              // the capture shows a DELETE of it
)

// Owners is the builder of the owner placement audit: it takes every record
// of every SGM's dumps from a [report.Feed], then Report computes the
// audit. A connection is its canonical 5-tuple: seen under any key, on any
// SGM, it counts once.
type Owners struct {
	f          *report.Feed
	l          decode.Layout
	riskWindow uint32
	dumpTime   int64

	tab     *connTables
	sizeFor int64         // bytes GrowForBytes was told of, until the table is sized
	work    *partWorkers  // while chunks are merged, see parts.go
	free    chan []connOp // op lists to reuse, see NewShard
	// longestOps is the longest op list of a chunk merged so far (see
	// opsCap): written by the merges, read by new shards on any core.
	longestOps atomic.Int64

	ids      []int   // SGM ids of the current record's SGMs (scratch)
	serial   opBatch // ops of the records Add took, not yet applied (see Add)
	tables   int     // distinct connections a table dump holds
	noSGM    int64   // full entries from inputs with no SGM
	conflict int64   // connections whose inputs disagree on the owner
	held     [decode.MaxIDs]int64
	// lastUpdate is the latest LastUpdateTime of the fw tab -f lines, as
	// Unix seconds of the gateway's local clock (the zone is not printed).
	lastUpdate int64
	zone       string // suffix of rendered times, set by Report
}

// Attribution says which SGM an input's entries were attributed to, and by
// which rule.
type Attribution struct {
	Input string   `json:"input"`
	SGMs  []string `json:"sgms"`
	Rule  string   `json:"rule"`
}

// New returns a builder fed by f (it registers itself). riskWindow is R
// of the at-risk rule (0 means DefaultRiskWindow); dumpTime is the Unix
// time the dumps were taken, 0 when unknown.
func New(f *report.Feed, riskWindow uint32, dumpTime int64) *Owners {
	if riskWindow == 0 {
		riskWindow = DefaultRiskWindow
	}
	o := &Owners{f: f, l: f.Layout(), riskWindow: riskWindow, dumpTime: dumpTime, tab: newConnTables(defaultParts()), free: make(chan []connOp, 64)}
	f.Use(o)
	return o
}

// Grow makes room for about n more distinct connections, so that a big
// dump does not rehash its table again and again.
func (o *Owners) Grow(n int) {
	if n > 0 && n <= 1<<26 {
		o.tab.Grow(o.tab.Len() + n)
	}
}

// GrowForBytes makes room for the connections of dumps of n bytes in all,
// so that the table is sized once rather than doubled while reading. The
// room is made when the first records arrive: for a dump read in chunks,
// as many connections as the first chunk's full entries per byte make of
// n (the dumps with link lines hold some 555 bytes per connection, those
// without 420); else, or with no entry in that chunk, n/420 (a full R81.20
// entry is about 420 bytes). n/420, and 4M, bound it: inputs that hold
// each connection many times (g_all dumps of many SGMs) reserve no more.
func (o *Owners) GrowForBytes(n int64) { o.sizeFor = max(n, 0) }

// size makes the room GrowForBytes asks for, once, from the first chunk's
// entries and bytes (0, 0 when records come one at a time).
func (o *Owners) size(entries int, bytes int64) {
	if o.sizeFor == 0 {
		return
	}
	n := min(o.sizeFor/420, 4_000_000)
	if entries > 0 && bytes > 0 {
		n = min(n, int64(float64(o.sizeFor)*float64(entries)/float64(bytes)*17/16)+4096)
	}
	o.sizeFor = 0
	o.Grow(int(n))
}

// ValueWords is how many value words the audit reads: up to the owner word.
func (o *Owners) ValueWords() int { return decode.WordBits + 1 }

// FirstValueWord implements report.WordSkipper: the owner word is the only
// value word the audit reads.
func (o *Owners) FirstValueWord() int { return decode.WordBits }

// Add takes one record, on the feed's goroutine. Its op waits in a batch,
// applied (as a chunk's are, with the slots fetched ahead: see applyAll)
// when serialBatch ops are waiting, when the next record's input or SGMs
// differ, and before anything else reads or changes the table (flush).
// One at a time, each op waited for its slot's cache miss: owners of the
// 2M dump on one core spent half its time in get.
func (o *Owners) Add(it *report.Item) {
	o.ids = o.idsOf(o.ids[:0], it.SGMs)
	if b := &o.serial; len(b.ops) > 0 && (b.input != int32(it.Input) || !slices.Equal(b.ids, o.ids)) {
		o.flush()
	}
	op := o.tab.opInto(it.Record, &o.lastUpdate, o.serialOp)
	if op == nil {
		return
	}
	if b := &o.serial; len(b.ops) == 1 {
		o.settle() // the chunks merged before are applied first
		o.size(0, 0)
		b.ids, b.input = append(b.ids[:0], o.ids...), int32(it.Input)
	}
	if len(o.serial.ops) == serialBatch {
		o.flush()
	}
}

// serialBatch is how many ops of records taken one at a time wait to be
// applied together.
const serialBatch = 1024

// serialOp appends a zero op to the batch of Add and returns it.
func (o *Owners) serialOp(uint64) *connOp {
	if o.serial.ops == nil {
		o.serial.ops = make([]connOp, 0, serialBatch)
	}
	o.serial.ops = append(o.serial.ops, connOp{})
	return &o.serial.ops[len(o.serial.ops)-1]
}

// flush applies the ops Add took and has not applied, each to its
// partition, in order.
func (o *Owners) flush() {
	b := &o.serial
	if len(b.ops) == 0 {
		return
	}
	o.settle()
	o.tab.applyAll(*b)
	b.ops = b.ops[:0]
}

// idsOf appends the layout ids of sgms to dst.
func (o *Owners) idsOf(dst []int, sgms []decode.SGM) []int {
	for _, s := range sgms {
		if id, ok := o.l.ID(s); ok {
			dst = append(dst, id)
		}
	}
	return dst
}

// opInto writes what rec does to its connection in the op at(h) returns,
// h the hash of the connection, and returns that op, or nil when rec does
// nothing;
// lastUpdate takes the latest LastUpdateTime of the fw tab -f lines. The
// canonical key is worked out in registers and the op written field by
// field where it stays: a Tuple has too many fields to live in registers,
// and copying one just built stalls on its narrow stores (a hot spot).
func (g *connTables) opInto(rec *parse.Record, lastUpdate *int64, at func(h uint64) *connOp) *connOp {
	var t *decode.Tuple
	var kind uint8
	switch rec.Kind {
	case parse.KindFwTab, parse.KindFwTabF:
		if !rec.HasKey {
			return nil
		}
		t, kind = &rec.Key.Tuple, opEntry
	case parse.KindFwTabLink:
		t, kind = &rec.Link.Tuple, opLink // the link joins the entry it points to
	case parse.KindGconn:
		t, kind = &rec.Key.Tuple, opGconn
	case parse.KindSync:
		if !rec.HasKey || rec.Table != "connections" {
			return nil
		}
		t, kind = &rec.Key.Tuple, opSync
	default:
		return nil
	}
	op := g.keyOp(t, kind, rec.Pos.Line, at)
	switch kind {
	case opEntry:
		if rec.LastUpdate != "" {
			if at, err := time.Parse("02Jan2006 15:04:05", rec.LastUpdate); err == nil {
				*lastUpdate = max(*lastUpdate, at.Unix())
			}
		}
		op.entry(rec.Key.Dir, rec.HasExpiry, rec.Expiry)
	case opGconn:
		if rec.OwnerID >= 0 {
			op.flags |= opOwner
			op.owner = int8(rec.OwnerID) // 0..63: the parser rejects other ids
		}
	case opSync:
		if rec.Op == "DELETE" {
			op.flags |= opDeleted
		}
	}
	if kind == opEntry || kind == opSync {
		if w, ok := rec.Owner(); ok {
			op.ownerWord(w)
		}
	}
	return op
}

// entry sets in op what a full entry says besides its key: whether the
// key has direction 0 (dir), and its expiry when it has one.
func (op *connOp) entry(dir uint32, hasExpiry bool, e decode.Expiry) {
	if dir == 0 {
		op.flags |= opDir0
	}
	if hasExpiry {
		op.flags |= opExpiry
		op.rem, op.timeout = e.Remaining, e.Timeout
	}
}

// ownerWord sets in op the owner that value word 13, w, names.
func (op *connOp) ownerWord(w uint32) {
	op.flags |= opOwner
	op.owner = int8(decode.CCLID(w))
}

// keyOp writes the op of a record of kind at line whose connection's key
// is t in the op at(h) returns, h the hash of the connection, and returns
// the op (see keyHash and fillKey).
func (g *connTables) keyOp(t *decode.Tuple, kind uint8, line int, at func(h uint64) *connOp) *connOp {
	h := g.keyHash(t)
	op := at(h)
	fillKey(op, t, h, kind, line)
	return op
}

// keyHash is the hash of the connection whose key is t: of its canonical
// tuple. The seeds are the connTables' own copy, not a partition's: a
// partition's table is written on another core, and reading its seeds
// here, next to its count, stalled on that cache line.
func (g *connTables) keyHash(t *decode.Tuple) uint64 {
	if t.Flipped() {
		return seededHash(g.s1, g.s2, t.Dst, t.Src, t.DPort, t.SPort, t.Proto)
	}
	return seededHash(g.s1, g.s2, t.Src, t.Dst, t.SPort, t.DPort, t.Proto)
}

// fillKey writes in op the canonical key of t, its hash h, the kind, the
// line, and opReversed when t is not canonical; the other flags cleared.
// The key is written field by field: a Tuple has too many fields to live
// in registers, and copying one just built stalls on its narrow stores.
func fillKey(op *connOp, t *decode.Tuple, h uint64, kind uint8, line int) {
	src, dst, sport, dport := t.Src, t.Dst, t.SPort, t.DPort
	op.flags = 0
	if t.Flipped() {
		src, dst, sport, dport = dst, src, dport, sport
		op.flags = opReversed
	}
	op.key.Src, op.key.Dst, op.key.SPort, op.key.DPort, op.key.Proto = src, dst, sport, dport, t.Proto
	op.h, op.kind = h, kind
	op.line = uint32(min(line, math.MaxUint32))
}

// live reports whether the connection counts: when table dumps were read,
// the connections a table holds; without any, the capture's connections
// but those it shows deleted.
func (o *Owners) live(c *connState) bool {
	if o.tables > 0 {
		return c.flags&flagTable != 0
	}
	return c.flags&flagDeleted == 0
}

// atRisk applies the rule: with R the risk window and a timeout longer than
// 2R, some SGM expires the connection within R (lowest remaining < R) while
// another refreshed it within the last R (highest remaining > timeout - R).
func (o *Owners) atRisk(c *connState) bool {
	return c.flags&flagExpiry != 0 && decode.AtRisk(c.minRem, c.maxRem, c.timeout, o.riskWindow)
}

// OwnedBy counts the connections owned by SGM s and, of those, how many
// some other SGM still holds a full entry for: after s fails, the first are
// the connections it was responsible for, the second those a backup can
// carry on.
func (o *Owners) OwnedBy(s decode.SGM) (owned, heldElsewhere int) {
	id, ok := o.l.ID(s)
	if !ok {
		return 0, 0
	}
	o.finish()
	for _, p := range o.tab.parts {
		p.each(func(_ decode.Tuple, c *connState) {
			if int(c.owner) != id {
				return
			}
			if !o.live(c) {
				return
			}
			owned++
			if id < 64 && p.holdings[c.held].holders&^(1<<uint(id)) != 0 {
				heldElsewhere++
			}
		})
	}
	return owned, heldElsewhere
}
