// Package parse reads the text outputs Check Point Maestro engineers collect
// (connections-table dumps, kernel-debug captures, gconn tables, asg dxl
// calc) into records that carry their positions. Each format lives in its own
// file; the [Reader] sniffs every line by content and hands it to the right
// one, so any mix of formats can be read from one stream.
package parse

import (
	"bytes"
	"io"
)

// maxJoin bounds how many physical lines one wrapped entry may span.
const maxJoin = 64

// Reader reads records from any mix of the supported formats, one line (or
// one wrapped entry) at a time. It is modeled on bufio.Scanner:
//
//	r := parse.NewReader(f, "dump.txt")
//	for r.Scan() {
//		rec, err := r.Record()
//		if err != nil { // a *SyntaxError: this line was rejected, go on
//			continue
//		}
//		use(rec) // valid until the next Scan
//	}
//	if err := r.Err(); err != nil { ... } // I/O error
//
// Blank lines and banners are consumed without a record; every line is
// counted in [Reader.Stats].
type Reader struct {
	lr      *lineReader
	name    string
	rec     Record
	fields  FwTabFields // what fastSink hands a FwTabSink
	sync    SyncFields  // what fastSync reads, and syncSink hands a SyncSink
	refused bool        // a sink refused a line (see SinkRefused)
	err     *SyntaxError
	stats   Stats
	fatal   error

	pending        []byte // a line read ahead while joining a wrapped entry
	pendingLine    int
	pendingTooLong bool
	hasPending     bool
	join           []byte
	wrapCut        bool // the input ended inside a wrapped sync line (see neutral)

	cur  []byte // the physical line being parsed, for column offsets
	cols gconnColumns
	// sawBinary is set after the first NUL-bearing line: later ones are
	// counted under the same reason, quietly.
	sawBinary bool
	// skipJSON is set when the input is a JSON document (such as the
	// simulator's truth.json in a sample folder): its lines are counted as
	// ignored, not parsed.
	skipJSON bool
	content  bool // a non-blank line has been seen

	keep func(line []byte) bool // prefilter, see SetPrefilter
	pure bool                   // keep depends on the line alone (SetPurePrefilter)

	cpview *CPView // the database this Reader stands for (see CPViewOf); no text then

	decBuf    []byte            // scratch of decision
	decisions map[string]string // correction-line decisions seen, reused

	split *splitSource // the plain file behind the Reader, see pipeSplit

	pfx       *pfxCache // sync-line prefixes read last, see fastSync
	ahead     bool      // the last line was a fw tab line fastFwTab took: try fastAhead
	lineNUL   int8      // whether the line nextLine returned last holds a NUL: 1, 0, or -1 (not known)
	valWords  int       // value words decoded, 0 for all; see SetValueWords
	skipWords int       // of those, the first ones checked, not decoded; see SetSkipWords

	// cpinfo structure: a rule line opens a title, the title's closing rule
	// ends it. prevRule is the rule that opened the current line's title.
	expectTitle, prevRule byte
	titleSeen             bool
	afterHostname         bool // the last block was Issuing 'hostname'
	// cpinfo says whether the input is a cpinfo file, which names the
	// reason of the lines no format recognizes (see unrecognized).
	cpinfo cpinfoState

	pstat pstatState // the fw ctl pstat block being read (pstat.go)

	fast          bool   // fast paths on (see SetFastPaths)
	rejectUnknown bool   // see SetRejectUnrecognized
	shapeBuf      []byte // scratch of unrecognized

	// Raw lines, see SetKeepRaw: raw holds the physical lines of the
	// current record, rejection or ignored line as read; rawMark is where
	// the last line read starts in it (a line pushed back leaves it);
	// pendingRaw is the raw form of the pending line.
	keepRaw    bool
	raw        []byte
	rawMark    int
	rawLines   int
	rawPos     Pos
	pendingRaw []byte
}

// SetKeepRaw makes the Reader keep the physical lines behind each record
// as read, line endings included (a byte-order mark at the start of the
// input excepted): Record.Raw then holds them, all the lines of an entry
// wrapped over several. So that the whole input can be reproduced, the
// lines that give no record (blank lines, banners, prompts, ignored,
// unrecognized and prefiltered lines) are handed out too, as records of
// KindNone with their Pos, Lines and Raw, and the lines of a rejection
// are [Reader.Raw]. Concatenated in order, the Raw of every Scan is the
// input. A line longer than the line limit is kept up to the limit.
// Like the record, Raw is valid until the next Scan. Call it before the
// first Scan.
func (r *Reader) SetKeepRaw(on bool) { r.keepRaw = on }

