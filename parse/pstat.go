package parse

import (
	"bytes"
	"strings"
)

// Format: `fw ctl pstat` [public: vendor ClusterXL guide (Sync section),
// ATRG (memory)], standalone or after "Issuing 'fw ctl pstat' :" in a
// cpinfo. Blocks, each a title line and indented lines, separated by blank
// lines:
//
//	System kernel memory (smem) statistics:
//	  Total memory  bytes  used: 60818016   peak: 80584760
//	  Allocations: 152911 alloc, 0 failed alloc, 150012 free, 0 failed free
//	Kernel memory (kmem) statistics:
//	  Allocations: 2113749914 alloc, 0 failed alloc
//	               2113074000 free, 0 failed free
//	Fragments: 272 fragments, 0 expired, 100 packets
//	Cookies:
//	        3017474389 total, 0 alloc, 0 free,
//	Sync:
//	        Version: new
//	        Status: Able to Send/Receive sync packets
//	        Sync packets received:
//	         total : 23,  were queued : 0, dropped by net : 0
//	         retrans reqs : 0, received 114 acks
//	         dropped updates as a result of sync overload: 0
//	        Callback statistics: handled 97 cb, average delay : 1,  max delay : 2
//
// A block opens at a title: "<name> (<tag>) statistics:" (any name, so
// that pools added by newer releases are read), "... Capacity Summary:",
// "Sync:" (or "Sync: off"), or a one-line counter label (Inspct:, Inspect:,
// Cookies:, Connections:, Fragments:, NAT:) alone or followed by counters
// only. It ends at a blank line, a cpinfo rule or Issuing line, or a line
// that is neither indented nor pstat. Inside a block every line is read as
// name/number pairs, whatever its label, so that counters added by newer
// releases are kept (see pstatPairs): "Allocations: 61671 alloc, 0 failed
// alloc" is the label Allocations with alloc=61671 and "failed alloc"=0;
// "Total memory bytes used: 201600 unused: 3992704 (95%) peak: 205872" is
// "Total memory bytes used"=201600, unused=3992704, peak=205872 (notes in
// parentheses are skipped); "total : 23, dropped by net : 0" gives total
// and "dropped by net". A line of pairs without a label continues the last
// label or sub-heading ("Sync packets received"). A sub-heading is a line
// "<words>:" alone (KindPstatBlock with Name); a "<label>: <text>" line
// without a number is KindPstatStatus ("Version: new", "Status: ...").
// Other lines inside a block are not damaged: indented, they are counted as
// ignored, [ReasonPstatOther]. A line labelled Allocations or with a
// one-line counter label whose value holds no number, or a number of 19
// digits or more, is damaged: rejected as [ErrCounter].

// ReasonPstatOther is the ignored reason of a line inside a `fw ctl pstat`
// block that is none of its known shapes (a line a newer release added).
const ReasonPstatOther = "other pstat content"

// Pair is one number of a `fw ctl pstat` counter line with its name.
type Pair struct {
	Name string // "failed alloc", "dropped by net", "Total memory bytes used"
	Num  int64  // the number; the first of "12999/0" or "5021-65531"
	Text string // the number as printed: "201600", "12999/0", "8%"
}

// pstatState is the pstat block being read: its name ("" outside one) and
// the label or sub-heading the unlabelled lines continue.
type pstatState struct {
	block, label string
}

// pstatLabels are the one-line counter labels.
var pstatLabels = []string{"Inspct:", "Inspect:", "Cookies:", "Connections:", "Fragments:", "NAT:"}

// pstatTitle returns the block a title line opens, its tag and what
// follows the title on its line.
func pstatTitle(t []byte) (name, tag string, rest []byte, ok bool) {
	if len(t) < 4 || len(t) > 120 {
		return "", "", nil, false
	}
	if t[len(t)-1] == ':' {
		head := t[:len(t)-1]
		if h, found := bytes.CutSuffix(head, []byte(" statistics")); found && len(h) > 0 && isLetter(h[0]) {
			if i := bytes.LastIndex(h, []byte(" (")); i > 0 && h[len(h)-1] == ')' {
				return string(trimSpace(h[:i])), string(h[i+2 : len(h)-1]), nil, true
			}
			return string(h), "", nil, true
		}
		if bytes.HasSuffix(head, []byte("Capacity Summary")) && isLetter(head[0]) {
			return string(head), "", nil, true
		}
	}
	switch t[0] {
	case 'S':
		if r, found := bytes.CutPrefix(t, []byte("Sync:")); found && (len(r) == 0 || r[0] == ' ' || r[0] == '\t') {
			return "Sync", "", trimSpace(r), true
		}
	case 'I', 'C', 'F', 'N':
		for _, l := range pstatLabels {
			if r, found := bytes.CutPrefix(t, []byte(l)); found && (len(r) == 0 || r[0] == ' ' || r[0] == '\t') {
				return l[:len(l)-1], "", trimSpace(r), true
			}
		}
	}
	return "", "", nil, false
}

