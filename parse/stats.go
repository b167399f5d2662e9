package parse

import (
	"cmp"
	"errors"
	"maps"
	"slices"
)

// MaxExamples is how many rejected lines a [Stats] keeps as examples.
const MaxExamples = 5

// The ignored reasons of a line that resembles none of the formats. Such a
// line is not damaged, so it is not rejected; it is counted under one of
// these reasons and by its shape (see [Stats.Shapes]).
const (
	// ReasonUnrecognized: a line outside a cpinfo file.
	ReasonUnrecognized = "unrecognized"
	// ReasonCpinfoOther: a line of a cpinfo file (the output of another
	// command, a copied log), once the file has shown its structure: a
	// section title, an Issuing line or the CPinfo banner.
	ReasonCpinfoOther = "other cpinfo content"
)

// Stats accounts for every line a Reader read: each line is recognized
// (by kind), ignored (by reason: blank, banner, prompt, unrecognized, ...)
// or rejected (by reason: a line that looks like one of the formats but is
// damaged). Lines = sum(Recognized) + sum(Ignored) + sum(Rejected).
//
// The lines no format recognized are also counted by shape (see
// [Stats.Shapes]), so that a format the Reader does not know shows up as
// one shape of many lines.
type Stats struct {
	Lines      int64
	Recognized [numKinds]int64
	Ignored    map[string]int64
	Rejected   map[string]int64
	Examples   []*SyntaxError // the first MaxExamples rejected lines

	shapes shapeTable
	// undetermined counts, in the Reader of a chunk of a split file, the
	// lines no format recognized before the chunk showed whether it lies in
	// a cpinfo file; the merge gives them their reason (see addChunk).
	undetermined int64
}

func (s *Stats) ignore(reason string, n int) {
	if s.Ignored == nil {
		s.Ignored = make(map[string]int64)
	}
	s.Ignored[reason] += int64(n)
}

func (s *Stats) reject(e *SyntaxError, n int) {
	if s.Rejected == nil {
		s.Rejected = make(map[string]int64)
	}
	reason := ErrUnrecognized.Error()
	if e.Err != nil {
		reason = e.Err.Error()
	}
	s.Rejected[reason] += int64(n)
	if len(s.Examples) < MaxExamples && !e.Quiet {
		s.Examples = append(s.Examples, e)
	}
}

// RecognizedLines is the number of lines that gave records.
func (s *Stats) RecognizedLines() int64 { return sum(s.Recognized[:]) }

// IgnoredLines is the number of lines that gave no record and are not
// damaged: blank lines, banners, prompts, lines no format recognized.
func (s *Stats) IgnoredLines() int64 {
	return sum(slices.Collect(maps.Values(s.Ignored))) + s.undetermined
}

// RejectedLines is the number of rejected lines.
func (s *Stats) RejectedLines() int64 { return sum(slices.Collect(maps.Values(s.Rejected))) }

// UnrecognizedLines is the number of lines no format recognized (ignored
// as [ReasonUnrecognized] or [ReasonCpinfoOther]): the lines counted by
// shape.
func (s *Stats) UnrecognizedLines() int64 { return s.shapes.lines }

// Add folds o into s (for several inputs, in input order: a shape's first
// position is the one of the first input that has it).
func (s *Stats) Add(o *Stats) { s.add(o, 0) }

// addChunk folds the stats of a chunk's Reader into s, the stats of the
// chunks before it: base is the file line number of the chunk's line 0,
// inCpinfo whether those chunks showed that the file is a cpinfo, which
// decides the reason of the chunk's undetermined lines.
func (s *Stats) addChunk(o *Stats, base int, inCpinfo bool) {
	n := o.undetermined
	s.add(o, base)
	if n > 0 {
		reason := ReasonUnrecognized
		if inCpinfo {
			reason = ReasonCpinfoOther
		}
		s.undetermined -= n
		s.ignore(reason, int(n))
	}
}

func (s *Stats) add(o *Stats, base int) {
	s.Lines += o.Lines
	for i, n := range o.Recognized {
		s.Recognized[i] += n
	}
	for k, n := range o.Ignored {
		s.ignore(k, int(n))
	}
	for k, n := range o.Rejected {
		if s.Rejected == nil {
			s.Rejected = make(map[string]int64)
		}
		s.Rejected[k] += n
	}
	for _, e := range o.Examples {
		if len(s.Examples) < MaxExamples {
			s.Examples = append(s.Examples, e)
		}
	}
	s.undetermined += o.undetermined
	s.shapes.merge(&o.shapes, base)
}