// Raw is the physical lines of the current record, rejection or ignored
// line as read, under [Reader.SetKeepRaw]; nil otherwise.
func (r *Reader) Raw() []byte {
	if !r.keepRaw {
		return nil
	}
	return r.raw
}

// rawRecord makes the current record the KindNone record of the lines
// just read, which gave no record (see SetKeepRaw).
func (r *Reader) rawRecord() {
	r.rec.reset(KindNone, r.rawPos)
	r.rec.Lines = r.rawLines
	r.rec.Raw = r.raw
}

// SetRejectUnrecognized makes the Reader reject the lines no format
// recognizes (as [ErrUnrecognized]) instead of ignoring them: for input
// the user asked to have decoded line by line, such as pasted entries.
// Call it before the first Scan.
func (r *Reader) SetRejectUnrecognized(on bool) { r.rejectUnknown = on }

// SetPrefilter makes the Reader parse only the lines keep accepts; the
// others are counted as ignored ("prefiltered") without being parsed. A
// search for one connection uses it to skip, at the cost of a byte search,
// every line that cannot name it. keep decides on the first line of a
// wrapped entry, sync line or gconn row: the lines that continue a kept
// line are read with it without being offered to keep, and those of a
// dropped one are offered on their own (and are dropped too, unless keep
// accepts them, when they are parsed as lines of their own).
func (r *Reader) SetPrefilter(keep func(line []byte) bool) { r.keep, r.pure = keep, false }

// SetPurePrefilter is SetPrefilter for a keep whose answer depends on the
// line alone, with no state, and that is safe to call from several
// goroutines at once: a big file is then still read in chunks on every
// core, each chunk's Reader with keep (SetPrefilter's keep may learn from
// the lines it sees, so it makes the read serial).
func (r *Reader) SetPurePrefilter(keep func(line []byte) bool) { r.keep, r.pure = keep, true }

// SetValueWords makes the Reader decode only the first n value words of
// fw tab -u entries and kernel-debug sync lines (n <= 0: all of them), for
// a report that reads no further (the owner word is V13: n = 14). The other
// words are counted, so a sync line whose vals(N) disagrees is still
// rejected, but they are not checked: a line whose bad word lies past the
// first n is accepted. Record.Vals then holds at most n words, and a SET
// line's refresh time, aggressive time and op_code are not read (they stay
// -1): a report that reads only the first words reads none of those. Call
// it before the first Scan.
func (r *Reader) SetValueWords(n int) { r.valWords = max(n, 0) }

// SetSkipWords makes the Reader count the first m value words of fw tab -u
// entries and kernel-debug sync lines without decoding or checking them,
// as it does the words past those SetValueWords asks for, for a report that
// reads none of them (the owner word alone: m = 13): Record.Vals[:m] read
// 0, and Record.Skipped says so. A line whose vals(N) disagrees is still
// rejected; a bad word among the first m is not. m is at most 32, and less
// than the words SetValueWords decodes. Call it before the first Scan.
func (r *Reader) SetSkipWords(m int) { r.skipWords = max(m, 0) }

// skipCount is how many value words the Reader counts without decoding
// them (see SetSkipWords).
func (r *Reader) skipCount() int {
	m := min(r.skipWords, len(zeroWords))
	if r.valWords > 0 {
		m = min(m, r.valWords-1)
	}
	return m
}

// skipped says in rec how many of its value words were counted, not
// decoded (see SetSkipWords).
func (r *Reader) skipped(rec *Record) {
	rec.Skipped = min(r.skipCount(), len(rec.Vals))
}

// NewReader returns a Reader reading r; name is used in positions.
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{lr: newLineReader(r, DefaultMaxLineLen), name: name, cols: defaultGconnColumns, fast: true}
}

// SetMaxLineLen sets the longest line kept; call it before the first Scan.
func (r *Reader) SetMaxLineLen(n int) {
	if n > 0 {
		r.lr.max = n
	}
}

// Name is the input name used in positions.
func (r *Reader) Name() string { return r.name }

// Stats is the accounting of every line read so far.
func (r *Reader) Stats() *Stats { return &r.stats }

// Err returns the I/O error that ended the scan, if any, wrapped with the
// input position.
func (r *Reader) Err() error { return r.fatal }

