package parse

import (
	"bytes"
)

// Format: `fw tab -t connections -u` [seed][public].
//
//	localhost:
//	-------- connections --------
//	dynamic, id 8158, attributes: keep, sync, aggressive aging, ...
//	<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, ..., 02008000, ...; 00000001 ; 3394/3618>
//	<00000001, 0a0d0873, 00000016, 0a0d0777, 0000851a, 00000006> -> <00000000, ...> (00000005)
//
// A full entry is `<key; values; [extra segments;] remaining/timeout>`; the
// key is `dir, src, sport, dst, dport, proto` as hex words, IPs big-endian.
// R81.20 prints 34 values and one extra segment, 2014 versions 31 values and
// none: the count is never assumed. With -v, lines carry a `[fw_N]` prefix.
// An entry pasted across several lines is joined until its closing '>'.

// fwTabEntry parses a full entry starting at t, joining continuation lines
// when the entry does not close on this line.
func (r *Reader) fwTabEntry(t []byte, pos Pos, inst int) bool {
	if t[len(t)-1] == '>' {
		return r.finish(r.parseFwTab(t, pos, inst, 1))
	}
	// Wrapped entry: join lines until one ends with '>'.
	r.join = append(r.join[:0], t...)
	lines := 1
	for lines < maxJoin && len(r.join) <= r.lr.max {
		line, n, tooLong, ok := r.nextLine()
		if !ok {
			break
		}
		next := trimSpace(line)
		if tooLong || !isContinuation(next) {
			r.pushBack(line, n, tooLong)
			break
		}
		r.stats.Lines++
		lines++
		r.join = append(r.join, ' ')
		r.join = append(r.join, next...)
		if next[len(next)-1] == '>' {
			r.cur = nil // columns no longer map to one line
			e := r.parseFwTab(r.join, pos, inst, lines)
			if e != nil {
				r.rejectLine(e, lines)
				return true
			}
			return r.accept()
		}
	}
	r.rejectLine(synErr(pos, ErrTruncated, "truncated fw tab entry: no closing '>' (%d bytes over %d line(s))", len(r.join), lines), lines)
	return true
}

// isContinuation reports whether t can continue a wrapped entry: hex
// words and the entry's punctuation only.
func isContinuation(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	for _, c := range t {
		switch {
		case isDigit(c), c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		case c == ' ', c == '\t', c == ',', c == ';', c == '/', c == '>':
		default:
			return false
		}
	}
	return true
}

// parseFwTab parses a complete `<key; values; ...; rem/timeout>` entry.
func (r *Reader) parseFwTab(t []byte, pos Pos, inst, lines int) *SyntaxError {
	rec := r.resetFwTab(KindFwTab, pos)
	rec.Lines = lines
	rec.Instance = inst
	body := t[1 : len(t)-1]
	semi := bytes.IndexByte(body, ';')
	if semi < 0 {
		return synErr(pos, ErrTruncated, "fw tab entry has no ';' after its key: expected <key; values; remaining/timeout>")
	}
	if e := r.parseKey(body[:semi], &rec.Key, pos); e != nil {
		return e
	}
	rec.HasKey = true
	rest := body[semi+1:]
	// Values.
	semi = bytes.IndexByte(rest, ';')
	valSeg := rest
	if semi >= 0 {
		valSeg, rest = rest[:semi], rest[semi+1:]
	} else {
		rest = nil
	}
	var off int
	ok := false
	if r.fast { // the fixed stride of a dump's words, else the general read
		rec.Vals, _, ok = hexPrefix8(valSeg, rec.Vals, r.skipCount(), r.valWords)
	}
	if !ok {
		if rec.Vals, _, off, ok = hexPrefix(valSeg, rec.Vals, r.skipCount(), r.valWords); !ok {
			return r.hexErr(valSeg, off, pos, "value")
		}
	}
	r.skipped(rec)
	// Extra segments, then the expiry in the last one.
	for len(rest) > 0 {
		seg := rest
		semi = bytes.IndexByte(rest, ';')
		if semi >= 0 {
			seg, rest = rest[:semi], rest[semi+1:]
		} else {
			rest = nil
		}
		seg = trimSpace(seg)
		if rest == nil && bytes.IndexByte(seg, '/') >= 0 {
			a, b, _ := bytes.Cut(seg, []byte("/"))
			rem, ok1 := decUint(trimSpace(a))
			to, ok2 := decUint(trimSpace(b))
			if !ok1 || !ok2 {
				return synErr(Pos{pos.Name, pos.Line, r.col(seg)}, ErrField, "expiry %q: expected remaining/timeout in seconds", clip(seg))
			}
			rec.HasExpiry = true
			rec.Expiry.Remaining, rec.Expiry.Timeout = rem, to
			break
		}
		if rec.Extra, off, ok = hexList(seg, rec.Extra); !ok {
			return r.hexErr(seg, off, pos, "extra")
		}
	}
	return nil
}

// resetFwTab resets the Record for a fw tab entry or link line (kind): on
// the fast paths, only what those parsers set (see Record.resetShaped).
func (r *Reader) resetFwTab(kind Kind, pos Pos) *Record {
	if r.fast {
		r.rec.resetShaped(kind, pos)
	} else {
		r.rec.reset(kind, pos)
	}
	return &r.rec
}

