package parse

import (
	"encoding/binary"
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
	for i := range 6 {
		w[i] = hex8Value(binary.LittleEndian.Uint64(b[10*i:]), 8)
		if fastBreakWord != nil {
			w[i] = fastBreakWord(i, w[i])
		}
	}
	return keyFits(w)
}

// fastEntry reads the values, extra segments and expiry of a full entry
// at the start of line, whose key ends at line[fwKeyEnd] == ';', and
// returns the entry's length (past the '>' that ends its expiry), or 0.
// shapeFit checks the key and the values; the values' ';' is the first
// byte that does not fit.
func (r *Reader) fastEntry(line []byte, pos Pos) int {
	const vs = fwKeyEnd + 1 // values: " xxxxxxxx" each, ',' between, ';' after the last
	end := shapeFit(line, fwEntryShape)
	if end >= len(line) || line[end] != ';' || (end-vs)%10 != 9 {
		return 0
	}
	nw := (end - vs + 1) / 10
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
		w := hex8Value(binary.LittleEndian.Uint64(line[vs+1+10*i:]), 8)
		if fastBreakWord != nil {
			w = fastBreakWord(i, w)
		}
		vals = append(vals, w)
	}
	// Extra segments: " xxxxxxxx ;" each.
	p := end + 1
	extra := rec.Extra[:0]
	for p+11 <= len(line) && line[p] == ' ' && line[p+9] == ' ' && line[p+10] == ';' {
		x := binary.LittleEndian.Uint64(line[p+1:])
		if nonHex8(x) != 0 {
			return 0
		}
		extra = append(extra, hex8Value(x, 8))
		p += 11
	}
	// The expiry: " remaining/timeout>", decimal, the line's last bytes.
	n := len(line)
	if p+4 > n || line[p] != ' ' {
		return 0
	}
	slash := p + 1
	for slash < n && isDigit(line[slash]) {
		slash++
	}
	if slash == n || line[slash] != '/' {
		return 0
	}
	gt := slash + 1
	for gt < n && isDigit(line[gt]) {
		gt++
	}
	if gt == n || line[gt] != '>' {
		return 0
	}
	rem, ok1 := decUint(line[p+1 : slash])
	to, ok2 := decUint(line[slash+1 : gt])
	if !ok1 || !ok2 {
		return 0
	}
	rec.Vals, rec.Extra = vals, extra
	r.skipped(rec)
	rec.HasExpiry, rec.Expiry = true, decode.Expiry{Remaining: rem, Timeout: to}
	return gt + 1
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