// pstatStart opens a block at t, a line outside one; it returns (produced,
// handled).
func (r *Reader) pstatStart(t []byte, pos Pos) (produced, handled bool) {
	if r.prevRule != 0 {
		return false, false // a cpinfo title
	}
	name, tag, rest, ok := pstatTitle(t)
	if !ok {
		return false, false
	}
	if len(rest) > 0 && name != "Sync" {
		if _, _, pairs, clean, _ := pstatPairs(t); len(pairs) == 0 || !clean {
			return false, false // "NAT: enabled" is not a counter line
		}
	}
	return r.pstatOpen(name, tag, rest, t, pos), true
}

// pstatOpen opens the block name at its title line t.
func (r *Reader) pstatOpen(name, tag string, rest, t []byte, pos Pos) bool {
	r.pstat = pstatState{block: name}
	rec := &r.rec
	switch {
	case len(rest) == 0:
		rec.reset(KindPstatBlock, pos)
		rec.Table, rec.Text = name, tag
		if name != "Sync" && tag == "" {
			r.pstat.label = name // Cookies: and its lines of pairs
		}
	case name == "Sync":
		rec.reset(KindPstatStatus, pos)
		rec.Table, rec.Name, rec.Text = name, name, string(rest) // Sync: off
	default:
		return r.pstatCounter(t, pos)
	}
	return r.accept()
}

// pstatLine reads line (t trimmed) inside a block; it returns (produced,
// handled). Lines it does not handle end the block and are parsed as usual.
func (r *Reader) pstatLine(line, t []byte, pos Pos) (produced, handled bool) {
	if len(t) == 0 {
		r.pstat = pstatState{}
		return r.ignore("blank"), true
	}
	switch t[0] {
	case '<', '|', '@', '[', '+', '=', '-', '#', '*', ';', '{':
		r.pstat = pstatState{}
		return false, false
	}
	if bytes.HasPrefix(t, []byte("Issuing '")) {
		r.pstat = pstatState{}
		return false, false
	}
	if _, _, _, ok := pstatTitle(t); ok {
		if produced, handled := r.pstatStart(t, pos); handled {
			return produced, true
		}
	}
	label, first, pairs, _, e := pstatPairs(t)
	switch {
	case e != "":
		r.rejectLine(synErr(pos, ErrCounter, "pstat counter %q: %s", clip(t), e), 1)
		return true, true
	case len(pairs) > 0:
		return r.pstatCounter(t, pos), true
	case bytes.IndexByte(t, ':') == len(t)-1 && !hasDigit(t):
		rec := &r.rec
		rec.reset(KindPstatBlock, pos)
		rec.Table, rec.Name = r.pstat.block, first
		r.pstat.label = first
		return r.accept(), true
	case first != "" && label != "":
		if first == "Allocations" || pstatIsLabel(first) {
			r.rejectLine(synErr(pos, ErrCounter, "pstat counter %q holds no number", clip(t)), 1)
			return true, true
		}
		rec := &r.rec
		rec.reset(KindPstatStatus, pos)
		rec.Table, rec.Name = r.pstat.block, first
		rec.Text = string(trimSpace(t[bytes.IndexByte(t, ':')+1:]))
		return r.accept(), true
	case line[0] == ' ' || line[0] == '\t':
		return r.ignore(ReasonPstatOther), true
	}
	r.pstat = pstatState{}
	return false, false
}

// pstatCounter makes the counter record of t, a line with pairs.
func (r *Reader) pstatCounter(t []byte, pos Pos) bool {
	label, _, pairs, _, e := pstatPairs(t)
	if e != "" {
		r.rejectLine(synErr(pos, ErrCounter, "pstat counter %q: %s", clip(t), e), 1)
		return true
	}
	rec := &r.rec
	rec.reset(KindPstatCounter, pos)
	rec.Table, rec.Pairs = r.pstat.block, pairs
	switch {
	case label != "":
		rec.Name, r.pstat.label = label, label
	case r.pstat.label != "":
		rec.Name = r.pstat.label
	case len(pairs) > 0:
		rec.Name = pairs[0].Name
	}
	return r.accept()
}

func pstatIsLabel(s string) bool {
	for _, l := range pstatLabels {
		if l[:len(l)-1] == s {
			return true
		}
	}
	return false
}

func hasDigit(b []byte) bool {
	for _, c := range b {
		if isDigit(c) {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// pstat tokens: a word, a number, ':' or ','.
const (
	ptWord = iota
	ptNum
	ptColon
	ptComma
	ptDash // a lone "-": a note follows, up to the next comma
)

type ptok struct {
	kind int
	b    []byte
}

// pstatTokens splits t into tokens, skipping notes in parentheses; e is
// set when a number is too big.
func pstatTokens(t []byte) (toks []ptok, e string) {
	for i := 0; i < len(t); {
		switch c := t[i]; c {
		case ' ', '\t':
			i++
		case ':', ',':
			k := ptColon
			if c == ',' {
				k = ptComma
			}
			toks = append(toks, ptok{k, t[i : i+1]})
			i++
		case '(':
			j := bytes.IndexByte(t[i:], ')')
			if j < 0 {
				return toks, ""
			}
			i += j + 1
		default:
			j := i
			for j < len(t) && t[j] != ' ' && t[j] != '\t' && t[j] != ':' && t[j] != ',' && t[j] != '(' {
				j++
			}
			w := t[i:j]
			k := ptWord
			if n := pstatNumLen(w); n > 0 {
				if n > 18 {
					return toks, "number " + clip(w) + " out of range"
				}
				k = ptNum
			} else if len(w) == 1 && w[0] == '-' {
				k = ptDash
			}
			toks = append(toks, ptok{k, w})
			i = j
		}
	}
	return toks, ""
}

// pstatNumLen returns the length of the leading digits of w when w is a
// number as pstat prints them: digits, optionally "/N" or "-N" ("12999/0",
// "5021-65531"), optionally a '%'; else 0.
func pstatNumLen(w []byte) int {
	n := 0
	for n < len(w) && isDigit(w[n]) {
		n++
	}
	if n == 0 {
		return 0
	}
	rest := bytes.TrimSuffix(w[n:], []byte("%"))
	if len(rest) > 0 {
		if rest[0] != '/' && rest[0] != '-' || len(rest) == 1 {
			return 0
		}
		for _, c := range rest[1:] {
			if !isDigit(c) {
				return 0
			}
		}
	}
	return n
}

func joinWords(ts []ptok) string {
	var sb strings.Builder
	for i, x := range ts {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.Write(x.b)
	}
	return sb.String()
}

// pstatPairs reads the pairs of a pstat line. Within each comma-separated
// item:
//
//   - "NAME : N" is NAME=N, and words after N up to a ':' are the next
//     NAME ("used: 201600 unused: 3992704");
//   - "NAME : N words" (the line's first pair) makes NAME the line's label
//     and the words name N ("Allocations: 61671 alloc");
//   - "NAME : words" (the first) makes NAME the label ("Callback
//     statistics: handled 97 cb");
//   - a number not after a ':' is named by the words around it ("0 failed
//     alloc", "received 114 acks" is "received acks").
//
// first is the text before the line's first ':'; clean is set when every
// item gave a pair and no word was left over. e says why the line is
// damaged (a number too big), else it is "".
func pstatPairs(t []byte) (label, first string, pairs []Pair, clean bool, e string) {
	toks, e := pstatTokens(t)
	if e != "" {
		return "", "", nil, false, e
	}
	clean = true
	var words []ptok // name words not yet used
	colon := false   // a ':' was seen on the line
	num := func(x ptok) Pair {
		n := pstatNumLen(x.b)
		var v int64
		for _, c := range x.b[:n] {
			v = v*10 + int64(c-'0')
		}
		return Pair{Num: v, Text: string(x.b)}
	}
	// trailing returns the end of the run of words from i.
	trailing := func(i int) int {
		for i < len(toks) && toks[i].kind == ptWord {
			i++
		}
		return i
	}
	itemPairs := 0
	endItem := func() {
		if len(words) > 0 || itemPairs == 0 {
			clean = false
		}
		words, itemPairs = nil, 0
	}
	add := func(p Pair) {
		if p.Name == "" {
			clean = false
			return
		}
		pairs = append(pairs, p)
		itemPairs++
	}
	for i := 0; i < len(toks); {
		x := toks[i]
		switch x.kind {
		case ptWord:
			words = append(words, x)
			i++
		case ptComma:
			endItem()
			i++
		case ptDash: // a note: skip to the next comma
			for i < len(toks) && toks[i].kind != ptComma {
				i++
			}
			words = nil
			if itemPairs == 0 {
				clean = false
			}
		case ptColon:
			name := joinWords(words)
			words = nil
			if !colon {
				first, colon = name, true
			}
			i++
			if i < len(toks) && toks[i].kind == ptNum {
				p := num(toks[i])
				j := trailing(i + 1)
				switch {
				case j < len(toks) && toks[j].kind == ptColon:
					p.Name = name
					add(p)
					words = append(words, toks[i+1:j]...)
				case j > i+1 && label == "" && len(pairs) == 0:
					label, p.Name = name, joinWords(toks[i+1:j])
					add(p)
				default:
					p.Name = name
					add(p)
					if j > i+1 {
						clean = false // words after a named number
					}
				}
				i = j
				continue
			}
			if label == "" && len(pairs) == 0 && name != "" {
				label = name
				continue
			}
			clean = false // "expensive: no"
		case ptNum:
			p := num(x)
			j := trailing(i + 1)
			p.Name = joinWords(append(words, toks[i+1:j]...))
			words = nil
			add(p)
			i = j
		}
	}
	endItem()
	return label, first, pairs, clean, ""
}
