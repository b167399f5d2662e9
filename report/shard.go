package report

import (
	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// Sharded reading. A big plain file is parsed in chunks on every core; when
// every analysis of the feed is a [Sharder], each chunk's records are taken
// where the chunk is parsed, into one [Shard] per analysis, and the shards
// are merged in file order (see parse.PipeShards): no record crosses
// goroutines. What a chunk cannot be read for without the chunks before it
// (a header naming the SGM, a host name, asg dxl calc, or a record a shard
// refuses) sends the chunk down the serial path instead. Either way the
// analyses end in the state a serial read leaves.

// Sharder is an [Analysis] that can also take the records of chunks of an
// input on the chunks' goroutines.
type Sharder interface {
	Analysis
	NewShard() Shard
}

// Shard takes the records of one chunk of an input, on the chunk's
// goroutine, then is merged into its analysis on the feed's.
type Shard interface {
	// Add takes a record. Of its Item, Input is set; T and Clocked come
	// from the chunk alone (Clocked is false before the chunk's first
	// stamp, where a serial read could carry one from the chunk before:
	// a shard that needs the clock refuses such records); SGMs is nil, as
	// the chunks before may change them: Merge is told them. Positions
	// are the chunk's: Pos.Line plus [ChunkContext].Base is the file's.
	// Add returns false for a record it cannot take; the chunk then goes
	// to the analysis's Add instead, and the shard is dropped.
	Add(it *Item) bool
	// Merge folds the shard into its analysis, in file order, with what
	// the chunks before it decided.
	Merge(c ChunkContext)
}

// ChunkContext is what a shard learns when it is merged.
type ChunkContext struct {
	Input int          // index into Feed.Inputs
	SGMs  []decode.SGM // the SGMs of the chunk's records (shared: do not modify)
	Base  int          // file line number of the chunk's line 0
	Bytes int64        // the chunk's size in bytes
}

// sharding returns how in's chunks are taken, or nil when some analysis
// cannot take them.
func (f *Feed) sharding(in *Input) *parse.Sharding {
	if len(f.all) == 0 || f.opt.Serial {
		return nil
	}
	for _, a := range f.all {
		if _, ok := a.(Sharder); !ok {
			return nil
		}
	}
	return &parse.Sharding{
		New: func() parse.Shard {
			s := &feedShard{f: f, it: Item{Input: in.Index}, shards: make([]Shard, len(f.all))}
			for i, a := range f.all {
				s.shards[i] = a.(Sharder).NewShard()
				if fs, ok := s.shards[i].(FwTabShard); ok {
					s.fwtab = append(s.fwtab, fs)
				}
				if ss, ok := s.shards[i].(SyncShard); ok {
					s.sync = append(s.sync, ss)
				}
			}
			return s
		},
		Merge: func(ps parse.Shard, base int, bytes int64) error {
			ps.(*feedShard).merge(in, base, bytes)
			return nil
		},
	}
}

// FwTabShard is a [Shard] that also takes fw tab -u entries and link lines
// as the parser's fast path reads them, field by field, where Add would
// take the Record built of them (see parse.Reader.ScanSinks): the same
// lines, in the same order, with the same values. A feed hands its shards
// the fields when every one of them is a FwTabShard.
type FwTabShard interface {
	Shard
	AddFwTab(f *parse.FwTabFields)
}

// SyncShard is a [Shard] that also takes kernel-debug sync lines of the
// connections table as the parser's fast path reads them, field by field,
// where Add would take the Record built of them (see
// parse.Reader.ScanSinks): the same lines, in the same order, with the
// same values. Of it, Input and T are set, Clocked is true (every such
// line has a stamp) and Record is nil. AddSync returns false for a line it
// cannot take, as Add does. A feed hands its shards the fields when every
// one of them is a SyncShard.
type SyncShard interface {
	Shard
	AddSync(f *parse.SyncFields, it *Item) bool
}

// feedShard is the feed's part of a chunk: its clock and site-state
// evidence, and a shard per analysis.
type feedShard struct {
	f       *Feed
	it      Item
	last    float64
	clocked bool
	took    bool
	sites   siteEvidence
	shards  []Shard
	fwtab   []FwTabShard // the shards that are FwTabShards
	sync    []SyncShard  // the shards that are SyncShards
}

// SyncSink is the shard as a parse.SyncSink, when every analysis shard
// takes sync fields; else nil.
func (s *feedShard) SyncSink() parse.SyncSink {
	if len(s.sync) == 0 || len(s.sync) != len(s.shards) {
		return nil
	}
	return s
}

// TakeSync is Take for a sync line read as fields: its site evidence, its
// clock, then every shard.
func (s *feedShard) TakeSync(f *parse.SyncFields) bool {
	s.sites.addSync(f)
	s.last, s.clocked = float64(f.Stamp)*s.f.opt.TSUnit, true
	s.it.Record, s.it.T, s.it.Clocked = nil, s.last, true
	for _, a := range s.sync {
		if !a.AddSync(f, &s.it) {
			return false
		}
	}
	s.took = true
	return true
}

// FwTabSink is the shard as a parse.FwTabSink, when every analysis shard
// takes fw tab fields; else nil. A fw tab line sets no clock and no site
// evidence (Take), so that the fields need only go to the shards.
func (s *feedShard) FwTabSink() parse.FwTabSink {
	if len(s.fwtab) == 0 || len(s.fwtab) != len(s.shards) {
		return nil
	}
	return s
}

// TakeFwTab hands f to every shard.
func (s *feedShard) TakeFwTab(f *parse.FwTabFields) {
	for _, a := range s.fwtab {
		a.AddFwTab(f)
	}
	s.took = true
}

// Take is the chunk's part of Feed.Read and Feed.context.
func (s *feedShard) Take(rec *parse.Record) bool {
	switch rec.Kind {
	case parse.KindSGMHeader, parse.KindHostname, parse.KindDxl, parse.KindDxlChassis:
		return false // context the serial read resolves
	case parse.KindSiteState, parse.KindCorrection, parse.KindSync:
		s.sites.add(s.f.ctx.Layout, rec)
	}
	if rec.HasTime {
		s.last, s.clocked = rec.Time*s.f.opt.TSUnit, true
	}
	s.it.Record, s.it.T, s.it.Clocked = rec, s.last, s.clocked
	for _, a := range s.shards {
		if !a.Add(&s.it) {
			return false
		}
	}
	s.took = true
	return true
}

// merge folds the chunk into the feed, then each shard into its analysis.
func (s *feedShard) merge(in *Input, base int, bytes int64) {
	f := s.f
	f.shardedChunks++
	if !s.took {
		return
	}
	if s.clocked {
		f.last, f.clocked = s.last, true
	}
	f.sites.merge(f.ctx.Layout, &s.sites, base)
	if f.pending {
		f.attributed(in)
	}
	c := ChunkContext{Input: in.Index, SGMs: f.cur, Base: base, Bytes: bytes}
	if len(c.SGMs) == 0 {
		c.SGMs = nil
	}
	for _, sh := range s.shards {
		sh.Merge(c)
	}
}

// merge takes o, the evidence of a later chunk whose lines start after
// base, as if its records had been added after e's.
func (e *siteEvidence) merge(l decode.Layout, o *siteEvidence, base int) {
	if e.asg == nil {
		e.asg, e.corr = make([]SiteNote, l.Sites), make([]SiteNote, l.Sites)
	}
	for i := range o.asg {
		if n := o.asg[i]; n.Site != 0 {
			n.Pos.Line += base
			e.asg[i] = n
		}
	}
	for i := range o.corr {
		if n := o.corr[i]; n.Site != 0 {
			n.Pos.Line += base
			e.corr[i] = n
		}
	}
	if o.hasMask {
		e.mask, e.hasMask, e.ownerWord, e.hasOwner = o.mask, true, o.ownerWord, o.hasOwner
	}
}

// ShardedChunks is how many chunks of the inputs were taken where they
// were parsed (see [Sharder]).
func (f *Feed) ShardedChunks() int { return f.shardedChunks }
