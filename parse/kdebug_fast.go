package parse

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// The fast path of the hottest line there is, the kernel-debug sync line in
// the shape `fw ctl kdebug -T` prints it:
//
//	@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(34)=<1c001,...> sync_mask=[0x0002800b] refresh time=3602 ...;
//
// fastSync reads such a line in one pass, left to right, never looking at
// a byte twice, and fills the Record exactly as the full parser would
// (kdebugLine, parseSync): the same fields, the same values. It accepts
// only what it is sure of (a plain stamp, well-formed tags, the
// connections table, six keys, strict hex words without spaces, a sync_mask
// of hex digits) and returns false for anything else, before it has changed
// any state: the full parser then reads the line as always, and gives the
// same record or the rejection. The differential tests (kdebug_fast_test.go)
// and FuzzFastSync hold the two to that.

// fastBreak, set by a test, alters what the fast paths fill in: the
// differential tests must then fail.
var fastBreak func(*Record)

// fastBreakWord, set by a test, alters the words words8 decodes (word i,
// value w). It takes values, not the slice, so that the slice stays on the
// stack.
var fastBreakWord func(i int, w uint32) uint32

// SetFastPaths turns the single-pass readers of the hot formats on (the
// default) or off; the chunk Readers of a big file follow. Off, every line
// goes through the full parser: slower, and the same records (the
// differential tests prove it). Call it before the first Scan.
func (r *Reader) SetFastPaths(on bool) { r.fast = on }

// fastHexWord reads a hex word of 1 to 8 digits at b[i:], ended by any
// non-hex byte; it returns the word and the index of that byte (with ok
// false, j is of no use). With 9 bytes or more from i, the digits are found
// and decoded in one load (see the key words below); else one at a time.
func fastHexWord(b []byte, i int) (v uint32, j int, ok bool) {
	if i >= 0 && i+9 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		d := bits.TrailingZeros64(nonHex8(x)) >> 3
		if d == 0 || d == 8 && hexClass[b[i+8]] < 16 {
			return 0, i, false
		}
		return hex8Value(x, d), i + d, true
	}
	j = i
	for j < len(b) {
		d := hexClass[b[j]]
		if d >= 16 {
			break
		}
		v = v<<4 | uint32(d)
		j++
	}
	n := j - i
	return v, j, n > 0 && n <= 8
}

// fastCount reads a decimal count at b[i:] up to ")=<" and returns it and
// the index past the '<'.
func fastCount(b []byte, i int) (n uint32, j int, ok bool) {
	if i >= 0 && i+11 <= len(b) {
		// Up to 8 digits in one load; ")=<" right after them.
		x := binary.LittleEndian.Uint64(b[i:])
		if d := bits.TrailingZeros64(nonDigit8(x)) >> 3; d > 0 && d < 8 {
			if j = i + d; b[j] != ')' || b[j+1] != '=' || b[j+2] != '<' {
				return 0, 0, false
			}
			return uint32(dec8Value(x, d)), j + 3, true
		}
	}
	j = i
	for j < len(b) && isDigit(b[j]) {
		j++
	}
	if j == i || j-i > 9 || j+2 >= len(b) || b[j] != ')' || b[j+1] != '=' || b[j+2] != '<' {
		return 0, 0, false
	}
	n, _ = decUint(b[i:j])
	return n, j + 3, true
}

// fastSync is the fast path of a kernel-debug sync line t (trimmed, its
// first byte '@'), see above. It returns false, with nothing changed, when
// the line is not in the shape it knows.
func (r *Reader) fastSync(t []byte, pos Pos) bool {
	rec := &r.rec
	vals := rec.Vals[:0]
	f := &r.sync
	tail, ok := r.syncFields(t, f, &rec.Key, &vals)
	if !ok {
		return false
	}
	// Sure: fill the record as parseSync does. After a record of this
	// path, only its own fields need setting (see Record.shape).
	if rec.shape == KindSync {
		rec.Pos, rec.Raw = pos, nil
		rec.RefreshTime, rec.AggressiveTime, rec.OpCode = -1, -1, -1
	} else {
		key := rec.Key // syncFields wrote it; reset clears it
		rec.reset(KindSync, pos)
		rec.shape = KindSync
		rec.Key = key
	}
	rec.HasTime, rec.Time, rec.Instance = true, float64(f.Stamp), f.Instance
	rec.Op = f.Op
	rec.Table, rec.TableID = "connections", f.TableID
	rec.HasKey = true
	rec.Vals = vals
	r.skipped(rec)
	rec.HasMask, rec.Mask = f.HasMask, f.Mask
	if f.HasMask && r.valWords == 0 {
		syncTail(rec, tail)
	}
	if fastBreak != nil {
		fastBreak(rec)
	}
	return r.accept()
}