// Kinds lists the kinds with recognized lines, in kind order.
func (s *Stats) Kinds() []Kind {
	var ks []Kind
	for k, n := range s.Recognized {
		if n > 0 {
			ks = append(ks, Kind(k))
		}
	}
	return ks
}

// IsRejected reports whether err is a rejected-line error.
func IsRejected(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se)
}

func sum(xs []int64) int64 {
	var t int64
	for _, x := range xs {
		t += x
	}
	return t
}

// IsQuiet reports whether err is a rejected-line error that repeats a
// reason already reported for its input.
func IsQuiet(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) && se.Quiet
}

// Shapes of the lines no format recognized.
//
// A line's shape is the line with every number replaced by N: a token (a
// run of ASCII letters and digits) made only of digits, or only of hex
// digits with at least one digit or at least 8 of them (ac103d02, 1c001,
// ffffffff), or 0x and hex digits. Tokens that mix in other letters stay
// (fw4, eth0, R81), so names stay readable:
//
//	@;92545593;[cpu_3];[fw4_0];fwldbcast_recv: got 12 bytes from 0a0d0873
//	@;N;[cpu_N];[fw4_N];fwldbcast_recv: ...
//
// Runs of spaces and tabs become one space, other control bytes and runs of
// non-ASCII bytes one '?'. A shape ends after the first ": " (a log line's
// header: the message that follows varies) when that lies within
// [MaxShapeLen] bytes; a longer shape is cut at its last space within them
// (at MaxShapeLen when there is none in its second half); "..." marks a cut.

// MaxShapes is how many shapes [Stats.Shapes] returns.
const MaxShapes = 32

// MaxShapeLen bounds the length of a shape, before its "..." mark.
const MaxShapeLen = 48

// shapesKept bounds the distinct shapes a Stats counts. Past it, the
// shapes kept are those of the smallest keys (FNV-1a hash, then the shape):
// a choice that depends on the set of shapes only, not on the order they
// came in, so that the stats of the chunks of a split file merge to what a
// serial read counts, and the counts of the shapes kept stay exact. A
// variable so that tests can make it small.
var shapesKept = 256

// Shape is one shape of lines no format recognized.
type Shape struct {
	Shape string // the line with its numbers replaced by N, cut (see above)
	Count int64  // lines of this shape
	First Pos    // the first of them
}

// Shapes returns the most frequent shapes of the lines no format
// recognized, at most [MaxShapes], most lines first (then by shape). The
// lines of the others are [Stats.UnrecognizedLines] minus the counts here.
func (s *Stats) Shapes() []Shape {
	all := s.shapes.sorted(func(a, b *shapeEntry) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.shape, b.shape))
	})
	out := make([]Shape, 0, min(len(all), MaxShapes))
	for _, e := range all[:min(len(all), MaxShapes)] {
		out = append(out, Shape{Shape: e.shape, Count: e.count, First: e.first})
	}
	return out
}

// ShapeCount is the number of distinct shapes counted; sampled is true when
// there were more than could be kept (then n is a lower bound, and the
// shapes [Stats.Shapes] returns are the most frequent of a sample).
func (s *Stats) ShapeCount() (n int, sampled bool) { return len(s.shapes.m), s.shapes.over }

// shapeTable counts lines by shape, keeping at most shapesKept shapes.
type shapeTable struct {
	m     map[string]*shapeEntry
	lines int64       // every line counted, its shape kept or not
	over  bool        // a shape was not kept: there were more than shapesKept
	max   *shapeEntry // the kept shape of the greatest key, once full
}

type shapeEntry struct {
	shape string
	hash  uint64
	count int64
	first Pos
}

// keyLess orders shapes by (hash, shape).
func keyLess(h1 uint64, s1 string, h2 uint64, s2 string) bool {
	return h1 < h2 || h1 == h2 && s1 < s2
}

// count counts one line of shape b (hash h) at pos.
func (t *shapeTable) count(b []byte, h uint64, pos Pos) {
	if e := t.m[string(b)]; e != nil {
		t.lines++
		e.count++
		return
	}
	t.insert(string(b), h, 1, pos)
}

