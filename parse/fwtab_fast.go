package parse

import (
	"encoding/binary"
	"math/bits"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// The fast path of `fw tab -t connections -u` dumps: a full entry or a link
// line in the shape R81.20 prints every one of them,
//
//	<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, ..., 00000000; 00000001 ; 2151/3600>
//	<00000001, c0a8edd2, 0000027c, 0a718322, 00009003, 00000006> -> <00000000, 0a718322, 00009003, c0a8edd2, 0000027c, 00000006> (00000005)
//
// every word 8 hex digits, ", " between, so that each field sits at an
// offset known in advance. fastFwTab reads such a line (untrimmed, as the
// line reader gives it) in one pass and checks every byte of it, the words
// it does not decode included: a line it takes can hold no NUL, no stray
// separator and no bad digit, so that the full parser (parseLine,
// parseFwTab, parseLink) would give the same record. It takes nothing
// else: an instance prefix, other spacing, a wrapped entry or a word of
// another length returns false, and the full parser reads the line as
// always. The differential tests (fast_test.go) hold the two to that.

// fwKeyEnd is the offset of the byte after a fixed-shape key: '<', six
// words of 8 hex digits with ", " between.
const fwKeyEnd = 1 + 6*8 + 5*2

// fwLinkLen is the length of a fixed-shape link line with its flags.
const fwLinkLen = fwKeyEnd + len("> -> <") + 6*8 + 5*2 + len("> (") + 8 + len(")")

// fwMaxWords is the most value words the shape of an entry has room for
// (R81.20 prints 40); an entry with more is the full parser's.
const fwMaxWords = 64

const fwKeyPicture = "<hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh, hhhhhhhh"

var (
	// fwLinkShape is a whole link line.
	fwLinkShape = makeShape(fwKeyPicture + "> -> " + fwKeyPicture + "> (hhhhhhhh)")
	// fwEntryShape is an entry's key and values, to the value word the
	// line ends its values with (the ';' after it does not fit: that is
	// where shapeFit stops).
	fwEntryShape = makeShape(fwKeyPicture + ";" + strings.Repeat(" hhhhhhhh,", fwMaxWords))
)

// fastFwTab is the fast path of a fw tab -u line (see above). It returns
// false, before it has counted anything, when the line is not in the shape
// it knows; it may have written to the Record, which the full parser
// resets.
func (r *Reader) fastFwTab(line []byte, pos Pos) bool {
	return r.fastFwTabIn(line, pos, false) == len(line)
}

// fastFwTabIn is fastFwTab of the line at the start of buf: with ahead
// false, buf is the line; with ahead true, buf is what the line reader has
// read ahead, and the line is taken when a '\n' follows its last byte
// (see Reader.fastAhead). It returns the line's length, or 0 when it does
// not take it.
func (r *Reader) fastFwTabIn(buf []byte, pos Pos, ahead bool) int {
	if len(buf) <= fwKeyEnd+1 || buf[0] != '<' {
		return 0
	}
	var n int
	switch buf[fwKeyEnd] {
	case ';':
		n = r.fastEntry(buf, pos)
	case '>':
		n = r.fastLink(buf, pos)
	}
	if n == 0 || ahead && (n >= len(buf) || buf[n] != '\n') || !ahead && n != len(buf) {
		return 0
	}
	rec := &r.rec
	var w [6]uint32
	if !fastKey(buf[1:], &w) {
		return 0 // setKey's range errors are the full parser's
	}
	rec.HasKey = true
	putKey(&rec.Key, &w)
	if fastBreak != nil {
		fastBreak(rec)
	}
	r.accept()
	return n
}

// fastKey decodes the six words of a key that fits fwKeyPicture, b[0]
// its first digit, and reports whether they fit a Key (keyFits).
func fastKey(b []byte, w *[6]uint32) bool {
	_ = b[fwKeyEnd-2]
	if vecShape {
		hexKeyAVX2(&b[0], w)
	} else {
		hexKeyGo(b, w)
	}
	if fastBreakWord != nil {
		for i := range w {
			w[i] = fastBreakWord(i, w[i])
		}
	}
	return keyFits(w)
}

// hexKeyGo decodes the six words of a key that fits fwKeyPicture, b[0]
// its first digit, a word at a time; the reference of hexKeyAVX2.
func hexKeyGo(b []byte, w *[6]uint32) {
	_ = b[fwKeyEnd-2]
	for i := range w {
		w[i] = hex8Value(binary.LittleEndian.Uint64(b[10*i:]), 8)
	}
}

// fastEntry reads the values, extra segments and expiry of a full entry
// at the start of line, whose key ends at line[fwKeyEnd] == ';', and
// returns the entry's length (past the '>' that ends its expiry), or 0.
func (r *Reader) fastEntry(line []byte, pos Pos) int {
	end, nw := fwEntryValues(line)
	want, skip := r.valWords, r.skipCount()
	if nw <= skip {
		return 0
	}
	if want == 0 || want > nw {
		want = nw
	}
	rec := &r.rec
	rec.resetShaped(KindFwTab, pos)
	vals := rec.Vals[:0]
	vals = append(vals, zeroWords[:skip]...) // skip < nw <= fwMaxWords
	for i := skip; i < want; i++ {
		vals = append(vals, fwValue(line, i))
	}
	p, extra := fwEntryExtra(line, end+1, rec.Extra[:0], true)
	n, e := fwEntryExpiry(line, p)
	if n == 0 {
		return 0
	}
	rec.Vals, rec.Extra = vals, extra
	r.skipped(rec)
	rec.HasExpiry, rec.Expiry = true, e
	return n
}

// fwEntryValues checks the key and the values of the entry at the start of
// line (shapeFit: the values' ';' is the first byte that does not fit) and
// returns where its values end (that ';') and how many there are; nw is 0
// when the line is not in the shape.
func fwEntryValues(line []byte) (end, nw int) {
	const vs = fwKeyEnd + 1 // values: " xxxxxxxx" each, ',' between, ';' after the last
	end = shapeFit(line, fwEntryShape)
	if end >= len(line) || line[end] != ';' || (end-vs)%10 != 9 {
		return 0, 0
	}
	return end, (end - vs + 1) / 10
}

// fwValue decodes value word i of an entry whose values fit fwEntryShape.
func fwValue(line []byte, i int) uint32 {
	const vs = fwKeyEnd + 1
	w := hex8Value(binary.LittleEndian.Uint64(line[vs+1+10*i:]), 8)
	if fastBreakWord != nil {
		w = fastBreakWord(i, w)
	}
	return w
}

// fwEntryExtra reads the extra segments from p on (" xxxxxxxx ;" each),
// appending them to extra when keep is set, and returns where they end. A
// segment with a bad digit ends them: the expiry then does not fit
// (fwEntryExpiry).
func fwEntryExtra(line []byte, p int, extra []uint32, keep bool) (int, []uint32) {
	for p+11 <= len(line) && line[p] == ' ' && line[p+9] == ' ' && line[p+10] == ';' {
		x := binary.LittleEndian.Uint64(line[p+1:])
		if nonHex8(x) != 0 {
			return len(line), extra
		}
		if keep {
			extra = append(extra, hex8Value(x, 8))
		}
		p += 11
	}
	return p, extra
}

// fwEntryExpiry reads the expiry at p, " remaining/timeout>" in decimal,
// and returns the entry's length (past the '>'), or 0. Two numbers of 1 to
// 7 digits, what a dump holds, are read 8 bytes at a time; any other
// expiry, and one near the end of line, by fwEntryExpiryBytes.
func fwEntryExpiry(line []byte, p int) (int, decode.Expiry) {
	if p >= 0 && p+19 <= len(line) && line[p] == ' ' {
		x := binary.LittleEndian.Uint64(line[p+1:])
		if d := bits.TrailingZeros64(nonDigit8(x)) >> 3; d > 0 && d < 8 && line[p+1+d] == '/' {
			s := p + 1 + d
			y := binary.LittleEndian.Uint64(line[s+1:])
			if e := bits.TrailingZeros64(nonDigit8(y)) >> 3; e > 0 && e < 8 && line[s+1+e] == '>' {
				return s + 2 + e, decode.Expiry{Remaining: uint32(dec8Value(x, d)), Timeout: uint32(dec8Value(y, e))}
			}
		}
	}
	return fwEntryExpiryBytes(line, p)
}

// fwEntryExpiryBytes is fwEntryExpiry a byte at a time.
func fwEntryExpiryBytes(line []byte, p int) (int, decode.Expiry) {
	n := len(line)
	if p+4 > n || line[p] != ' ' {
		return 0, decode.Expiry{}
	}
	slash := p + 1
	for slash < n && isDigit(line[slash]) {
		slash++
	}
	if slash == n || line[slash] != '/' {
		return 0, decode.Expiry{}
	}
	gt := slash + 1
	for gt < n && isDigit(line[gt]) {
		gt++
	}
	if gt == n || line[gt] != '>' {
		return 0, decode.Expiry{}
	}
	rem, ok1 := decUint(line[p+1 : slash])
	to, ok2 := decUint(line[slash+1 : gt])
	if !ok1 || !ok2 {
		return 0, decode.Expiry{}
	}
	return gt + 1, decode.Expiry{Remaining: rem, Timeout: to}
}

// fastLink reads the target key and flags of a link line at the start of
// line, whose key ends at line[fwKeyEnd] == '>', and returns its length,
// or 0: the line's first fwLinkLen bytes fit fwLinkShape.
func (r *Reader) fastLink(line []byte, pos Pos) int {
	const at = fwKeyEnd + len("> -> <")
	if len(line) < fwLinkLen || shapeFit(line[:fwLinkLen], fwLinkShape) != fwLinkLen {
		return 0
	}
	var w [6]uint32
	if !fastKey(line[at:], &w) {
		return 0
	}
	rec := &r.rec
	rec.resetShaped(KindFwTabLink, pos)
	putKey(&rec.Link, &w)
	rec.Flags = hex8Value(binary.LittleEndian.Uint64(line[fwLinkLen-9:]), 8)
	return fwLinkLen
}

// FwTabFields are the fields of a fw tab -u full entry or link line that
// the fast path hands a [FwTabSink] in place of a Record: those an audit
// of connections reads. Each is what the full parser's Record holds.
type FwTabFields struct {
	Line int  // the Record's Pos.Line
	Link bool // a link line: Key is the key it points to (Record.Link)
	// Key is an entry's key (Record.Key), a link line's target.
	Key Key
	// Expiry is an entry's remaining/timeout (Record.Expiry).
	Expiry decode.Expiry
	// Word is an entry's value word WordIndex, the one value word the
	// Reader was asked for (see ScanSinks).
	Word      uint32
	WordIndex int
}

// A FwTabSink takes the fw tab -u lines the fast path reads (see
// [Reader.ScanSinks]).
type FwTabSink interface {
	TakeFwTab(f *FwTabFields)
}

// ScanSinks is Scan, but for the lines the fast paths read from what the
// line reader has read ahead: fw tab -u entries and link lines (every line
// of an R81.20 dump after its first entry) go to fw, kernel-debug sync
// lines to sy (see syncSink), as fields, no Record built. They are counted
// as Scan counts them. It does so only when the Reader decodes one value
// word (SetValueWords n, SetSkipWords n-1) and keeps no raw text; a nil
// sink, or any other Reader, leaves those lines to Scan. It returns false,
// with SinkRefused true, when sy refuses a line.
func (r *Reader) ScanSinks(fw FwTabSink, sy SyncSink) bool {
	if (fw != nil || sy != nil) && r.fast && !r.keepRaw && r.keep == nil && r.valWords > 0 && r.valWords == r.skipCount()+1 {
		for {
			if fw != nil && r.ahead && r.fastSink(fw) {
				continue
			}
			if sy != nil && r.syncSink(sy) {
				continue
			}
			break
		}
		if r.refused {
			return false
		}
	}
	return r.Scan()
}

// fastSink is fastAhead for ScanSinks: it hands sink the next line and
// reports true, or leaves the line to Scan.
func (r *Reader) fastSink(sink FwTabSink) bool {
	if !r.aheadFree() {
		return false
	}
	buf := r.aheadFwTab()
	if buf == nil {
		return false
	}
	f := &r.fields
	var n int
	switch buf[fwKeyEnd] {
	case ';':
		n = r.entryFields(buf, f)
	case '>':
		n = linkFields(buf, f)
	}
	if n == 0 || n >= len(buf) || buf[n] != '\n' {
		r.ahead = false
		return false
	}
	f.Line = r.lr.line + 1
	if fastBreakFields != nil {
		fastBreakFields(f)
	}
	kind := KindFwTab
	if f.Link {
		kind = KindFwTabLink
	}
	r.stats.Recognized[kind]++
	r.tookAhead(buf, n, Pos{Name: r.name, Line: f.Line})
	sink.TakeFwTab(f)
	return true
}

// fastBreakFields, set by a test, alters what fastSink hands its sink.
var fastBreakFields func(*FwTabFields)

// entryFields is fastEntry and fastFwTabIn's key for a FwTabSink.
func (r *Reader) entryFields(line []byte, f *FwTabFields) int {
	end, nw := fwEntryValues(line)
	skip := r.skipCount()
	if nw <= skip {
		return 0
	}
	p, _ := fwEntryExtra(line, end+1, nil, false)
	n, e := fwEntryExpiry(line, p)
	var w [6]uint32
	if n == 0 || !fastKey(line[1:], &w) {
		return 0
	}
	f.Link = false
	putKey(&f.Key, &w)
	f.Expiry = e
	f.Word, f.WordIndex = fwValue(line, skip), skip
	return n
}

// linkFields is fastLink and fastFwTabIn's key for a FwTabSink: the link's
// own key is checked (keyTextFits), not decoded.
func linkFields(line []byte, f *FwTabFields) int {
	const at = fwKeyEnd + len("> -> <")
	if len(line) < fwLinkLen || shapeFit(line[:fwLinkLen], fwLinkShape) != fwLinkLen || !keyTextFits(line[1:]) {
		return 0
	}
	var w [6]uint32
	if !fastKey(line[at:], &w) {
		return 0
	}
	f.Link = true
	putKey(&f.Key, &w)
	f.Expiry, f.Word, f.WordIndex = decode.Expiry{}, 0, 0
	return fwLinkLen
}

// keyTextFits is keyFits of the key that fits fwKeyPicture, b[0] its first
// digit, read off its digits: the ports' words start with four '0's, the
// protocol's with six.
func keyTextFits(b []byte) bool {
	const z4, z2 = 0x30303030, 0x3030
	_ = b[fwKeyEnd-2]
	return binary.LittleEndian.Uint32(b[20:]) == z4 && binary.LittleEndian.Uint32(b[40:]) == z4 &&
		binary.LittleEndian.Uint32(b[50:]) == z4 && binary.LittleEndian.Uint16(b[54:]) == z2
}