// parseLink parses `<key> -> <key> (flags)`.
func (r *Reader) parseLink(t []byte, pos Pos, inst int) *SyntaxError {
	rec := r.resetFwTab(KindFwTabLink, pos)
	rec.Instance = inst
	a, b, _ := bytes.Cut(t, []byte("->"))
	a, b = trimSpace(a), trimSpace(b)
	if len(a) < 2 || a[len(a)-1] != '>' || len(b) < 2 || b[0] != '<' {
		return synErr(pos, ErrTruncated, "link line: expected <key> -> <key> (flags)")
	}
	end := bytes.IndexByte(b, '>')
	if end < 0 {
		return synErr(pos, ErrTruncated, "link line: target key has no closing '>'")
	}
	if e := r.parseKey(a[1:len(a)-1], &rec.Key, pos); e != nil {
		return e
	}
	if e := r.parseKey(b[1:end], &rec.Link, pos); e != nil {
		return e
	}
	rec.HasKey = true
	flags := trimSpace(b[end+1:])
	if len(flags) > 0 {
		if len(flags) < 2 || flags[0] != '(' || flags[len(flags)-1] != ')' {
			return synErr(pos, ErrField, "link flags %q: expected (hex)", clip(flags))
		}
		v, ok := hexWord(trimSpace(flags[1 : len(flags)-1]))
		if !ok {
			return r.hexErr(flags[1:len(flags)-1], 0, pos, "link flags")
		}
		rec.Flags = v
	}
	return nil
}

// parseKey parses the six key words `dir, src, sport, dst, dport, proto`.
func (r *Reader) parseKey(seg []byte, k *Key, pos Pos) *SyntaxError {
	if r.fast {
		var w [6]uint32
		if key6(trimSpace(seg), &w) {
			return r.setKey(k, w[0], w[1], w[2], w[3], w[4], w[5], pos)
		}
	}
	var words [8]uint32
	ws, end := []uint32(nil), 0
	if r.fast {
		ws, end = words8(seg, words[:0], 7)
	}
	if len(ws) != 6 || len(trimSpace(seg[end:])) != 0 {
		var off int
		var ok bool
		if ws, off, ok = hexList(seg, words[:0]); !ok {
			return r.hexErr(seg, off, pos, "key")
		}
	}
	if len(ws) != 6 {
		return synErr(pos, ErrCount, "key has %d words, expected 6 (dir, src, sport, dst, dport, proto)", len(ws))
	}
	return r.setKey(k, ws[0], ws[1], ws[2], ws[3], ws[4], ws[5], pos)
}

// setKey fills k after checking that ports and protocol fit their fields.
func (r *Reader) setKey(k *Key, dir, src, sport, dst, dport, proto uint32, pos Pos) *SyntaxError {
	if w := [6]uint32{dir, src, sport, dst, dport, proto}; keyFits(&w) {
		putKey(k, &w)
		return nil
	}
	if sport > 0xffff || dport > 0xffff {
		return synErr(pos, ErrField, "port word out of range: %#x, %#x", sport, dport)
	}
	return synErr(pos, ErrField, "protocol word out of range: %#x", proto)
}

// keyFits reports whether the six key words dir, src, sport, dst, dport,
// proto make a Key: the ports and the protocol fit their fields.
func keyFits(w *[6]uint32) bool { return w[2] <= 0xffff && w[4] <= 0xffff && w[5] <= 0xff }

// putKey stores key words that fit (keyFits) in k, field by field: a Key
// built whole and then copied costs the hot paths a stalled load (its
// 16-byte moves read back the narrow stores that built it).
func putKey(k *Key, w *[6]uint32) {
	k.Dir, k.Src, k.SPort, k.Dst, k.DPort, k.Proto = w[0], w[1], uint16(w[2]), w[3], uint16(w[4]), uint8(w[5])
}

// hexErr reports a non-hex word found at byte off of seg.
func (r *Reader) hexErr(seg []byte, off int, pos Pos, what string) *SyntaxError {
	w := seg[off:]
	if i := bytes.IndexAny(w, ",;>"); i >= 0 {
		w = w[:i]
	}
	w = trimSpace(w)
	if c := r.col(w); c > 0 {
		pos.Col = c
	}
	if len(w) == 0 {
		return synErr(pos, ErrHex, "empty %s word", what)
	}
	return synErr(pos, ErrHex, "%s word %q is not hex (1 to 8 hex digits)", what, clip(w))
}

// tableBanner matches "-------- connections --------" and returns the name.
func tableBanner(t []byte) (string, bool) {
	s := bytes.Trim(t, "-")
	if len(s) == len(t) || len(s) == 0 {
		return "", false
	}
	name := trimSpace(s)
	if len(name) == 0 || bytes.ContainsAny(name, " \t") {
		return "", false
	}
	if bytes.Equal(name, []byte("connections")) {
		return "connections", true
	}
	return string(name), true
}

// clip shortens text quoted in messages to 40 bytes.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