// Record returns the current record, or the *SyntaxError that rejected the
// current line (the record is then nil).
func (r *Reader) Record() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	return &r.rec, nil
}

// nextLine returns the next physical line, its number and whether it was
// cut for being too long.
func (r *Reader) nextLine() (line []byte, n int, tooLong, ok bool) {
	if r.hasPending {
		r.hasPending = false
		if r.keepRaw {
			r.rawMark, r.rawLines = len(r.raw), r.rawLines+1
			r.raw = append(r.raw, r.pendingRaw...)
		}
		r.lineNUL = -1
		return r.pending, r.pendingLine, r.pendingTooLong, true
	}
	b, ok := r.lr.next()
	r.lineNUL = r.lr.nul
	if !ok {
		if err := r.lr.ioErr(); err != nil && r.fatal == nil {
			r.fatal = &ioError{pos: Pos{Name: r.name, Line: r.lr.line + 1}, err: err}
		}
		return nil, 0, false, false
	}
	if r.keepRaw {
		r.rawMark, r.rawLines = len(r.raw), r.rawLines+1
		r.raw = append(r.raw, r.lr.raw...)
	}
	return b, r.lr.line, r.lr.tooLong, true
}

// pushBack keeps line to be returned by the next nextLine.
func (r *Reader) pushBack(line []byte, n int, tooLong bool) {
	r.pending = append(r.pending[:0], line...)
	r.pendingLine, r.pendingTooLong, r.hasPending = n, tooLong, true
	if r.keepRaw { // the line read last is not part of the current record
		r.pendingRaw = append(r.pendingRaw[:0], r.raw[r.rawMark:]...)
		r.raw, r.rawLines = r.raw[:r.rawMark], r.rawLines-1
	}
}

// Scan advances to the next record or rejected line. It returns false at the
// end of input or on an I/O error.
func (r *Reader) Scan() bool {
	for {
		r.raw, r.rawLines = r.raw[:0], 0
		if r.ahead && r.fastAhead() {
			return true
		}
		line, n, tooLong, ok := r.nextLine()
		if !ok {
			return false
		}
		r.stats.Lines++
		pos := Pos{Name: r.name, Line: n}
		r.err, r.rawPos = nil, pos
		r.cur = line
		if tooLong {
			r.rejectLine(synErr(pos, ErrLineTooLong, "line longer than %d bytes skipped", r.lr.max), 1)
			return true
		}
		if r.skipJSON {
			r.ignore("json document")
			if r.keepRaw {
				r.rawRecord()
				return true
			}
			continue
		}
		if r.keep != nil && !r.keep(line) {
			if r.pure && !r.content && len(trimSpace(line)) > 0 {
				// Past the start: the chunk after this one may follow
				// (see neutral), even if every line was dropped.
				r.content = true
			}
			r.ignore("prefiltered")
			if r.keepRaw {
				r.rawRecord()
				return true
			}
			continue
		}
		if r.fast && len(line) > 0 && line[0] == '<' && r.pstat.block == "" && r.fastFwTab(line, pos) {
			r.ahead = true // the next line is likely one too: see fastAhead
			// What parseLine does for the line besides parsing it.
			r.content = true
			r.notRule()
			if r.keepRaw {
				r.rec.Raw = r.raw
			}
			return true
		}
		if nul := r.lineNUL; nul > 0 || nul < 0 && bytes.IndexByte(line, 0) >= 0 {
			r.rejectLine(synErr(pos, ErrBinary, "binary data (NUL bytes): not a text dump"), 1)
			return true
		}
		if !r.content {
			if t := trimSpace(line); len(t) > 0 {
				r.content = true
				if t[0] == '{' {
					r.skipJSON = true // not a diagnostic dump: count, don't parse
					r.ignore("json document")
					if r.keepRaw {
						r.rawRecord()
						return true
					}
					continue
				}
			}
		}
		if r.parseLine(line, pos) {
			if r.keepRaw && r.err == nil {
				r.rec.Raw = r.raw
			}
			return true
		}
		if r.keepRaw {
			r.rawRecord()
			return true
		}
	}
}

