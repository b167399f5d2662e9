package parse

import "bufio"

// Working where the bytes are. A big plain file is parsed in chunks on
// every core (split.go); by default the records still travel, in batches,
// to one goroutine that hands them out in file order. With [PipeShards] the
// caller instead takes each chunk's records on the goroutine that parsed
// them, into a [Shard] of its own, and merges the shards in file order:
// nothing crosses goroutines but the shard. A chunk the shard cannot take
// (a record that needs what only the chunks before it know, or a rejected
// line) is parsed again and handed to fn one record at a time, as [Pipe]
// does; so is every input that is not split. The result is the serial one
// either way, chunk by chunk.

// A Shard takes the records of one chunk of a file, in order, on the
// chunk's goroutine.
type Shard interface {
	// Take takes the chunk's next record, valid until Take returns. It
	// returns false when it cannot: the chunk is then handed to fn
	// instead, and the shard dropped.
	Take(rec *Record) bool
}

// FwTabSinker is a [Shard] that may take the chunk's fw tab -u lines the
// fast path reads as fields, not as Records (see [Reader.ScanSinks]): when
// FwTabSink returns a sink, the sink takes every one.
type FwTabSinker interface {
	Shard
	FwTabSink() FwTabSink
}

// SyncSinker is a [Shard] that may take the chunk's kernel-debug sync
// lines the fast path reads as fields (see [Reader.ScanSinks]): when
// SyncSink returns a sink, the sink takes every one, or refuses the chunk.
type SyncSinker interface {
	Shard
	SyncSink() SyncSink
}

// Sharding says how [PipeShards] makes and merges shards.
type Sharding struct {
	// New returns an empty shard; it is called on a chunk's goroutine.
	New func() Shard
	// Merge folds a shard that took a whole chunk into the caller's
	// state, on the caller's goroutine, in file order, between the
	// records fn is given. base is the file line number of the chunk's
	// line 0: a record's Pos.Line within the chunk plus base is its line
	// in the file; bytes is the chunk's size. An error stops the read, as
	// fn's does.
	Merge func(s Shard, base int, bytes int64) error
}

// PipeShards is [Pipe], with the chunks of a big plain file taken into
// shards where they are parsed (see above).
func PipeShards(r *Reader, sh *Sharding, fn func(*Record, error) error) error {
	if sh == nil || !r.canSplit() {
		return Pipe(r, fn)
	}
	return pipeSplit(r, func(b []piped) error {
		for i := range b {
			if err := fn(&b[i].rec, b[i].err); err != nil {
				return err
			}
		}
		return nil
	}, sh)
}

// takeChunk parses c into a new shard of sh and returns it, with c.rd set,
// or nil when the shard refused a record (c.rd is then unset). The chunk
// is read through br (chunkBufSize bytes at a time), not mapped: see
// chunkBufSize.
func takeChunk(head *Reader, c *chunk, br *bufio.Reader, sh *Sharding) Shard {
	rd := newChunkReader(head, c, br)
	s := sh.New()
	var sink FwTabSink
	if k, ok := s.(FwTabSinker); ok {
		sink = k.FwTabSink()
	}
	var sy SyncSink
	if k, ok := s.(SyncSinker); ok {
		sy = k.SyncSink()
	}
	for rd.ScanSinks(sink, sy) {
		rec, err := rd.Record()
		if err != nil || !s.Take(rec) {
			return nil
		}
	}
	if rd.SinkRefused() {
		return nil
	}
	c.rd = rd
	return s
}

// SplitTuning sets the size from which a plain file is parsed in chunks,
// and the chunks' size, and returns a function that restores the previous
// values: for the tests and benchmarks of the packages that take shards,
// to cut small inputs into many chunks. Not for concurrent use with reads.
func SplitTuning(minSize, chunk int64) (restore func()) {
	oldMin, oldSize, oldScan := splitMin, chunkSize, boundaryScan
	splitMin, chunkSize, boundaryScan = max(minSize, 1), max(chunk, 1), 4096
	return func() { splitMin, chunkSize, boundaryScan = oldMin, oldSize, oldScan }
}
