package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// Parallel parsing of a big plain file. [Walk] marks the Reader of a file
// that is read as it is (no gzip, no tar, no UTF-16) with the file and its
// size; [Pipe] then cuts the file into chunks at line boundaries and parses
// them on every core, still handing the records to fn one at a time, in
// file order, with their file line numbers. The result is the serial one:
//
//   - a chunk is parsed from the Reader's neutral state (no wrapped entry
//     open, default gconn columns, no cpinfo title pending, ...). When the
//     Reader that parsed the chunks before it does not end in that state,
//     the chunk's records are dropped and the chunk is parsed again,
//     serially, carrying that state on;
//   - a chunk never starts on a line that could continue a wrapped entry,
//     sync line or gconn row, so none is cut in two (see boundary).

// Split tuning: files under splitMin are read serially; chunks are about
// chunkSize bytes; a boundary is looked for over at most boundaryScan bytes
// past the chunk's nominal end. Variables so that tests can cut small
// inputs into many chunks.
var (
	splitMin     int64 = 32 << 20
	chunkSize    int64 = 4 << 20
	boundaryScan       = 256 << 10
)

const chunkBatches = 64 // batches a chunk may hold before its parser waits

// chunkBufSize is the read size of a chunk's Reader: small enough that what
// a read copies is still in the core's cache (1 MiB of L2 here) when the
// line is parsed. Measured on the 1 GiB capture and the 2M dump against
// the chunks mapped with MAP_POPULATE (8 and 5 alternating warm runs, best
// and median): storms 0.54/0.62 s mapped, 0.51/0.61 s read; owners
// 0.77/0.86 mapped, 0.64/0.71 read; 64 KiB and 256 KiB reads were no
// better. The mapping also counted the chunks' pages in the RSS and cost
// an unmap, with its TLB flush on every core, per chunk.
const chunkBufSize = 128 << 10

// splitSource is the file behind a Reader that may be parsed in chunks.
type splitSource struct {
	f        io.ReaderAt
	size     int64
	progress func(int) // Limits.Progress, or nil
	reported int64     // bytes of the file the progress hook has been told of
}

// canSplit reports whether Pipe may parse r in chunks: a big plain file not
// yet read from, no prefilter but a pure one, more than one core.
func (r *Reader) canSplit() bool {
	return r.split != nil && r.split.size >= splitMin && runtime.GOMAXPROCS(0) > 1 &&
		(r.keep == nil || r.pure) && r.stats.Lines == 0 && !r.hasPending && r.lr.line == 0
}

// neutral reports whether r is in the state a chunk's Reader starts in, so
// that the next chunk parsed from that state is what a serial read gives.
// A Reader whose input ended inside a wrapped sync line is not: the chunk
// after it is parsed again, serially. (boundary already keeps a chunk from
// starting on a line that could continue one, so this is a second guard.)
func (r *Reader) neutral() bool {
	return !r.hasPending && r.cols == defaultGconnColumns && !r.sawBinary && !r.skipJSON &&
		r.content && r.expectTitle == 0 && r.prevRule == 0 && !r.titleSeen && !r.afterHostname &&
		r.fatal == nil && !r.wrapCut && r.pstat.block == ""
}

// chunksAgain counts the chunks parsed again serially (for the tests: a
// state every chunk ends in must not make the whole read serial).
var chunksAgain atomic.Int64

// chunk is one byte range of the file and what its parser made of it.
type chunk struct {
	off, end int64
	out      chan []piped // closed when the chunk is parsed
	rd       *Reader      // read after out is closed
	shard    Shard        // the shard that took the chunk (PipeShards), else nil
}

// newChunkReader returns a Reader for [off, end) of the file of head, in the
// neutral state (first chunk: the state of a new Reader).
func newChunkReader(head *Reader, c *chunk, br *bufio.Reader) *Reader {
	br.Reset(io.NewSectionReader(head.split.f, c.off, c.end-c.off))
	rd := NewReader(br, head.name)
	rd.fast = head.fast
	rd.lr.max = head.lr.max
	rd.valWords, rd.skipWords = head.valWords, head.skipWords
	rd.rejectUnknown = head.rejectUnknown
	rd.keepRaw = head.keepRaw
	rd.keep, rd.pure = head.keep, head.pure
	if c.off > 0 {
		rd.content = true
		rd.lr.noBOM = true
		rd.cpinfo = cpinfoUnknown // the chunks before it say (see addChunk)
	}
	return rd
}

// boundary returns where the chunk after a nominal end at pos starts: just
// past a newline, on a line that cannot continue a wrapped entry, sync line
// or gconn row (see canStart). It returns size when none is found within
// boundaryScan bytes.
func boundary(f io.ReaderAt, pos, size int64, buf []byte) int64 {
	if pos >= size {
		return size
	}
	n, err := f.ReadAt(buf, pos)
	if err != nil && !errors.Is(err, io.EOF) {
		return size
	}
	b := buf[:n]
	prev := -1 // start of the line before the candidate, once it lies in b
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		start := i + 1
		if int64(start)+pos >= size {
			return size
		}
		line := b[start:]
		end := bytes.IndexByte(line, '\n')
		whole := end >= 0
		if whole {
			line = line[:end]
		}
		var before []byte
		if prev >= 0 {
			before = b[prev:i]
		}
		if canStart(before, prev >= 0, line, whole) {
			return pos + int64(start)
		}
		if !whole {
			return size
		}
		prev = start
		i = start + end - 1
	}
	return size
}

// canStart reports whether a chunk may start on line, the line after
// before. When whole is false, line is only the start of a line that runs
// past what was read (or is the last one); when seen is false, before was
// not read in full. Either way only what is seen may rule a continuation
// out. The tests are the Reader's own, made independent of its state:
//
//   - a fw tab -u entry's continuation: hex words and punctuation only
//     (isContinuation);
//   - a sync line's continuation: hex digits and commas up to a '>', hex up
//     to a ']', or a sync line's text (isSyncContinuation), whatever the
//     line before, since that may be the middle of the join; a line cut
//     short of its end is judged by its start, which rules out as much;
//   - a gconn row's or header's second line: a line with a '|' after a line
//     that starts with '|' (parseLine's [fw_N] taken off), unless the
//     first ends and the second starts with '|' (the Reader never joins
//     those: see notDoubled).
func canStart(before []byte, seen bool, line []byte, whole bool) bool {
	t := trimSpace(bytes.TrimSuffix(line, []byte{'\r'}))
	if !whole && len(t) == 0 {
		return false
	}
	if isContinuation(t) || isSyncContinuation(t) {
		return false
	}
	if bytes.IndexByte(t, '|') < 0 && whole {
		return true
	}
	if !seen {
		return false
	}
	p := stripInstance(trimSpace(bytes.TrimSuffix(before, []byte{'\r'})))
	if len(p) == 0 || p[0] != '|' {
		return true
	}
	return len(t) > 0 && t[0] == '|' && p[len(p)-1] == '|'
}

// stripInstance drops a leading `[fw_N]` instance prefix as parseLine does.
func stripInstance(t []byte) []byte {
	if len(t) > 4 && bytes.HasPrefix(t, []byte("[fw_")) {
		if i := bytes.IndexByte(t, ']'); i > 4 {
			if _, ok := decUint(t[4:i]); ok {
				return trimSpace(t[i+1:])
			}
		}
	}
	return t
}