// SyncFields are the fields of a kernel-debug sync line of the connections
// table that the fast path hands a [SyncSink] in place of a Record: those
// the storm report and the site evidence read. Each is what the full
// parser's Record holds (Table is "connections"; HasKey and HasTime are
// true).
type SyncFields struct {
	Line     int    // Record.Pos.Line
	Stamp    uint64 // Record.Time
	Instance int    // Record.Instance
	Op       string // Record.Op (interned)
	TableID  uint32 // Record.TableID
	Key      Key    // Record.Key
	// Word is value word WordIndex, the one value word the Reader was
	// asked for (Record.Word), when HasWord: the line has that many.
	Word      uint32
	WordIndex int
	HasWord   bool
	Words     int             // len(Record.Vals): the words read, skipped ones too
	Mask      decode.SyncMask // Record.Mask, when HasMask
	HasMask   bool
}

// Owner is Record.Owner of the line's record: the owner word, when the
// line has one.
func (f *SyncFields) Owner() (uint32, bool) {
	switch {
	case f.Words <= decode.WordBits:
		return 0, false
	case f.WordIndex == decode.WordBits:
		return f.Word, true
	}
	return 0, true // skipped, and so 0 (see Record.Skipped)
}

// setWords sets the word fields of a line whose first m value words were
// skipped, of the nv words read (skipped ones too).
func (f *SyncFields) setWords(m, nv int) { f.WordIndex, f.HasWord, f.Words = m, nv > m, nv }

// A SyncSink takes the kernel-debug sync lines the fast path reads (see
// [Reader.ScanSinks]). It returns false when it cannot take one: the read
// then stops (see [Reader.SinkRefused]).
type SyncSink interface {
	TakeSync(f *SyncFields) bool
}

// fastBreakSync, set by a test, alters what syncSink hands its sink.
var fastBreakSync func(*SyncFields)

// syncSink is fastSink for sync lines: when the line the line reader has
// read ahead is one that Scan would hand to fastSync unchanged (whole in
// the buffer, within the length limit, no NUL, no '\r' or blanks at its
// ends, no line pending, outside a pstat block and a JSON document), and
// fastSync would take it, it hands sink the line's fields and reports
// true; else it leaves the line to Scan.
func (r *Reader) syncSink(sink SyncSink) bool {
	if !r.aheadFree() {
		return false
	}
	buf := r.lr.ahead()
	if len(buf) < 40 || buf[0] != '@' {
		return false
	}
	f := &r.sync
	n, ok := r.syncLine(buf, f)
	if !ok {
		var nul bool
		if n, nul = lineEnd(buf); n < 40 || n > r.lr.max || nul || buf[n-1] != ';' {
			return false
		}
		_, ok = r.syncFields(buf[:n], f, &f.Key, nil)
	}
	if !ok {
		return false
	}
	f.Line = r.lr.line + 1
	if fastBreakSync != nil {
		fastBreakSync(f)
	}
	r.stats.Recognized[KindSync]++
	r.tookAhead(buf, n, Pos{Name: r.name, Line: f.Line})
	if !sink.TakeSync(f) {
		r.refused = true
		return false
	}
	return true
}

// SinkRefused reports whether a sink of ScanSinks refused a line.
func (r *Reader) SinkRefused() bool { return r.refused }