// insert counts n lines of a shape not in the table.
func (t *shapeTable) insert(shape string, h uint64, n int64, first Pos) {
	t.lines += n
	if len(t.m) >= shapesKept {
		t.over = true
		if t.max == nil {
			t.setMax()
		}
		if !keyLess(h, shape, t.max.hash, t.max.shape) {
			return // not kept: its lines count among the lines only
		}
		delete(t.m, t.max.shape) // its lines stay counted in t.lines
	}
	if t.m == nil {
		t.m = make(map[string]*shapeEntry)
	}
	t.m[shape] = &shapeEntry{shape: shape, hash: h, count: n, first: first}
	if len(t.m) >= shapesKept {
		t.setMax()
	}
}

// setMax finds the kept shape of the greatest key: once the table is full,
// each shape kept costs a pass over it, and few are (a shape is kept only
// when its key is below all but shapesKept-1 of those seen).
func (t *shapeTable) setMax() {
	t.max = nil
	for _, e := range t.m {
		if t.max == nil || keyLess(t.max.hash, t.max.shape, e.hash, e.shape) {
			t.max = e
		}
	}
}

// merge folds o into t; base is added to the line of o's positions.
func (t *shapeTable) merge(o *shapeTable, base int) {
	t.over = t.over || o.over
	kept := int64(0)
	for _, e := range o.m {
		kept += e.count
	}
	t.lines += o.lines - kept // the lines of the shapes o did not keep
	for _, e := range o.sorted(func(a, b *shapeEntry) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.shape, b.shape))
	}) {
		if have := t.m[e.shape]; have != nil {
			t.lines += e.count
			have.count += e.count
			continue
		}
		first := e.first
		first.Line += base
		t.insert(e.shape, e.hash, e.count, first)
	}
}

func (t *shapeTable) sorted(cmp func(a, b *shapeEntry) int) []*shapeEntry {
	all := slices.Collect(maps.Values(t.m))
	slices.SortFunc(all, cmp)
	return all
}

// appendShape appends the shape of the trimmed line t to dst[:0] and
// returns it with its FNV-1a hash.
func appendShape(dst, t []byte) ([]byte, uint64) {
	dst = dst[:0]
	cut := false
	for i := 0; i < len(t); {
		if len(dst) > MaxShapeLen {
			cut = true
			break
		}
		switch c := t[i]; {
		case isAlnum(c):
			j := i + 1
			for j < len(t) && isAlnum(t[j]) {
				j++
			}
			if isNumberToken(t[i:j]) {
				dst = append(dst, 'N')
			} else {
				dst = append(dst, t[i:min(j, i+MaxShapeLen+1-len(dst))]...)
			}
			i = j
		case c == ' ' || c == '\t':
			for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
				i++
			}
			if len(dst) > 0 && dst[len(dst)-1] == ':' && i < len(t) {
				// A log line's header ends here; its message varies.
				dst = append(dst, " ..."...)
				return dst, fnv(dst)
			}
			dst = append(dst, ' ')
		case c >= 0x80:
			for i < len(t) && t[i] >= 0x80 {
				i++
			}
			dst = append(dst, '?')
		case c < 0x20 || c == 0x7f:
			dst = append(dst, '?')
			i++
		default:
			dst = append(dst, c)
			i++
		}
	}
	if cut || len(dst) > MaxShapeLen {
		end := MaxShapeLen
		for k := MaxShapeLen; k > MaxShapeLen/2; k-- {
			if dst[k] == ' ' {
				end = k
				break
			}
		}
		dst = append(trimSpace(dst[:end]), " ..."...)
	}
	return dst, fnv(dst)
}

// fnv is the 64-bit FNV-1a hash of b.
func fnv(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// isNumberToken reports whether the alphanumeric token w is a number: all
// digits, 0x and hex digits, or hex digits with a digit or 8 of them.
func isNumberToken(w []byte) bool {
	if len(w) > 2 && w[0] == '0' && w[1]|0x20 == 'x' {
		w = w[2:]
	}
	digit := false
	for _, c := range w {
		if hexClass[c] >= 16 {
			return false
		}
		digit = digit || isDigit(c)
	}
	return digit || len(w) >= 8
}