// fastAhead takes the next line when it is a fixed-shape fw tab -u line
// (fastFwTabIn) straight from what the line reader has read ahead: the fast
// path finds where the line ends as it checks its bytes (none of them can
// be a '\n'), and the line needs no search for its newline first. It
// takes only a line the rest of Scan would hand to fastFwTab unchanged:
// none is pending, none is prefiltered, kept raw, inside a pstat block or
// a JSON document, past the length limit, or ended by "\r\n".
//
// It is tried only after a line fastFwTab took (r.ahead), and stops being
// tried at the first line it does not take, so that it costs nothing in
// other inputs.
func (r *Reader) fastAhead() bool {
	if r.keepRaw || r.keep != nil || !r.aheadFree() {
		return false
	}
	buf := r.aheadFwTab()
	if buf == nil {
		return false
	}
	pos := Pos{Name: r.name, Line: r.lr.line + 1}
	n := r.fastFwTabIn(buf, pos, true)
	if n == 0 {
		r.ahead = false
		return false
	}
	r.tookAhead(buf, n, pos)
	return true
}

// aheadFree reports whether the next line may be taken straight from the
// read-ahead, as Scan would take it: no line pending, outside a JSON
// document and a pstat block (ScanSinks and fastAhead check the rest).
func (r *Reader) aheadFree() bool { return !r.hasPending && !r.skipJSON && r.pstat.block == "" }

// aheadFwTab is what the line reader has read ahead, up to the line
// limit's '\n', when a fw tab line the fast path takes may start it; else
// nil, with r.ahead cleared.
func (r *Reader) aheadFwTab() []byte {
	buf := r.lr.ahead()
	if len(buf) <= fwKeyEnd+1 || buf[0] != '<' {
		r.ahead = false
		return nil
	}
	return buf[:min(len(buf), r.lr.max+1)] // the '\n' of a line of max bytes
}

// tookAhead takes the line of n bytes at the start of buf, the read-ahead,
// at pos: what Scan and parseLine do for a line besides parsing it.
func (r *Reader) tookAhead(buf []byte, n int, pos Pos) {
	r.lr.take(n + 1)
	r.stats.Lines++
	r.err, r.rawPos, r.cur = nil, pos, buf[:n]
	r.content = true
	r.notRule()
}

func (r *Reader) rejectLine(e *SyntaxError, lines int) {
	r.err = e
	if e.Err == ErrBinary { //nolint:errorlint // sentinel identity
		e.Quiet = r.sawBinary
		r.sawBinary = true
	}
	r.stats.reject(e, lines)
}

// accept counts the current record.
func (r *Reader) accept() bool {
	r.stats.Recognized[r.rec.Kind] += int64(r.rec.Lines)
	return true
}

// ignore counts a banner or blank line; it yields no record.
func (r *Reader) ignore(reason string) bool {
	r.stats.ignore(reason, 1)
	return false
}

// col is the 1-based column of sub within the current physical line, or 0
// when sub does not lie in it (a joined entry).
func (r *Reader) col(sub []byte) int {
	off := cap(r.cur) - cap(sub)
	if off < 0 || off > len(r.cur) || cap(sub) == 0 {
		return 0
	}
	return off + 1
}

// notRule notes a line that is not a rule: a rule before it opened its
// title (prevRule), and the next rule opens no title.
func (r *Reader) notRule() {
	r.prevRule, r.expectTitle, r.titleSeen = r.expectTitle, 0, false
}

