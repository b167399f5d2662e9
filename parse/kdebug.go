package parse

import (
	"bytes"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Format: kernel debug from `fw ctl debug -m cluster + unisync correction`,
// read with `fw ctl kdebug` [seed][public].
//
//	[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(34)=<1c001,...> sync_mask=[0x0001800e] refresh time=3608 ...;
//	[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <172.16.61.2(33183) -> 172.16.61.66(31435) IPP6>: chassis 0 is STANDBY in VS0, will not correct;
//
// Prefixes vary: `@;92545593;[vs_10];...` and `@;882640557.8263;...` carry a
// timestamp (with -T), `;[cpu_3];[fw4_0];` none, and a pasted line may have
// no prefix at all. Words are hex without leading zeros; `keys(n)` and
// `vals(n)` announce their counts and are checked. REFRESH, DELETE and SLINKS
// have no published verbatim line [assumed: same shape, parts may be
// missing], so any upper-case op is parsed the same way.

// kdebugLine parses a line that starts with a kernel-debug prefix, or whose
// body is a sync message or a kernel function's message.
func (r *Reader) kdebugLine(t []byte, pos Pos) bool {
	rec := &r.rec
	rec.reset(KindKdebug, pos)
	p := splitPrefix(t)
	if p.prompt {
		return r.ignore("prompt")
	}
	if p.hasStamp {
		rec.HasTime, rec.Time = true, p.stamp
	}
	if p.instance >= 0 {
		rec.Instance = p.instance
	}
	if p.badStamp != nil {
		// Parsed as usual, so that a wrapped line is read whole, then
		// rejected: a line without its stamp would take the one before.
		e := synErr(Pos{pos.Name, pos.Line, r.col(p.badStamp)}, ErrTimestamp,
			"bad timestamp %q: expected @;N; with N of 1 to %d decimal digits, and a fraction of up to %d after a '.'",
			clip(p.badStamp), maxStampDigits, maxStampFraction)
		r.kdebugBody(t, p, pos)
		if r.err == nil { // accepted: count it as rejected instead
			r.stats.Recognized[rec.Kind] -= int64(rec.Lines)
			r.rejectLine(e, rec.Lines)
		}
		return true
	}
	return r.kdebugBody(t, p, pos)
}

// kdebugBody parses the body of the kernel-debug line t, split as p.
func (r *Reader) kdebugBody(t []byte, p prefix, pos Pos) bool {
	body, hadPrefix := p.body, p.hadPrefix
	switch {
	case isSyncBody(body):
		if body[len(body)-1] != ';' { // the one test an unwrapped line pays
			return r.syncWrapped(body, pos)
		}
		return r.finish(r.parseSync(body, pos))
	case isKernelFunc(body):
		r.parseKernelFunc(body)
		return r.accept()
	case hadPrefix && opEnd(body) > 0 && body[len(body)-1] != ';':
		return r.syncWrapped(body, pos) // cut before its keys(
	case hadPrefix:
		return r.accept() // a kernel-debug line that carries nothing we decode
	}
	r.rejectLine(synErr(pos, ErrUnrecognized, "not a recognized entry: %q", clip(t)), 1)
	return true
}

// Wrapped sync lines. A terminal, a pager or a tool that cuts lines at a
// fixed width can split one sync line over several; nothing is lost at the
// break. A line that ends in ';' is complete: that one byte test is all an
// unwrapped line pays. Any other sync line (or kernel-debug line with an
// upper-case op, cut before its keys) is open, and the next line continues
// it, decided by content, when:
//
//   - the line ends inside a keys(n)=<...> or vals(n)=<...> list (its last
//     '<' is not closed; the usual break is right after a ','), and the
//     next line holds only hex digits and commas up to the list's '>' or
//     its own end;
//   - it ends inside sync_mask=[...], and the next line holds only hex
//     digits, 'x' and spaces up to the ']' or its own end;
//   - it ends anywhere else (before vals( or sync_mask=, inside a label, in
//     the fields after the mask), and the next line holds only what a sync
//     line's text is made of: lower-case letters, digits and "_=()<>[], ",
//     with a ';' at most as its last byte, and does not start with '['.
//
// So a continuation never starts with a kernel-debug prefix ('@', '[',
// ';' followed by more) nor with the first bytes of another format (upper
// case, '|', ':' in SGM headers and -f lines, '.' in dotted addresses, '-'
// in links and banners, ';' inside fw tab entries), and a blank line ends
// the join. Pieces are joined with nothing, except that a space at the
// break (ending the line or starting the next) is kept as one space outside
// the lists and the mask. A break inside a hex word cannot be told from a
// break between two words: the comma that separates words stays on one side
// of the break, so list pieces are joined with nothing, which also mends a
// cut word; were a comma lost, the merged word would not be one, and the
// line is rejected (a word over 8 digits, or vals(n) disagreeing), never
// misread. At most maxSyncLines lines, and no more bytes than the longest
// line kept, are joined. Not joined: a cut inside the prefix or the op,
// and one right before a '[' (sync_mask= then [0x...] on the next line,
// which reads as a prefix).

// maxSyncLines bounds how many physical lines one wrapped sync line may
// span: the seed's 360-byte SET takes 5 lines of 80 columns, 9 of 40.
const maxSyncLines = 16

// syncEnd is how a sync line's text ends, for joining wrapped lines.
type syncEnd uint8

const (
	syncClosed syncEnd = iota // ends with ';': complete
	syncInList                // inside a keys(n)=< or vals(n)=< list
	syncInMask                // inside sync_mask=[...]
	syncOpen                  // anywhere else, without the final ';'
)

// syncEnding reports how the sync body b ends.
func syncEnding(b []byte) syncEnd {
	if len(b) == 0 || b[len(b)-1] == ';' {
		return syncClosed
	}
	if lt := bytes.LastIndexByte(b, '<'); lt >= 0 && bytes.IndexByte(b[lt:], '>') < 0 {
		return syncInList
	}
	if i := bytes.Index(b, []byte("sync_mask=[")); i >= 0 && bytes.IndexByte(b[i:], ']') < 0 {
		return syncInMask
	}
	return syncOpen
}

// syncContinues reports whether t, a trimmed line, continues a sync line
// whose text ends as e.
func syncContinues(e syncEnd, t []byte) bool {
	if len(t) == 0 {
		return false
	}
	switch e {
	case syncInList:
		return runUpTo(t, '>', false)
	case syncInMask:
		return runUpTo(t, ']', true)
	case syncOpen:
		return isSyncText(t)
	}
	return false
}

// runUpTo reports whether t holds only hex digits and commas (mask: hex
// digits, 'x', 'X' and spaces) before its first closing byte, or up to its
// end when it has none.
func runUpTo(t []byte, closing byte, mask bool) bool {
	for _, c := range t {
		switch {
		case c == closing:
			return true
		case hexClass[c] < 16:
		case !mask && c == ',':
		case mask && (c == 'x' || c == 'X' || c == ' ' || c == '\t'):
		default:
			return false
		}
	}
	return true
}

// isSyncText reports whether t is made of what the text of a sync line
// after its op is made of, a ';' at most last, and does not start with '['
// (a kernel-debug prefix).
func isSyncText(t []byte) bool {
	if t[0] == '[' {
		return false
	}
	for i, c := range t {
		switch {
		case c >= 'a' && c <= 'z', isDigit(c):
		case c == '_', c == '=', c == '(', c == ')', c == '<', c == '>', c == '[', c == ']', c == ',', c == ' ', c == '\t':
		case c == ';' && i == len(t)-1:
		default:
			return false
		}
	}
	return true
}

// isSyncContinuation reports whether t, a trimmed line, could continue a
// wrapped sync line, whatever came before it: a chunk of a split file
// never starts on such a line (see boundary).
func isSyncContinuation(t []byte) bool {
	return syncContinues(syncInList, t) || syncContinues(syncInMask, t) || syncContinues(syncOpen, t)
}

// isSyncKeyCut reports whether t, a trimmed kernel-debug line, is a sync
// line cut before the end of its keys list: the first line of a wrapped
// sync line that may name a connection on the lines after.
func isSyncKeyCut(t []byte) bool {
	if len(t) == 0 || t[len(t)-1] == ';' {
		return false
	}
	body := splitPrefix(t).body
	if opEnd(body) == 0 {
		return false
	}
	k := bytes.Index(body, []byte("keys("))
	return k < 0 || bytes.IndexByte(body[k:], '>') < 0
}

// isBlank reports whether c is a space or a tab.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// syncWrapped parses the sync body b of the current line, whose last byte
// is not ';', joining the lines that continue it. b lies in r.cur, which is
// copied first: reading ahead reuses the line buffer.
func (r *Reader) syncWrapped(b []byte, pos Pos) bool {
	off := r.col(b) - 1
	if off < 0 { // not within the current line: keep the body alone
		r.join = append(r.join[:0], b...)
		r.cur, off = nil, 0
	} else {
		r.join = append(r.join[:0], r.cur...)
		r.cur = r.join // columns still map to the first line
	}
	end := off + len(b)
	spaced := end < len(r.join) && isBlank(r.join[end]) // a space ends the line
	lines := 1
	for e := syncEnding(b); e != syncClosed && lines < maxSyncLines; {
		line, n, tooLong, ok := r.nextLine()
		if !ok {
			// The input ends inside the line: a chunk's Reader is then
			// not neutral (see neutral).
			r.wrapCut = e == syncInList || e == syncInMask
			break
		}
		next := trimSpace(line)
		if tooLong || !syncContinues(e, next) || end-off+1+len(next) > r.lr.max {
			r.pushBack(line, n, tooLong)
			break
		}
		r.stats.Lines++
		lines++
		r.join = r.join[:end] // drop what followed the body on the first line
		if e == syncOpen && (spaced || isBlank(line[0])) {
			r.join = append(r.join, ' ')
		}
		r.join = append(r.join, next...)
		end = len(r.join)
		spaced = isBlank(line[len(line)-1])
		e = syncEnding(r.join[off:end])
	}
	if lines > 1 {
		r.cur = nil // columns no longer map to one line
	}
	r.rec.Lines = lines
	b = r.join[off:end]
	if !isSyncBody(b) { // an op line cut before its keys, not continued so
		return r.accept()
	}
	if err := r.parseSync(b, pos); err != nil {
		r.rejectLine(err, lines)
		return true
	}
	return r.accept()
}

// prefix is a kernel-debug line split into its prefix's facts and body.
type prefix struct {
	body      []byte
	stamp     float64
	hasStamp  bool
	badStamp  []byte // the text of an `@;N;` stamp parseStamp refused
	instance  int    // fw4_N / fw_N, -1 when absent
	hadPrefix bool
	prompt    bool // a `[user@host:0]#` shell prompt, not kernel debug
}

// splitPrefix splits `@;stamp;[vs_0];[tid_7];[fw4_7];body`; the stamp and
// each bracketed group are optional. A stamp that is not one (see
// parseStamp) is kept in badStamp.
func splitPrefix(t []byte) prefix {
	p := prefix{instance: -1}
	if bytes.HasPrefix(t, []byte("@;")) {
		if end := bytes.IndexByte(t[2:], ';'); end > 0 {
			p.stamp, p.hasStamp = parseStamp(t[2 : 2+end])
			if !p.hasStamp {
				p.badStamp = t[2 : 2+end]
			}
			t = t[2+end+1:]
			p.hadPrefix = true
		}
	}
	for len(t) > 0 {
		switch t[0] {
		case ';', ' ', '\t':
			t = t[1:]
			continue
		case '[':
			// Tags are short ("[vs_0]", "[fw4_7]"): a plain loop beats
			// a call to bytes.IndexByte for each.
			j, at := -1, false
			for k := 1; k < len(t); k++ {
				if t[k] == ']' {
					j = k
					break
				}
				at = at || t[k] == '@'
			}
			if j < 0 {
				p.body = t
				return p
			}
			tag := t[1:j]
			if at {
				return prefix{instance: -1, prompt: true}
			}
			p.instance = tagInstance(tag, p.instance)
			t = t[j+1:]
			p.hadPrefix = true
			continue
		}
		break
	}
	p.body = t
	return p
}

// The `@;N;` stamps read: 1 to maxStampDigits decimal digits, then
// optionally a '.' and up to maxStampFraction more ("92545593",
// "882640557.8263", "5."). No sign, no exponent, no hex, no spaces. 18
// digits keep every stamp below 10^18, exact as an int64 and within 2^63
// however it is rounded as a float64: 10^18 µs is 31,700 years, so a real
// capture's stamps (µs since boot, or even since 1970: 16 digits) are far
// inside; what is outside is damage, and the line is rejected
// ([ErrTimestamp]) rather than given the stamp before it.
const (
	maxStampDigits   = 18
	maxStampFraction = 15
)

// parseStamp parses "92545593" or "882640557.8263" (see maxStampDigits).
func parseStamp(b []byte) (float64, bool) {
	ip, fp, hasFrac := bytes.Cut(b, []byte("."))
	if len(ip) == 0 || len(ip) > maxStampDigits || len(fp) > maxStampFraction {
		return 0, false
	}
	var v uint64
	for _, c := range ip {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	f := float64(v)
	if hasFrac {
		scale := 1.0
		var frac float64
		for _, c := range fp {
			if !isDigit(c) {
				return 0, false
			}
			scale /= 10
			frac += float64(c-'0') * scale
		}
		f += frac
	}
	return f, true
}

// opEnd returns the length of a leading `[A-Z][A-Z0-9_]*` followed by ": ",
// or 0.
func opEnd(b []byte) int {
	if len(b) == 0 || b[0] < 'A' || b[0] > 'Z' {
		return 0
	}
	i := 1
	for i < len(b) && ((b[i] >= 'A' && b[i] <= 'Z') || isDigit(b[i]) || b[i] == '_') {
		i++
	}
	if i+1 < len(b) && b[i] == ':' && b[i+1] == ' ' {
		return i
	}
	return 0
}

// isSyncBody reports whether b is `OP: ...` with keys( or sync_mask= in it.
func isSyncBody(b []byte) bool {
	return opEnd(b) > 0 && (bytes.Contains(b, []byte("keys(")) || bytes.Contains(b, []byte("sync_mask=")))
}

// isKernelFunc reports whether b starts with a kernel function name such as
// "fwha_ccl_inbound: ".
func isKernelFunc(b []byte) bool {
	if !bytes.HasPrefix(b, []byte("fw")) {
		return false
	}
	i := 2
	for i < len(b) && ((b[i] >= 'a' && b[i] <= 'z') || isDigit(b[i]) || b[i] == '_') {
		i++
	}
	return i+1 < len(b) && b[i] == ':' && b[i+1] == ' '
}

// internOp returns op as a string, without allocating for the known ops.
func internOp(op []byte) string {
	switch string(op) {
	case "SET":
		return "SET"
	case "REFRESH":
		return "REFRESH"
	case "DELETE":
		return "DELETE"
	case "SLINKS":
		return "SLINKS"
	}
	return string(op)
}

// parseSync parses `OP: table (id) keys(n)=<...> vals(n)=<...> sync_mask=[...] ...`.
func (r *Reader) parseSync(b []byte, pos Pos) *SyntaxError {
	rec := &r.rec
	rec.Kind = KindSync
	n := opEnd(b)
	rec.Op = internOp(b[:n])
	rest := b[n+2:]
	// Table name and id.
	if sp := bytes.IndexByte(rest, ' '); sp > 0 && !bytes.HasPrefix(rest, []byte("keys(")) {
		name := rest[:sp]
		if bytes.Equal(name, []byte("connections")) {
			rec.Table = "connections"
		} else {
			rec.Table = string(name)
		}
		after := rest[sp+1:]
		if len(after) > 0 && after[0] == '(' {
			if end := bytes.IndexByte(after, ')'); end > 0 {
				if id, ok := decUint(after[1:end]); ok {
					rec.TableID = id
				}
			}
		}
	}
	var keys [8]uint32
	ks, e := r.countedList(b, "keys(", keys[:0], 0, 0, pos)
	if e != nil {
		return e
	}
	if len(ks) == 6 {
		if e := r.setKey(&rec.Key, ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], pos); e != nil {
			return e
		}
		rec.HasKey = true
	}
	if rec.Vals, e = r.countedList(b, "vals(", rec.Vals, r.skipCount(), r.valWords, pos); e != nil {
		return e
	}
	r.skipped(rec)
	if i := bytes.Index(b, []byte("sync_mask=[")); i >= 0 {
		m := b[i+len("sync_mask=["):]
		end := bytes.IndexByte(m, ']')
		if end < 0 {
			return synErr(pos, ErrTruncated, "sync_mask has no closing ']'")
		}
		w := trimSpace(m[:end])
		w = bytes.TrimPrefix(bytes.TrimPrefix(w, []byte("0x")), []byte("0X"))
		v, ok := hexWord(w)
		if !ok {
			return synErr(Pos{pos.Name, pos.Line, r.col(m)}, ErrHex, "sync_mask %q is not hex", clip(m[:end]))
		}
		rec.HasMask, rec.Mask = true, decode.SyncMask(v)
		if r.valWords == 0 {
			syncTail(rec, m[end:])
		}
	}
	return nil
}

// countedList parses `name(n)=<w,w,...>` anywhere in b and checks that n
// words are present; it decodes words skip to first-1 of them (first 0:
// all, see hexPrefix). A missing list returns dst empty and no error.
func (r *Reader) countedList(b []byte, name string, dst []uint32, skip, first int, pos Pos) ([]uint32, *SyntaxError) {
	dst = dst[:0]
	i := bytes.Index(b, []byte(name))
	if i < 0 {
		return dst, nil
	}
	s := b[i+len(name):]
	label := name[:len(name)-1]
	rp := bytes.IndexByte(s, ')')
	if rp < 0 {
		return dst, synErr(pos, ErrTruncated, "%s(...) has no closing ')'", label)
	}
	want, ok := decUint(s[:rp])
	if !ok {
		return dst, synErr(pos, ErrField, "%s(%s): count is not a number", label, clip(s[:rp]))
	}
	s = s[rp+1:]
	if !bytes.HasPrefix(s, []byte("=<")) {
		return dst, synErr(pos, ErrField, "%s(%d) not followed by =<", label, want)
	}
	s = s[2:]
	end := bytes.IndexByte(s, '>')
	if end < 0 {
		return dst, synErr(pos, ErrTruncated, "%s(%d)=<... has no closing '>'", label, want)
	}
	list := s[:end]
	words := 0
	if len(trimSpace(list)) > 0 {
		var off int
		if dst, words, off, ok = hexPrefix(list, dst, skip, first); !ok {
			return dst, r.hexErr(list, off, pos, label)
		}
	}
	if uint32(words) != want {
		return dst, synErr(pos, ErrCount, "%s(%d) announced, %d %s found", label, want, words, plural(words, "word"))
	}
	return dst, nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// parseKernelFunc parses `fwha_xxx: ... <a(p) -> b(p) IPPn> ... chassis N is STATE ...`.
// With a connection in it, the line is a correction line.
func (r *Reader) parseKernelFunc(b []byte) {
	rec := &r.rec
	colon := bytes.IndexByte(b, ':')
	rec.Func = internFunc(b[:colon])
	lt := bytes.IndexByte(b, '<')
	if lt < 0 {
		return
	}
	gt := closingAngle(b[lt:])
	if gt < 0 {
		return
	}
	if !parseArrowTuple(b[lt+1:lt+gt], &rec.Key) {
		return
	}
	rec.Kind = KindCorrection
	rec.HasKey = true
	rec.Decision = r.decision(b[colon+1:])
	rest := b[lt+gt:]
	if i := bytes.Index(rest, []byte("chassis ")); i >= 0 {
		s := rest[i+len("chassis "):]
		j := 0
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if n, ok := decUint(s[:j]); ok && bytes.HasPrefix(s[j:], []byte(" is ")) {
			st := s[j+4:]
			k := 0
			for k < len(st) && st[k] >= 'A' && st[k] <= 'Z' {
				k++
			}
			if k > 0 && n < 64 {
				rec.Chassis = int(n)
				rec.State = internState(st[:k])
			}
		}
	}
}

// decision quotes what a correction line body (after "fwha_xxx:") says
// besides its connection: "chassis 0 is STANDBY in VS0, will not correct",
// "no need to correct". The parts before and after the tuple are joined
// with "; ". A capture repeats the same few decisions: they are handed out
// again rather than allocated for every line.
func (r *Reader) decision(body []byte) string {
	b := r.decBuf[:0]
	add := func(part []byte) {
		if part = bytes.Trim(part, " \t:;,"); len(part) > 0 {
			if len(b) > 0 {
				b = append(b, "; "...)
			}
			b = append(b, part...)
		}
	}
	if lt := bytes.IndexByte(body, '<'); lt < 0 {
		add(body)
	} else {
		add(body[:lt])
		if gt := closingAngle(body[lt:]); gt >= 0 {
			add(body[lt+gt+1:])
		}
	}
	r.decBuf = b
	if d, ok := r.decisions[string(b)]; ok {
		return d
	}
	d := string(b)
	if len(r.decisions) < maxDecisions {
		if r.decisions == nil {
			r.decisions = make(map[string]string)
		}
		r.decisions[d] = d
	}
	return d
}

// maxDecisions bounds the distinct correction-line decisions a Reader
// keeps to hand out again.
const maxDecisions = 64

// closingAngle finds the '>' that closes a `<a(p) -> b(p) IPPn>` tuple,
// skipping the one in "->".
func closingAngle(b []byte) int {
	for i := 1; i < len(b); i++ {
		if b[i] == '>' && b[i-1] != '-' {
			return i
		}
	}
	return -1
}

// parseArrowTuple parses `172.16.61.2(33183) -> 172.16.61.66(31435) IPP6`.
func parseArrowTuple(b []byte, k *Key) bool {
	a, rest, ok := bytes.Cut(b, []byte(" -> "))
	if !ok {
		return false
	}
	src, sport, ok1 := ipPort(trimSpace(a))
	sp := bytes.LastIndexByte(rest, ' ')
	if sp < 0 {
		return false
	}
	dst, dport, ok2 := ipPort(trimSpace(rest[:sp]))
	proto := trimSpace(rest[sp+1:])
	if !ok1 || !ok2 || !bytes.HasPrefix(proto, []byte("IPP")) {
		return false
	}
	p, ok := decUint(proto[3:])
	if !ok || p > 255 {
		return false
	}
	k.Dir = 0
	k.Src, k.SPort, k.Dst, k.DPort, k.Proto = src, uint16(sport), dst, uint16(dport), uint8(p)
	return true
}

// ipPort parses "172.16.61.2(33183)".
func ipPort(b []byte) (uint32, uint32, bool) {
	open := bytes.IndexByte(b, '(')
	if open < 0 || b[len(b)-1] != ')' {
		return 0, 0, false
	}
	ip, ok1 := ipv4(b[:open])
	port, ok2 := decUint(b[open+1 : len(b)-1])
	return ip, port, ok1 && ok2 && port <= 0xffff
}

func internFunc(b []byte) string {
	switch string(b) {
	case "fwha_ccl_is_stateful_corr_needed":
		return "fwha_ccl_is_stateful_corr_needed"
	case "fwha_ccl_inbound":
		return "fwha_ccl_inbound"
	}
	return string(b)
}

func internState(b []byte) string {
	switch string(b) {
	case "ACTIVE":
		return "ACTIVE"
	case "STANDBY":
		return "STANDBY"
	case "DOWN":
		return "DOWN"
	}
	return string(b)
}