// syncFields reads sync line t (see fastSync) into f (all but Line), its
// key into *key and its value words into *vals (the skipped ones as
// zeros; with vals nil they are only counted), and returns the bytes from the sync_mask's ']'
// on (see syncTail), or false when the line is not in the shape fastSync
// knows: f, *key and *vals then hold nothing of use.
func (r *Reader) syncFields(t []byte, f *SyncFields, key *Key, vals *[]uint32) (tail []byte, ok bool) {
	n := len(t)
	if n < 40 || t[1] != ';' || t[n-1] != ';' {
		return nil, false
	}
	stamp, i, ok := syncStamp(t)
	if !ok {
		return nil, false
	}
	// Tags, op, table and key count: the same bytes on most lines of a
	// capture, so read once per variant (see syncPrefix).
	if r.pfx == nil {
		r.pfx = new(pfxCache)
	}
	p := r.pfx.lookup(t, i)
	if p == nil {
		miss, ok := syncPrefix(t, i)
		if !ok {
			return nil, false
		}
		if p = r.pfx.store(t, i, miss); p == nil {
			p = &miss
		}
	}
	b := t[i+p.b:]
	j := p.n - p.b
	inst, id, op := p.inst, p.id, p.op
	var k [6]uint32
	if len(b)-j >= keyWordsLen {
		if j, ok = keyWords(b, j, &k); !ok {
			return nil, false
		}
	} else {
		for w := range 6 { // near the end: a byte at a time
			if k[w], j, ok = fastHexWord(b, j); !ok || j >= len(b) || b[j] != ",,,,,>"[w] {
				return nil, false
			}
			j++
		}
	}
	if !keyFits(&k) {
		return nil, false // setKey's range errors are the full parser's
	}
	// vals(N)=<...>, the first valWords words decoded, the rest counted.
	// The words read, skipped ones too: kept in *vals (when not nil) and
	// counted, word m in f.Word.
	var words8 []uint32
	if vals != nil {
		words8 = (*vals)[:0]
	}
	m, nv := r.skipCount(), 0
	f.Word = 0
	rest := b[j:]
	if litPrefix(rest, " vals(") {
		var want uint32
		want, j, ok = fastCount(b, j+6)
		if !ok {
			return nil, false
		}
		words, listEnd, listCommas := uint32(0), -1, -1
		if m > 0 {
			// The first m words are counted, not checked (as hexPrefix
			// does): the list up to its '>' may hold no '[' (the full
			// parser would take a sync_mask there) and must reach an m-th
			// comma, else the full parser judges the line.
			end, c, commas, lbr, found := listScan(b[j:], m)
			if !found { // no '>' in the blocks listScan reads
				if end = bytes.IndexByte(b[j:], '>'); end < 0 {
					return nil, false
				}
				lbr = bytes.IndexByte(b[j:j+end], '[') >= 0
				c, commas = nthComma(b[j:j+end], m), -1
			}
			if lbr || c < 0 {
				return nil, false
			}
			if vals != nil {
				words8 = append(words8, zeroWords[:m]...)
			}
			nv = m
			words, j, listEnd, listCommas = uint32(m), j+c+1, j+end, commas
		}
		for {
			var v uint32
			if v, j, ok = fastHexWord(b, j); !ok || j >= len(b) {
				return nil, false
			}
			if vals != nil {
				words8 = append(words8, v)
			}
			if nv == m {
				f.Word = v
			}
			nv++
			words++
			if b[j] == '>' {
				j++
				break
			}
			if b[j] != ',' {
				return nil, false
			}
			j++
			if r.valWords > 0 && nv == r.valWords {
				// The rest is counted, not decoded, as hexPrefix does.
				end := listEnd - j // known, and free of '[', with words skipped
				if listEnd < 0 {
					if end = bytes.IndexByte(b[j:], '>'); end < 0 {
						return nil, false
					}
				}
				tail := trimSpace(b[j : j+end])
				if len(tail) == 0 || tail[len(tail)-1] == ',' || listEnd < 0 && bytes.IndexByte(tail, '[') >= 0 {
					return nil, false // a '[' could open the sync_mask the full parser finds first
				}
				if listCommas >= 0 {
					words = uint32(listCommas) + 1 // every comma of the list ends a word
				} else {
					words += 1 + uint32(bytes.Count(b[j:j+end], []byte{','}))
				}
				j += end + 1
				break
			}
		}
		if words != want {
			return nil, false
		}
		rest = b[j:]
	} else if bytes.Contains(rest, []byte("vals(")) {
		return nil, false
	}
	// sync_mask=[0x...]
	var mask uint32
	hasMask := false
	if litPrefix(rest, " sync_mask=[") {
		at := skipBlanks(rest, len(" sync_mask=["))
		if at+1 < len(rest) && rest[at] == '0' && (rest[at+1] == 'x' || rest[at+1] == 'X') {
			at += 2
		}
		var e int
		if mask, e, ok = fastHexWord(rest, at); !ok {
			return nil, false
		}
		if e = skipBlanks(rest, e); e >= len(rest) || rest[e] != ']' {
			return nil, false
		}
		hasMask, tail = true, rest[e:]
	} else if bytes.Contains(rest, []byte("sync_mask=")) {
		return nil, false
	}

	f.Stamp, f.Instance, f.Op, f.TableID = stamp, inst, op, id
	f.HasMask, f.Mask = hasMask, decode.SyncMask(mask)
	putKey(key, &k)
	if vals != nil {
		*vals = words8
	}
	f.setWords(m, nv)
	return tail, true
}