// parseLine sniffs one line by content and parses it. It returns true when
// the line produced a record or a rejection, false when it was ignored.
func (r *Reader) parseLine(line []byte, pos Pos) bool {
	t := trimSpace(line)
	if r.pstat.block != "" { // inside a fw ctl pstat block (pstat.go)
		if produced, handled := r.pstatLine(line, t, pos); handled {
			return produced
		}
	}
	if len(t) == 0 {
		return r.ignore("blank")
	}
	if c := isRule(t); c != 0 {
		if r.titleSeen {
			r.titleSeen = false
		} else {
			r.expectTitle = c
		}
		return r.ignore("banner")
	}
	r.notRule()
	inst := -1
	if len(t) > 4 && bytes.HasPrefix(t, []byte("[fw_")) {
		if i := bytes.IndexByte(t, ']'); i > 4 {
			if n, ok := decUint(t[4:i]); ok {
				inst = int(n)
				t = trimSpace(t[i+1:])
			}
		}
		if len(t) == 0 {
			return r.ignore("blank") // an instance prefix and nothing else
		}
	}
	switch t[0] {
	case '<':
		if isDxlLine(t) {
			return r.finish(r.parseDxl(t, pos))
		}
		if bytes.Contains(t, []byte("->")) {
			return r.finish(r.parseLink(t, pos, inst))
		}
		return r.fwTabEntry(t, pos, inst)
	case '|':
		return r.gconnLine(t, pos)
	case '+':
		if bytes.HasPrefix(t, []byte("+=")) {
			return r.ignore("banner") // cpinfo stderr markers
		}
	case '=':
		if len(bytes.Trim(t, "=")) == 0 {
			return r.ignore("banner")
		}
	case '#':
		return r.ignore("prompt")
	case '@', '[', ';':
		if t[0] == '@' && r.fast && r.fastSync(t, pos) {
			return true
		}
		if t[len(t)-1] == ']' && isProductHeading(t) {
			return r.ignore("hotfix listing") // cpinfo -y all: [FW1], [Reporting Module]
		}
		return r.kdebugLine(t, pos)
	case '-':
		if bytes.HasPrefix(t, []byte("-*-")) {
			return r.finish(r.parseGallBanner(t, pos))
		}
		if len(bytes.Trim(t, "-")) == 0 {
			return r.ignore("banner")
		}
		if name, ok := tableBanner(t); ok {
			r.rec.reset(KindTable, pos)
			r.rec.Table = name
			return r.accept()
		}
	}
	if isDigit(t[0]) && t[len(t)-1] == ':' {
		if ok := r.parseSGMHeader(t, pos); ok {
			return r.accept()
		}
	}
	if bytes.HasPrefix(t, []byte("Chassis ")) {
		return r.finish(r.parseDxlChassis(t, pos))
	}
	if bytes.Contains(t, []byte("Direction: ")) && bytes.Contains(t, []byte("Source: ")) {
		return r.finish(r.parseFwTabF(t, pos))
	}
	if isSyncBody(t) || isKernelFunc(t) {
		return r.kdebugLine(t, pos)
	}
	if produced, handled := r.pstatStart(t, pos); handled {
		return produced
	}
	if bytes.Contains(t, []byte("....")) || t[len(t)-1] == ':' || bytes.HasPrefix(t, []byte("Delta Sync")) ||
		bytes.HasPrefix(t, []byte("Sync status:")) || bytes.HasPrefix(t, []byte("Reset on ")) {
		if produced, handled := r.syncstatLine(t, pos); handled {
			return produced
		}
	}
	if bytes.HasPrefix(t, []byte("dynamic, id ")) || bytes.HasPrefix(t, []byte("Default:")) {
		return r.ignore("banner")
	}
	if isDigit(t[0]) && bytes.IndexByte(t, '%') > 0 && r.cphaState(t, pos) {
		return r.accept()
	}
	if produced, handled := r.cpinfoLine(t, pos); handled {
		return produced
	}
	if isHostHeader(t) {
		r.rec.reset(KindHostHeader, pos)
		r.rec.Table = string(t[:len(t)-1])
		return r.accept()
	}
	return r.unrecognized(t, pos)
}

// unrecognized counts a line that resembles none of the formats: not
// damaged, so ignored ("other cpinfo content" in a cpinfo file, else
// "unrecognized") and counted by its shape; or, under
// SetRejectUnrecognized, rejected.
func (r *Reader) unrecognized(t []byte, pos Pos) bool {
	if r.rejectUnknown {
		r.rejectLine(synErr(pos, ErrUnrecognized,
			"not a recognized entry (expected a fw tab -u/-f entry, a kernel-debug sync or correction line, a gconn row or asg dxl calc output)"), 1)
		return true
	}
	switch r.cpinfo {
	case cpinfoYes:
		r.stats.ignore(ReasonCpinfoOther, 1)
	case cpinfoUnknown:
		r.stats.undetermined++
	default:
		r.stats.ignore(ReasonUnrecognized, 1)
	}
	var h uint64
	r.shapeBuf, h = appendShape(r.shapeBuf, t)
	r.stats.shapes.count(r.shapeBuf, h, pos)
	return false
}

// finish counts the outcome of a parser that fills r.rec.
func (r *Reader) finish(e *SyntaxError) bool {
	if e != nil {
		r.rejectLine(e, 1)
		return true
	}
	return r.accept()
}

// isHostHeader matches a single "name:" token such as "localhost:".
func isHostHeader(t []byte) bool {
	if len(t) < 2 || t[len(t)-1] != ':' {
		return false
	}
	for _, c := range t[:len(t)-1] {
		if c != '-' && c != '.' && c != '_' && !isDigit(c) && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}

type ioError struct {
	pos Pos
	err error
}

func (e *ioError) Error() string { return e.pos.String() + ": " + e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }
