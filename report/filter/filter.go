package filter

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// MaxIndex bounds the entries an [Index] keeps (about 64 bytes each).
const MaxIndex = 1 << 22

// Index is the first of two passes over dumps whose link lines must match
// with their entries: in a fw tab dump a link may come before the entry it
// belongs to (the table is printed in hash order), so the owner of every
// entry that can match is read first, by input and key. It keeps the fw
// tab -u entries whose owner meets the conditions that do not depend on
// the site states (those are decided in the second pass, once resolved).
type Index struct {
	m       *Matcher // the owner conditions, without --off-active
	owners  map[indexKey]int8
	line    Line
	Dropped int64 // entries beyond MaxIndex, not kept
}

type indexKey struct {
	input int32
	key   parse.Key
}

// NewIndex returns the index of the entries that can meet c, fed by f
// (it registers itself).
func NewIndex(f *report.Feed, c Conditions) *Index {
	oc := Conditions{Owners: c.Owners, OwnerSites: c.OwnerSites, OutsideLayout: c.OutsideLayout}
	x := &Index{m: NewMatcher(oc, f.Layout(), nil), owners: map[indexKey]int8{}}
	f.Use(x)
	return x
}

// ValueWords implements report.ValueWorder: the owner is V13.
func (x *Index) ValueWords() int { return decode.WordBits + 1 }

// FirstValueWord implements report.WordSkipper: the owner is the only word
// the index reads.
func (x *Index) FirstValueWord() int { return decode.WordBits }

// Add keeps the entry of a full fw tab -u record whose owner can match.
func (x *Index) Add(it *report.Item) {
	if it.Kind != parse.KindFwTab || !it.HasKey {
		return
	}
	LineOf(&x.line, it.Record, it.T, it.Clocked)
	if !x.line.HasOwner || !x.m.Values(&x.line) {
		return
	}
	if len(x.owners) >= MaxIndex {
		x.Dropped++
		return
	}
	x.owners[indexKey{int32(it.Input), it.Key}] = int8(x.line.Owner)
}

// owner is the owner of the entry of input under key k.
func (x *Index) owner(input int, k parse.Key) (int, bool) {
	o, ok := x.owners[indexKey{int32(input), k}]
	return int(o), ok
}

// KeepEntries is the prefilter of an Index pass that needs nothing but
// the entries: it keeps the lines that can start a fw tab -u entry.
type KeepEntries struct{}

// Keep keeps a line starting with '<' or with a [fw_N] prefix.
func (KeepEntries) Keep(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	return len(t) > 0 && t[0] == '<' || bytes.HasPrefix(t, []byte("[fw_"))
}

// Reset implements report.Prefilter.
func (KeepEntries) Reset() {}

// Pure implements report.PurePrefilter: Keep looks at the line alone.
func (KeepEntries) Pure() {}

// Options say how matches are printed.
type Options struct {
	Invert   bool // print the lines that do not match, those no format decodes too
	Count    bool // print counts, not lines
	PerInput bool // with Count, one count per input ("name:count"); with lines, prefix "name:"
	Numbers  bool // prefix "name:line:"
	Sanitize bool // escape control characters (stdout is a terminal)
	// Encode, when set, makes each match one JSON object per line
	// (--format ndjson), instead of its raw lines.
	Encode func(it *report.Item) any
}

// Filter is the analysis: it decides each line and prints, in input
// order, those that match.
type Filter struct {
	f      *report.Feed
	m      *Matcher
	idx    *Index
	opt    Options
	w      *bufio.Writer
	enc    *json.Encoder
	d      decider
	buf    []byte  // scratch of writeRaw
	counts []int64 // matches by input, for PerInput counts
	// Matched is the number of matching lines (records: a wrapped entry
	// counts once).
	Matched int64
	err     error
}

// New returns the filter of m over f (it registers itself), writing to w;
// idx, when not nil, gives link lines the owner of their entry.
func New(f *report.Feed, m *Matcher, idx *Index, w io.Writer, opt Options) *Filter {
	x := &Filter{f: f, m: m, idx: idx, opt: opt, w: bufio.NewWriterSize(w, 64<<10)}
	if opt.Encode != nil {
		x.enc = json.NewEncoder(x.w)
		x.enc.SetEscapeHTML(false)
	}
	f.Use(x)
	return x
}

// FirstValueWord implements report.WordSkipper: raw lines need no word
// but the owner, decoded ones all of them.
func (x *Filter) FirstValueWord() int {
	if x.opt.Encode != nil {
		return 0
	}
	return decode.WordBits
}

// ValueWords implements report.ValueWorder: raw lines need no word past
// the owner, decoded ones all of them.
func (x *Filter) ValueWords() int {
	if x.opt.Encode != nil {
		return 0
	}
	return decode.WordBits + 1
}

// Decide reports whether the record of it matches. A line no format
// decodes (ignored or rejected) never matches.
func (x *Filter) Decide(it *report.Item) bool { return x.d.decide(x, it) }

// decider is the scratch of Decide: the filter's own, or a shard's.
type decider struct{ line Line }

