package storms

import (
	"math"

	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// shard is a Storms of its own for one chunk of a big capture (see
// report.Sharder), merged into the report in file order. It refuses what
// it could not merge exactly: unstamped messages, dumps and syncstat
// outputs, more buckets or op names than the report keeps.
type shard struct {
	Storms
	parent *Storms
	ops    []string // op names in the order the chunk first shows them
}

// NewShard returns an empty shard of the report.
func (s *Storms) NewShard() report.Shard {
	return &shard{parent: s, Storms: Storms{l: s.l, opt: s.opt, byOp: map[string]*int64{}, stamped: map[int64]int32{},
		activeBy: map[int64]*[10]int32{}}}
}

// Add takes one record of the chunk.
func (sh *shard) Add(it *report.Item) bool {
	n := len(sh.byOp)
	return sh.take(it, true) && sh.opsSince(n, it.Op)
}

// AddSync takes one sync line of the chunk as the parser's fast path read
// it: what Add does with its Record.
func (sh *shard) AddSync(f *parse.SyncFields, it *report.Item) bool {
	n := len(sh.byOp)
	m := &sh.msg // filled field by field: see Storms.msg
	m.op, m.key, m.hasTime, m.line, m.mask, m.hasMask = f.Op, &f.Key.Tuple, true, f.Line, f.Mask, f.HasMask
	m.owner, m.hasOwner = f.Owner()
	sh.message(it, m)
	return !sh.unmergeable() && sh.opsSince(n, f.Op)
}

// opsSince notes op as the chunk's next new op name when the shard counts
// more names than the n it had; it reports true.
func (sh *shard) opsSince(n int, op string) bool {
	if len(sh.byOp) > n {
		sh.ops = append(sh.ops, op)
	}
	return true
}

// Merge adds the chunk's counts to the report's as the serial read would
// have: op names and buckets in the order the chunk first shows them, the
// report's bounds applied to what it did not have yet.
func (sh *shard) Merge(c report.ChunkContext) {
	s := sh.parent
	for _, op := range sh.ops {
		*s.opCount(op) += *sh.byOp[op]
	}
	s.messages += sh.messages
	s.carried += sh.carried
	s.outOfRange += sh.outOfRange
	keys := make([]int64, len(sh.counts))
	for b, i := range sh.stamped {
		keys[i] = b
	}
	for i, b := range keys {
		idx, seen := s.stamped[b]
		if !seen {
			if len(s.counts) >= MaxBuckets {
				for _, n := range sh.counts[i] {
					s.dropped += n
				}
				continue
			}
			idx = int32(len(s.counts))
			s.stamped[b] = idx
			s.counts = append(s.counts, bucketCounts{})
			at := sh.firstAt[i]
			at.line = int32(min(int64(at.line)+int64(c.Base), math.MaxInt32))
			s.firstAt = append(s.firstAt, at)
		}
		for op, n := range sh.counts[i] {
			s.counts[idx][op] += n
		}
		if a := sh.activeBy[b]; a != nil {
			m := s.activeBy[b]
			if m == nil {
				m = new([10]int32)
				s.activeBy[b] = m
			}
			for site, n := range a {
				m[site] += n
			}
		}
	}
	if sh.corrN > 0 {
		if s.corrN == 0 {
			s.corr = sh.corr
			s.corr.pos.Line += c.Base
		}
		s.corrN += sh.corrN
	}
	for i, r := range sh.capConns.reg {
		s.capConns.reg[i] = max(s.capConns.reg[i], r)
	}
}

// NewShard returns a shard of the pstat builder: it takes what carries no
// fw ctl pstat output, and refuses the rest (blocks span chunks).
func (p *Pstat) NewShard() report.Shard { return pstatShard{} }

type pstatShard struct{}

func (pstatShard) Add(it *report.Item) bool { return !pstatKind(it.Kind) }

// AddSync takes a sync line: no pstat output.
func (pstatShard) AddSync(*parse.SyncFields, *report.Item) bool { return true }
func (pstatShard) Merge(report.ChunkContext)                    {}

// pstatKind reports whether the pstat builder reads records of kind k.
func pstatKind(k parse.Kind) bool {
	switch k {
	case parse.KindSection, parse.KindPstatBlock, parse.KindPstatCounter, parse.KindPstatStatus:
		return true
	}
	return false
}