// pipeSplit is Pipe for a Reader that canSplit.
func pipeSplit(head *Reader, fn func([]piped) error, sh *Sharding) error {
	workers := runtime.GOMAXPROCS(0)
	src := head.split
	if sk, ok := src.f.(io.Seeker); ok {
		// What the head Reader has buffered was read, and reported,
		// through the file's offset.
		if at, err := sk.Seek(0, io.SeekCurrent); err == nil {
			src.reported = at
		}
	}
	jobs := make(chan *chunk)
	order := make(chan *chunk, 2*workers+2)
	// Chunks in flight: two per core and two more, so that a core whose
	// chunk is done while the oldest one is still being parsed goes on to
	// the next (with one more than the cores, owners on the 2M dump sat at
	// 1.8 of its 2 cores).
	slots := make(chan struct{}, 2*workers+2)
	done := make(chan struct{})
	free := make(chan []piped, (workers+1)*chunkBatches)
	var wg sync.WaitGroup

	// The dispatcher cuts chunks in file order.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		buf := make([]byte, boundaryScan)
		for off := int64(0); off < src.size; {
			end := boundary(src.f, min(off+chunkSize, src.size), src.size, buf)
			c := &chunk{off: off, end: end, out: make(chan []piped, chunkBatches)}
			off = end
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			select {
			case jobs <- c:
			case <-done:
				return
			}
			order <- c // never blocks: a slot was taken
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReaderSize(nil, chunkBufSize)
			for c := range jobs {
				if sh != nil {
					c.shard = takeChunk(head, c, br, sh)
				}
				if c.shard == nil {
					c.rd = newChunkReader(head, c, br)
					parseChunk(c, free, done)
				}
				close(c.out)
			}
		}()
	}

	halted := false
	halt := func() {
		if !halted {
			halted = true
			close(done)
		}
	}
	var (
		total Stats
		cur   *Reader // the Reader whose state the next chunk continues
		base  int     // file line number of cur's line 0
		ferr  error
	)
	inCpinfo := false // the chunks merged into total showed a cpinfo file
	deliver := func(b []piped, base int) {
		for i := range b {
			it := &b[i]
			if it.err != nil {
				var se *SyntaxError
				if errors.As(it.err, &se) {
					se.Pos.Line += base
				}
			}
			if it.err == nil || head.keepRaw { // a rejection's record holds its lines (see appendPiped)
				it.rec.Pos.Line += base
			}
		}
		if ferr = fn(b); ferr != nil {
			halt()
		}
	}
	for c := range order {
		if halted {
			drain(c.out, free)
			<-slots
			continue
		}
		switch {
		case cur == nil || cur.neutral():
			if cur != nil {
				total.addChunk(&cur.stats, base, inCpinfo)
				inCpinfo = inCpinfo || cur.cpinfo == cpinfoYes
				base += cur.lr.line
			}
			for b := range c.out {
				if !halted {
					deliver(b, base)
				}
				recycle(free, b)
			}
			// out is closed: the chunk's worker is done with it.
			if c.shard != nil && !halted {
				if ferr = sh.Merge(c.shard, base, c.end-c.off); ferr != nil {
					halt()
				}
			}
			cur = c.rd
		default:
			// cur ends in a state a chunk cannot start from: parse this
			// chunk again, serially, with that state.
			chunksAgain.Add(1)
			drain(c.out, free)
			cur.wrapCut = false // its input goes on
			cur.lr = &lineReader{br: bufio.NewReaderSize(io.NewSectionReader(src.f, c.off, c.end-c.off), chunkBufSize),
				max: cur.lr.max, line: cur.lr.line, noBOM: true}
			b := make([]piped, 0, pipeBatch)
			for !halted && cur.Scan() {
				if b = appendPiped(b, cur); len(b) == pipeBatch {
					deliver(b, base)
					b = b[:0]
				}
			}
			if len(b) > 0 && !halted {
				deliver(b, base)
			}
		}
		if src.progress != nil && c.end > src.reported {
			src.progress(int(c.end - src.reported))
			src.reported = c.end
		}
		if cur.fatal != nil {
			halt() // a read error ends the input, as it does a serial read
		}
		<-slots
	}
	wg.Wait()
	if cur != nil {
		total.addChunk(&cur.stats, base, inCpinfo)
		if cur.fatal != nil && head.fatal == nil {
			var ie *ioError
			if errors.As(cur.fatal, &ie) {
				ie.pos.Line += base
			}
			head.fatal = cur.fatal
		}
	}
	head.stats = total
	head.lr.err = io.EOF // the head Reader is used up
	if ferr != nil {
		return ferr
	}
	return head.fatal
}

// parseChunk parses c into batches on c.out.
func parseChunk(c *chunk, free chan []piped, done <-chan struct{}) {
	b := newBatch(free)
	for c.rd.Scan() {
		b = appendPiped(b, c.rd)
		if len(b) < pipeBatch {
			continue
		}
		select {
		case c.out <- b:
		case <-done:
			return
		}
		b = newBatch(free)
	}
	if len(b) > 0 {
		select {
		case c.out <- b:
		case <-done:
		}
	}
}

// appendPiped appends r's current record or rejection to b; the record's
// slices are swapped with the Reader's, not copied.
func appendPiped(b []piped, r *Reader) []piped {
	rec, err := r.Record()
	n := len(b)
	b = b[:n+1]
	it := &b[n]
	it.err = err
	if err == nil {
		vals, extra, sgms, raw := it.rec.Vals, it.rec.Extra, it.rec.SGMs, it.rec.Raw
		it.rec = *rec
		rec.Vals, rec.Extra, rec.SGMs = vals[:0], extra[:0], sgms[:0]
		if r.keepRaw { // the Reader goes on in the slot's buffer
			r.raw, rec.Raw = raw[:0], nil
		}
	} else if r.keepRaw {
		// The rejected lines travel in the slot's record, of KindNone.
		raw := it.rec.Raw[:0]
		it.rec.reset(KindNone, r.rawPos)
		raw = append(raw, r.raw...)
		it.rec.Lines, it.rec.Raw = r.rawLines, raw
	}
	return b
}

func newBatch(free chan []piped) []piped {
	select {
	case b := <-free:
		return b[:0]
	default:
		return make([]piped, 0, pipeBatch)
	}
}

func recycle(free chan []piped, b []piped) {
	select {
	case free <- b:
	default:
	}
}

// drain empties out, recycling its batches, until it is closed.
func drain(out chan []piped, free chan []piped) {
	for b := range out {
		recycle(free, b)
	}
}