// syncStamp reads the "@;N;" that starts sync line t (N plain decimal
// digits, t[1] already checked) and returns N and the index past its ';'.
// t must hold 10 bytes or more.
func syncStamp(t []byte) (stamp uint64, i int, ok bool) {
	// Up to 8 digits in one load, any more one at a time.
	x := binary.LittleEndian.Uint64(t[2:])
	d := bits.TrailingZeros64(nonDigit8(x)) >> 3
	stamp, i = dec8Value(x, d), 2+d
	for i < len(t) && isDigit(t[i]) {
		stamp = stamp*10 + uint64(t[i]-'0')
		i++
	}
	if i == 2 || i-2 > maxStampDigits || i >= len(t) || t[i] != ';' {
		return 0, 0, false
	}
	return stamp, i + 1, true
}

// syncLineMin is how many bytes syncLine needs read ahead: a sync line of
// the capture is about 330.
const syncLineMin = 512

// syncRest is what syncLineAVX2 reads of a sync line (its layout is
// the assembly's: TestSyncRestLayout).
type syncRest struct {
	end  int       // the '\n', from the byte after "@;N;"
	word uint32    // value word m, with a list
	list uint32    // 1 with a list of value words, 0 without
	mask uint32    // the sync_mask (every line syncLineAVX2 takes has one)
	k    [6]uint32 // the key's words
}

// syncLine is syncFields for a sink (no value words kept, the first m
// skipped, word m read, the rest counted) on buf, the read-ahead, whose
// first line's end it finds as it reads: one pass over the line, in one
// call (syncLineAVX2), where syncSink made three passes (lineEnd, the
// list, the tail) and four calls. It returns the line's length and true
// only for a line in the shape the capture prints, whose prefix the cache
// holds; for such a line, lineEnd and syncFields give the same length and
// fields (TestSyncLineMatches holds it to that). Anything else returns
// false, with f holding nothing of use: syncSink then reads the line as
// before.
func (r *Reader) syncLine(buf []byte, f *SyncFields) (int, bool) {
	m := r.skipCount()
	if !vecLine || m < 1 || r.valWords != m+1 || len(buf) < syncLineMin || buf[0] != '@' || buf[1] != ';' || r.pfx == nil {
		return 0, false
	}
	buf = buf[:min(len(buf), r.lr.max+1)] // the '\n' of a line of max bytes is the last one looked at
	stamp, i, ok := syncStamp(buf)
	if !ok {
		return 0, false
	}
	e := r.pfx.candidate(buf, i) // a miss is syncFields' to read and keep
	if e == nil {
		return 0, false
	}
	var rest syncRest
	if !syncLineAVX2(&buf[i], len(buf)-i, &e.bytes[0], e.p.n, m, &rest) {
		return 0, false
	}
	n := i + rest.end
	if n < 40 || n > r.lr.max || buf[n-1] != ';' {
		return 0, false
	}
	f.Stamp, f.Instance, f.Op, f.TableID = stamp, e.p.inst, e.p.op, e.p.id
	f.HasMask, f.Mask = true, decode.SyncMask(rest.mask)
	putKey(&f.Key, &rest.k)
	f.Word = rest.word
	nv := 0
	if rest.list != 0 {
		nv = m + 1 // m skipped, word m read, the rest counted
	}
	f.setWords(m, nv)
	return n, true
}

// syncPfx is what the bytes of a sync line between its stamp and its first
// key say: they run from the byte after "@;N;" through "keys(6)=<".
type syncPfx struct {
	inst int    // the instance a [fw4_N] tag names, or -1
	op   string // interned
	id   uint32 // the table id
	b    int    // offset of "connections (" from the prefix's start
	n    int    // the prefix's length
}

// syncPrefix reads the prefix of sync line t that starts at t[i:]: tags
// and separators as splitPrefix reads them (a prompt, '@' in a tag, or an
// unclosed tag is the full parser's to judge), then `OP: connections (ID)
// keys(6)=<`. What it decides rests on those bytes alone.
func syncPrefix(t []byte, i int) (p syncPfx, ok bool) {
	i0, n := i, len(t)
	p.inst = -1
	for i < n {
		c := t[i]
		if c == ';' || c == ' ' || c == '\t' {
			i++
			continue
		}
		if c != '[' {
			break
		}
		j := i + 1
		for j < n && t[j] != ']' && t[j] != '@' {
			j++
		}
		if j >= n || t[j] != ']' {
			return p, false
		}
		if j-i > 4 && t[i+1] == 'f' && t[i+2] == 'w' { // [fw4_7], [fw_2]: the only tags that say anything
			p.inst = tagInstance(t[i+1:j], p.inst)
		}
		i = j + 1
	}
	body := t[i:]
	op := opEnd(body)
	if op == 0 {
		return p, false
	}
	b := body[op+2:]
	const table = "connections ("
	if !litPrefix(b, table) {
		return p, false
	}
	j := len(table)
	for j < len(b) && isDigit(b[j]) {
		j++
	}
	if p.id, ok = decUint(b[len(table):j]); !ok || j+7 > len(b) || string(b[j:j+7]) != ") keys(" {
		return p, false
	}
	want, j, ok := fastCount(b, j+7)
	if !ok || want != 6 {
		return p, false
	}
	p.op, p.b = internOp(body[:op]), i+op+2-i0
	p.n = p.b + j
	return p, true
}

