package parse

import (
	"bytes"
	"strconv"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// NewConnFilter returns the prefilter for connection c (either direction).
// The rarer address is searched first: a client's address (the higher,
// ephemeral port) is named by fewer lines than a server's shared one, so
// fewer lines go on to the second search.
func NewConnFilter(c decode.Tuple) *ConnFilter {
	p := &ConnFilter{}
	a, b := c.Src, c.Dst
	if c.DPort > c.SPort {
		a, b = b, a
	}
	for i, ip := range [2]uint32{a, b} {
		p.hex[i].pat = strconv.AppendUint(nil, uint64(ip), 16)
		p.dot[i].pat = []byte(decode.IPv4(ip).String())
	}
	p.same = a == b
	return p
}

// Patterns lists the byte patterns the filter looks for, for messages.
func (p *ConnFilter) Patterns() []string {
	out := []string{string(p.hex[0].pat), string(p.dot[0].pat)}
	if !p.same {
		out = append(out, string(p.hex[1].pat), string(p.dot[1].pat))
	}
	return out
}

// ConnFilter is the prefilter of a search for one connection (see
// [Reader.SetPrefilter]): it keeps the lines that name both of the
// connection's addresses, in the byte forms the formats print them, and the
// context lines a reader of those lines needs. Call Reset at the start of
// each input.
type ConnFilter struct {
	hex  [2]finder // lowercase hex without leading zeros: a substring of the 8-digit form too
	dot  [2]finder // dotted quad
	same bool      // both ends have the same address

	// A byte histogram of the first sampleBytes of each input picks, in
	// each pattern, the byte the input holds least of: the search starts
	// there, so bytes.Index meets few false first-byte candidates (the '.'
	// of a dotted address in a hex-only kernel debug, a rare hex digit).
	hist    [256]int
	sampled int
}

// sampleBytes is how much of each input the byte histogram covers.
const sampleBytes = 64 << 10

// finder searches pat by its rarest byte: it finds pat[k:] with
// bytes.Index, then checks the k bytes before.
type finder struct {
	pat []byte
	k   int
}

func (f *finder) in(line []byte) bool {
	sub := f.pat[f.k:]
	for off := 0; ; {
		i := bytes.Index(line[off:], sub)
		if i < 0 {
			return false
		}
		i += off
		if i >= f.k && bytes.Equal(line[i-f.k:i], f.pat[:f.k]) {
			return true
		}
		off = i + 1
	}
}

// rarest sets k to the position of pat's least frequent byte under hist
// (the first on a tie).
func (f *finder) rarest(hist *[256]int) {
	f.k = 0
	for i, c := range f.pat {
		if hist[c] < hist[f.pat[f.k]] {
			f.k = i
		}
	}
}

// sample adds line to the histogram; at sampleBytes it picks where each
// pattern's search starts.
func (p *ConnFilter) sample(line []byte) {
	for _, c := range line {
		p.hist[c]++
	}
	p.sampled += len(line) + 1
	if p.sampled >= sampleBytes {
		p.choose()
	}
}

func (p *ConnFilter) choose() {
	for i := range 2 {
		p.hex[i].rarest(&p.hist)
		p.dot[i].rarest(&p.hist)
	}
}

// Reset starts a new sample (for a new input) and searches from the first
// byte until it is taken.
func (p *ConnFilter) Reset() {
	p.hist, p.sampled = [256]int{}, 0
	for i := range 2 {
		p.hex[i].k, p.dot[i].k = 0, 0
	}
}

// Keep is the prefilter: it reports whether line can name the connection or
// is context the trace needs. A line that names the connection names both
// of its addresses, in the form its format uses:
//
//   - fw tab -u keys and links: 8-digit zero-padded lowercase hex (ac103d02,
//     0a000001);
//   - kernel-debug sync keys: lowercase hex without leading zeros (ac103d02,
//     a000001), a substring of the 8-digit form, so one search covers both;
//   - fw tab -f, gconn, correction lines, asg dxl calc: dotted (172.16.61.2).
//
// Each address is searched with bytes.Index, the rarer address first, hex
// then dotted, each pattern from the byte the input holds least of (see
// ConnFilter). Context lines are kept at the cost of a few byte compares:
// SGM headers ("1_01:", "-*- ... -*-"), asg dxl calc lines (every result
// line, so a chassis line never joins the wrong calc), gconn headers
// (column order), the first line of an entry wrapped over several lines
// and that of a kernel-debug sync line wrapped inside its key (the key may
// name the connection on the lines after; the Reader reads the lines that
// continue a line without asking the prefilter, so they are kept with it),
// kernel-debug lines naming a chassis state (site-state evidence), and a
// line starting with '{' (so the Reader still recognizes a JSON
// document and skips it). Hex is matched in lower case, as Check Point
// prints it [seed][public].
func (p *ConnFilter) Keep(line []byte) bool {
	if p.sampled < sampleBytes {
		p.sample(line)
	}
	seg := KeySegment(line)
	if p.hex[0].in(seg) || p.dot[0].in(seg) {
		if p.same || p.hex[1].in(seg) || p.dot[1].in(seg) {
			return true
		}
	}
	// A kernel-debug line that is not a sync message (its key segment is
	// the whole line, not its keys list) may name a chassis state.
	if len(seg) > 0 && (seg[0] == '@' || seg[0] == '[' || seg[0] == ';') && isChassisState(seg) {
		return true
	}
	return keepContext(line)
}

// isChassisState reports whether a kernel-debug line may be a correction
// line naming a chassis state ("chassis 0 is STANDBY"): whatever
// connection it is about, it is evidence of the site states, which a
// search for one connection resolves as every analysis does.
func isChassisState(t []byte) bool {
	i := bytes.Index(t, []byte("chassis "))
	return i > 0 && bytes.Contains(t[i:], []byte(" is "))
}

// keepContext reports whether line is context: see [ConnFilter.Keep].
func keepContext(line []byte) bool {
	t := trimSpace(line)
	if len(t) == 0 {
		return false
	}
	switch c := t[0]; {
	case c == '<':
		if last := t[len(t)-1]; last != '>' && last != ')' {
			return true // first line of a wrapped entry (a link ends in its flags): its key may follow
		}
		return bytes.IndexByte(t, ' ') < 0 // <src,dst,method,value> of asg dxl calc
	case c == '[':
		if bytes.HasPrefix(t, []byte("[fw_")) {
			if j := bytes.IndexByte(t, ']'); j > 0 {
				rest := trimSpace(t[j+1:])
				if len(rest) > 0 && rest[0] == '<' && rest[len(rest)-1] != '>' && rest[len(rest)-1] != ')' {
					return true
				}
				return isSyncKeyCut(rest)
			}
		}
		return isSyncKeyCut(t)
	case c == '@' || c == ';':
		return isSyncKeyCut(t)
	case c == '-':
		return bytes.HasPrefix(t, []byte("-*-"))
	case c == '{':
		return true
	case c == '|':
		return bytes.HasPrefix(trimSpace(t[1:]), []byte("Segm"))
	case c == 'C' && bytes.HasPrefix(t, []byte("Chassis ")):
		return true
	case c >= 'A' && c <= 'Z':
		return isSyncKeyCut(t) // a sync line pasted without its prefix
	case c >= '0' && c <= '9':
		return len(t) <= 8 && t[len(t)-1] == ':'
	}
	return false
}