func (d *decider) decide(x *Filter, it *report.Item) bool {
	if it.Err != nil || it.Kind == parse.KindNone {
		return false
	}
	LineOf(&d.line, it.Record, it.T, it.Clocked)
	if it.Kind == parse.KindFwTabLink && x.idx != nil {
		o, ok := x.idx.owner(it.Input, it.Link)
		if !ok {
			o, ok = x.idx.owner(it.Input, it.Key)
		}
		d.line.HasOwner, d.line.Owner = ok, o
	}
	return x.m.Match(&d.line)
}

// Add prints the record of it when it matches (or, inverted, when not).
func (x *Filter) Add(it *report.Item) {
	if x.Decide(it) == x.opt.Invert {
		return
	}
	x.Matched++
	if x.opt.Count {
		if x.opt.PerInput {
			for len(x.counts) <= it.Input {
				x.counts = append(x.counts, 0)
			}
			x.counts[it.Input]++
		}
		return
	}
	if x.err != nil {
		return
	}
	if x.enc != nil {
		x.err = x.enc.Encode(x.opt.Encode(it))
		return
	}
	x.writeRaw(it)
}

// writeRaw writes the physical lines of it, each with its prefix.
func (x *Filter) writeRaw(it *report.Item) {
	x.buf = x.appendRaw(x.buf[:0], it.Input, it.Raw, it.Pos.Line)
	_, x.err = x.w.Write(x.buf)
}

// appendRaw appends raw, the physical lines of a match of input in from
// line n on, each with its prefix.
func (x *Filter) appendRaw(dst []byte, in int, raw []byte, n int) []byte {
	var name string
	if x.opt.PerInput || x.opt.Numbers {
		if in := x.f.Input(in); in != nil {
			name = in.Name
		}
	}
	for len(raw) > 0 {
		l := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			l = raw[:i+1]
		}
		raw = raw[len(l):]
		if x.opt.PerInput || x.opt.Numbers {
			dst = append(dst, name...)
			dst = append(dst, ':')
		}
		if x.opt.Numbers {
			dst = strconv.AppendInt(dst, int64(n), 10)
			dst = append(dst, ':')
		}
		n++
		body := bytes.TrimSuffix(l, []byte{'\n'})
		if x.opt.Sanitize {
			body = bytes.TrimSuffix(body, []byte{'\r'})
			dst = append(dst, report.Sanitize(string(body))...)
		} else {
			dst = append(dst, body...)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// NewShard returns a shard of the filter for one chunk of a big input
// (see report.Sharder): it decides the chunk's lines where they are
// parsed and keeps the matches' lines, which Merge prints in file order.
// Decoded output (--format ndjson) is written one record at a time.
func (x *Filter) NewShard() report.Shard { return &shard{x: x} }

type shard struct {
	x       *Filter
	d       decider
	matched int64
	raw     []byte  // the matches' lines, one after the other
	at      []match // where each match is in raw
}

type match struct {
	end  int // raw[previous end:end]
	line int // of the chunk
}

// Add decides one record of the chunk.
func (sh *shard) Add(it *report.Item) bool {
	x := sh.x
	if x.enc != nil {
		return false
	}
	if sh.d.decide(x, it) == x.opt.Invert {
		return true
	}
	sh.matched++
	if !x.opt.Count {
		sh.raw = append(sh.raw, it.Raw...)
		sh.at = append(sh.at, match{end: len(sh.raw), line: it.Pos.Line})
	}
	return true
}

// Merge prints the chunk's matches, or counts them.
func (sh *shard) Merge(c report.ChunkContext) {
	x := sh.x
	x.Matched += sh.matched
	if x.opt.Count {
		if x.opt.PerInput {
			for len(x.counts) <= c.Input {
				x.counts = append(x.counts, 0)
			}
			x.counts[c.Input] += sh.matched
		}
		return
	}
	start := 0
	for _, m := range sh.at {
		if x.err != nil {
			return
		}
		x.buf = x.appendRaw(x.buf[:0], c.Input, sh.raw[start:m.end], m.line+c.Base)
		_, x.err = x.w.Write(x.buf)
		start = m.end
	}
}

// Close writes the counts (with Count) and flushes the output.
func (x *Filter) Close() error {
	if x.err == nil && x.opt.Count {
		if x.opt.PerInput {
			for _, in := range x.f.Inputs() {
				var n int64
				if in.Index < len(x.counts) {
					n = x.counts[in.Index]
				}
				fmt.Fprintf(x.w, "%s:%d\n", in.Name, n)
			}
		} else {
			fmt.Fprintf(x.w, "%d\n", x.Matched)
		}
	}
	if err := x.w.Flush(); x.err == nil {
		x.err = err
	}
	return x.err
}

// Undecoded is the JSON object of a line no format decodes (printed by
// -v --format ndjson).
type Undecoded struct {
	Type   string `json:"type"` // "undecoded"
	Source string `json:"source"`
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Error  string `json:"error,omitempty"` // why it was rejected; none when only ignored
}

// UndecodedOf is the Undecoded object of it.
func UndecodedOf(it *report.Item) Undecoded {
	u := Undecoded{Type: "undecoded", Source: it.Pos.Name, Line: it.Pos.Line,
		Text: string(bytes.TrimRight(it.Raw, "\r\n"))}
	if it.Err != nil {
		u.Error = it.Err.Error()
	}
	return u
}