// pfxCache holds the prefixes of the sync lines read last (see
// syncPrefix), two ways per set, the set chosen by bytes that tell the
// usual variants apart (the tid and fw4 tags, the op); a hit is a
// byte-for-byte match. 128 sets: the 1 GiB capture has 24 prefixes (8
// instances, 3 ops), which 32 sets missed on 1 line in 19 (three or more
// in a set).
type pfxCache struct {
	e    [256]pfxEntry
	next uint8 // the way a set's next miss replaces
}

// pfxEntry is a prefix the cache holds, and its bytes.
type pfxEntry struct {
	p     syncPfx
	bytes [72]byte
}

// pfxMin is how far a line must reach past its prefix's start for the
// cache to be asked.
const pfxMin = 32

func pfxSlot(t []byte, i int) uint64 {
	h := binary.LittleEndian.Uint64(t[i+8:]) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(t[i+16:]), 23) ^
		bits.RotateLeft64(binary.LittleEndian.Uint64(t[i+24:]), 41)
	return (h * 0x9e3779b97f4a7c15) >> 57 << 1 // the set's first way
}

// lookup returns the prefix of t at i when the cache holds its bytes, else
// nil. (A pointer: a copy of the 48 bytes was a hot spot.)
func (c *pfxCache) lookup(t []byte, i int) *syncPfx {
	if c == nil || i+pfxMin > len(t) {
		return nil
	}
	s := pfxSlot(t, i)
	for w := range uint64(2) {
		e := &c.e[s|w]
		if n := e.p.n; n > 0 && i+n <= len(t) && string(t[i:i+n]) == string(e.bytes[:n]) {
			return &e.p
		}
	}
	return nil
}

// candidate returns the entry that may hold the prefix of t at i: of the
// ways of its set, the first whose bytes 8 to 15 are t's. (syncLineAVX2
// compares the rest; on a mismatch, lookup has the last word.)
func (c *pfxCache) candidate(t []byte, i int) *pfxEntry {
	if i+pfxMin > len(t) {
		return nil
	}
	s := pfxSlot(t, i)
	x := binary.LittleEndian.Uint64(t[i+8:])
	for w := range uint64(2) {
		if e := &c.e[s|w]; e.p.n > 0 && binary.LittleEndian.Uint64(e.bytes[8:]) == x {
			return e
		}
	}
	return nil
}

// store keeps the prefix p of t at i and returns the kept copy, or nil when
// it keeps none.
func (c *pfxCache) store(t []byte, i int, p syncPfx) *syncPfx {
	if c == nil || i+pfxMin > len(t) || p.n > len(c.e[0].bytes) {
		return nil
	}
	s := pfxSlot(t, i)
	w := uint64(c.next & 1)
	if c.e[s].p.n == 0 {
		w = 0
	} else if c.e[s|1].p.n == 0 {
		w = 1
	}
	c.next++
	e := &c.e[s|w]
	e.p = p
	copy(e.bytes[:], t[i:i+p.n])
	return &e.p
}

// skipBlanks returns the index of the first byte at or after i that is not
// a space or a tab.
func skipBlanks(b []byte, i int) int {
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i
}

// tagInstance returns the instance a kernel-debug tag names ("fw4_7",
// "fw_2"), or inst when it names none.
func tagInstance(tag []byte, inst int) int {
	for _, pre := range [...]string{"fw4_", "fw_"} {
		if litPrefix(tag, pre) {
			if n, ok := decUint(tag[len(pre):]); ok {
				inst = int(n)
			}
		}
	}
	return inst
}

// litPrefix reports whether b starts with the literal lit: the compiler
// compares a constant of up to 16 bytes with a few loads, where
// bytes.HasPrefix calls memequal.
func litPrefix(b []byte, lit string) bool { return len(b) >= len(lit) && string(b[:len(lit)]) == lit }
