package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// ErrConnection is wrapped by [ParseConnection] for text that names no
// connection.
var ErrConnection = errors.New("expected src:sport-dst:dport/proto (e.g. 172.16.61.2:30675-172.16.61.66:179/tcp) or a pasted entry that names a connection")

// ParseConnection reads the connection `trace` follows: either
// "src:sport-dst:dport/proto" (either direction; proto a number or a name
// such as tcp; "->" and a space before the protocol are accepted too, so the
// tool's own "172.16.61.2:30675 -> 172.16.61.66:179 tcp" can be pasted
// back), or any entry `decode` accepts that carries a connection key: a
// fw tab -u entry or link, a fw tab -f line, a kernel-debug sync or
// correction line, a gconn row. The tuple is returned as given.
func ParseConnection(s string) (decode.Tuple, error) {
	if t, ok := parseTupleText(strings.TrimSpace(s)); ok {
		return t, nil
	}
	r := parse.NewReader(strings.NewReader(s), "CONNECTION")
	for r.Scan() {
		rec, err := r.Record()
		if err != nil || !rec.HasKey {
			continue
		}
		switch rec.Kind {
		case parse.KindFwTab, parse.KindFwTabLink, parse.KindFwTabF, parse.KindSync, parse.KindGconn, parse.KindCorrection:
			return rec.Key.Tuple, nil
		}
	}
	return decode.Tuple{}, fmt.Errorf("%q: %w", clipText(s, 60), ErrConnection)
}

// parseTupleText parses "a:p-b:q/proto", "a:p -> b:q proto" and mixes.
func parseTupleText(s string) (decode.Tuple, bool) {
	var protoText string
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s, protoText = s[:i], s[i+1:]
	} else if i := strings.LastIndexAny(s, " \t"); i >= 0 {
		s, protoText = s[:i], s[i+1:]
	}
	proto, ok := decode.ParseProto(strings.ToLower(strings.TrimSpace(protoText)))
	if !ok {
		return decode.Tuple{}, false
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "<->", "-"), "->", "-")
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return decode.Tuple{}, false
	}
	src, sport, ok1 := parseEndpoint(a)
	dst, dport, ok2 := parseEndpoint(b)
	if !ok1 || !ok2 {
		return decode.Tuple{}, false
	}
	return decode.Tuple{Src: src, SPort: sport, Dst: dst, DPort: dport, Proto: proto}, true
}

func parseEndpoint(s string) (uint32, uint16, bool) {
	ap, err := netip.ParseAddrPort(strings.TrimSpace(s))
	if err != nil || !ap.Addr().Is4() {
		return 0, 0, false
	}
	b := ap.Addr().As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), ap.Port(), true
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// services names well-known server ports ([public]: IANA names; the Check
// Point ones from the vendor's port list), keyed by proto<<16 | port.
var services = map[uint32]string{
	6<<16 | 21: "ftp", 6<<16 | 22: "ssh", 6<<16 | 23: "telnet", 6<<16 | 25: "smtp", 6<<16 | 53: "domain",
	17<<16 | 53: "domain", 6<<16 | 80: "http", 6<<16 | 110: "pop3", 17<<16 | 123: "ntp", 6<<16 | 143: "imap",
	17<<16 | 161: "snmp", 6<<16 | 179: "bgp", 6<<16 | 257: "fw1-log", 6<<16 | 389: "ldap", 6<<16 | 443: "https",
	6<<16 | 445: "microsoft-ds", 17<<16 | 500: "isakmp", 17<<16 | 514: "syslog", 6<<16 | 636: "ldaps",
	6<<16 | 993: "imaps", 6<<16 | 995: "pop3s", 6<<16 | 1433: "ms-sql-s", 17<<16 | 1812: "radius",
	6<<16 | 3306: "mysql", 6<<16 | 3389: "ms-wbt-server (RDP)", 6<<16 | 5432: "postgresql",
	6<<16 | 8080: "http-alt", 17<<16 | 8116: "cluster control protocol (CCP)", 6<<16 | 8443: "https-alt",
	6<<16 | 18190: "cpmi", 6<<16 | 18191: "cpd", 6<<16 | 18192: "cpd-amon", 6<<16 | 18264: "cp ica",
}

// serviceOf names the service of port p under proto, "" when unknown.
func serviceOf(proto uint8, p uint16) string { return services[uint32(proto)<<16|uint32(p)] }

// TraceOptions configure a [Trace].
type TraceOptions struct {
	Context
	RiskWindow  uint32  // R of the at-risk rule, seconds; 0 means DefaultRiskWindow
	DumpTime    int64   // Unix time the dumps were taken, 0 when unknown
	TSUnit      float64 // seconds per unit of the `@;N;` stamp; 0 means 1e-6
	NoPrefilter bool    // parse every line (to check the prefilter, or to measure it)
}

// Trace is the builder of `trace`: one connection's story across every
// input. Feed every input with [Trace.Read] (which sets the Reader's
// prefilter to [Trace.Keep]), then call [Trace.Report].
type Trace struct {
	opt    TraceOptions
	given  decode.Tuple // as the user gave it
	target decode.Tuple // canonical
	pat    tracePatterns

	cur       []decode.SGM // SGMs the current input's records belong to
	curRule   string
	input     string
	inputs    []string
	stats     parse.Stats
	lastStamp float64
	hasStamp  bool

	seq        int
	events     []traceEvent
	holders    map[holderKey]*holder
	owners     []ownerSeen
	oriented   bool
	forward    decode.Tuple // the dir-0 key of a table entry: client first
	corr       []siteEvidence
	lastUpdate int64
	matched    int64 // records about the connection
	dropped    int64 // events beyond MaxTraceEvents
}

// MaxTraceEvents bounds the events kept (a correction line per packet of a
// busy connection could be millions); more are counted, not kept.
const MaxTraceEvents = 100_000

// tracePatterns are the byte forms that name the connection's addresses,
// the rarer address first (see NewTrace).
type tracePatterns struct {
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
func (p *tracePatterns) sample(line []byte) {
	for _, c := range line {
		p.hist[c]++
	}
	p.sampled += len(line) + 1
	if p.sampled >= sampleBytes {
		p.choose()
	}
}

func (p *tracePatterns) choose() {
	for i := range 2 {
		p.hex[i].rarest(&p.hist)
		p.dot[i].rarest(&p.hist)
	}
}

// reset starts a new sample (for a new input) and searches from the first
// byte until it is taken.
func (p *tracePatterns) reset() {
	p.hist, p.sampled = [256]int{}, 0
	for i := range 2 {
		p.hex[i].k, p.dot[i].k = 0, 0
	}
}

type holderKey struct {
	sgm   decode.SGM
	input string // only for entries no SGM is known for
}

type holder struct {
	sgm     decode.SGM
	kind    int // holdGconn, holdLink, holdFull
	hasExp  bool
	exp     decode.Expiry
	sources []string
	seq     int
}

// Entry kinds a holder can show, weakest first.
const (
	holdGconn = iota // a gconn row: the SGM's global connections table has it
	holdLink         // a fw tab -u link line only
	holdFull         // a full fw tab -u entry or a fw tab -f line
)

var holdNames = [...]string{"gconn", "link", "full"}

type ownerSeen struct {
	id     int
	source string
}

type traceEvent struct {
	seq      int
	t        float64
	hasT     bool
	key      float64 // the stamp carried forward, for ordering
	hasKey   bool
	source   string
	sgm      decode.SGM
	kind     parse.Kind
	op       string
	table    string
	tuple    decode.Tuple
	hasMask  bool
	mask     decode.SyncMask
	chassis  int
	state    string
	decision string
}

// NewTrace returns a builder following connection c (either direction).
func NewTrace(c decode.Tuple, opt TraceOptions) *Trace {
	if opt.RiskWindow == 0 {
		opt.RiskWindow = DefaultRiskWindow
	}
	if opt.TSUnit == 0 {
		opt.TSUnit = 1e-6
	}
	if opt.DXL == nil {
		opt.DXL = &DXL{}
	}
	t := &Trace{opt: opt, given: c, target: c.Canonical(), holders: map[holderKey]*holder{}}
	// The rarer address first: a client's address (the higher, ephemeral
	// port) is named by fewer lines than a server's shared one, so fewer
	// lines go on to the second search.
	a, b := c.Src, c.Dst
	if c.DPort > c.SPort {
		a, b = b, a
	}
	for i, ip := range [2]uint32{a, b} {
		t.pat.hex[i].pat = strconv.AppendUint(nil, uint64(ip), 16)
		t.pat.dot[i].pat = []byte(decode.IPv4(ip).String())
	}
	t.pat.same = a == b
	return t
}

// Patterns lists the byte patterns the prefilter looks for, for messages.
func (t *Trace) Patterns() []string {
	out := []string{string(t.pat.hex[0].pat), string(t.pat.dot[0].pat)}
	if !t.pat.same {
		out = append(out, string(t.pat.hex[1].pat), string(t.pat.dot[1].pat))
	}
	return out
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
// tracePatterns). Context lines are kept at the cost of a few byte compares:
// SGM headers ("1_01:", "-*- ... -*-"), asg dxl calc lines (every result
// line, so a chassis line never joins the wrong calc), gconn headers
// (column order), the first line of an entry wrapped over several lines,
// and a line starting with '{' (so the Reader still recognizes a JSON
// document and skips it). Hex is matched in lower case, as Check Point
// prints it [seed][public].
func (t *Trace) Keep(line []byte) bool {
	p := &t.pat
	if p.sampled < sampleBytes {
		p.sample(line)
	}
	if seg := parse.KeySegment(line); p.hex[0].in(seg) || p.dot[0].in(seg) {
		if p.same || p.hex[1].in(seg) || p.dot[1].in(seg) {
			return true
		}
	}
	return keepContext(line)
}

// keepContext reports whether line is context: see [Trace.Keep].
func keepContext(line []byte) bool {
	t := trimBlank(line)
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
				rest := trimBlank(t[j+1:])
				return len(rest) > 0 && rest[0] == '<' && rest[len(rest)-1] != '>' && rest[len(rest)-1] != ')'
			}
		}
	case c == '-':
		return bytes.HasPrefix(t, []byte("-*-"))
	case c == '{':
		return true
	case c == '|':
		return bytes.HasPrefix(trimBlank(t[1:]), []byte("Segm"))
	case c == 'C':
		return bytes.HasPrefix(t, []byte("Chassis "))
	case c >= '0' && c <= '9':
		return len(t) <= 8 && t[len(t)-1] == ':'
	}
	return false
}

func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// Read feeds every record of r, an input from src, into the builder, with
// the prefilter set unless NoPrefilter. Under strict the first rejected line
// is returned as an error (lines the prefilter skipped are not parsed, so
// they are never rejected).
func (t *Trace) Read(src parse.Source, r *parse.Reader, strict bool) error {
	t.StartInput(src, r.Name())
	defer t.stats.Add(r.Stats())
	if !t.opt.NoPrefilter {
		r.SetPrefilter(t.Keep)
	}
	for r.Scan() {
		rec, err := r.Record()
		if err != nil {
			if strict {
				return err
			}
			continue
		}
		t.Add(rec, r.Line())
	}
	return r.Err()
}

// StartInput begins an input; its records belong to src.SGM until a header
// line names another SGM (unless FILE@SGM named it).
func (t *Trace) StartInput(src parse.Source, name string) {
	t.cur = t.cur[:0]
	if !src.SGM.IsZero() {
		t.cur = append(t.cur, src.SGM)
	}
	t.curRule, t.input = src.Rule, name
	t.inputs = append(t.inputs, name)
	t.pat.reset()
	t.hasStamp = false
}

// Add takes one record; line is its physical line when known (nil
// otherwise), from which a correction line's decision is quoted.
func (t *Trace) Add(rec *parse.Record, line []byte) {
	if rec.HasTime {
		t.lastStamp, t.hasStamp = rec.Time*t.opt.TSUnit, true
	}
	switch rec.Kind {
	case parse.KindSGMHeader:
		if t.curRule != parse.RuleCommandLine {
			t.cur = append(t.cur[:0], rec.SGMs...)
			t.curRule = parse.RuleHeader
		}
		return
	case parse.KindDxl, parse.KindDxlChassis:
		t.opt.DXL.Add(rec)
		return
	}
	if !rec.HasKey || !t.about(rec) {
		return
	}
	t.matched++
	src := rec.Pos.String()
	switch rec.Kind {
	case parse.KindFwTab, parse.KindFwTabF:
		t.orient(rec.Key)
		if w, ok := rec.Owner(); ok {
			t.owners = append(t.owners, ownerSeen{decode.CCLID(w), src})
		}
		if rec.LastUpdate != "" {
			if lu, err := time.Parse("02Jan2006 15:04:05", rec.LastUpdate); err == nil {
				t.lastUpdate = max(t.lastUpdate, lu.Unix())
			}
		}
		t.hold(holdFull, rec.HasExpiry, rec.Expiry, src)
	case parse.KindFwTabLink:
		t.orient(rec.Link)
		t.hold(holdLink, false, decode.Expiry{}, src)
	case parse.KindGconn:
		if rec.OwnerID >= 0 {
			t.owners = append(t.owners, ownerSeen{rec.OwnerID, src})
		}
		t.hold(holdGconn, false, decode.Expiry{}, src)
	case parse.KindSync:
		if w, ok := rec.Owner(); ok && rec.Table == "connections" {
			t.owners = append(t.owners, ownerSeen{decode.CCLID(w), src})
		}
		t.event(rec, src, "")
	case parse.KindCorrection:
		if rec.Chassis >= 0 {
			if st, err := decode.ParseSiteState(rec.State); err == nil {
				t.corr = append(t.corr, siteEvidence{site: rec.Chassis + 1, state: st, pos: rec.Pos})
			}
		}
		t.event(rec, src, decision(line, rec.Func))
	}
}

// about reports whether rec names the connection (either direction).
func (t *Trace) about(rec *parse.Record) bool {
	if rec.Key.Canonical() == t.target {
		return true
	}
	return rec.Kind == parse.KindFwTabLink && rec.Link.Canonical() == t.target
}

// orient takes the connection's orientation from a table key of direction
// 0, which lists the client first [seed: the dir-0 key of the seed's entry
// and its -f line].
func (t *Trace) orient(k parse.Key) {
	if !t.oriented && k.Dir == 0 {
		t.oriented, t.forward = true, k.Tuple
	}
}

// hold records an entry on every SGM of the current input.
func (t *Trace) hold(kind int, hasExp bool, e decode.Expiry, src string) {
	sgms := t.cur
	if len(sgms) == 0 {
		sgms = []decode.SGM{{}}
	}
	for _, s := range sgms {
		k := holderKey{sgm: s}
		if s.IsZero() {
			k.input = t.input
		}
		h := t.holders[k]
		if h == nil {
			t.seq++
			h = &holder{sgm: s, kind: kind, seq: t.seq}
			t.holders[k] = h
		}
		h.kind = max(h.kind, kind)
		if hasExp && (!h.hasExp || e.Remaining < h.exp.Remaining) {
			h.hasExp, h.exp = true, e
		}
		if len(h.sources) < 8 && !slices.Contains(h.sources, src) {
			h.sources = append(h.sources, src)
		}
	}
}

func (t *Trace) event(rec *parse.Record, src, decision string) {
	if len(t.events) >= MaxTraceEvents {
		t.dropped++
		return
	}
	t.seq++
	ev := traceEvent{
		seq: t.seq, hasT: rec.HasTime, key: t.lastStamp, hasKey: t.hasStamp, source: src,
		kind: rec.Kind, op: rec.Op, table: rec.Table, tuple: rec.Key.Tuple,
		hasMask: rec.HasMask, mask: rec.Mask, chassis: rec.Chassis, state: rec.State, decision: decision,
	}
	if rec.HasTime {
		ev.t = rec.Time * t.opt.TSUnit
	}
	if len(t.cur) == 1 {
		ev.sgm = t.cur[0]
	}
	if rec.Kind == parse.KindCorrection {
		ev.op = rec.Func
	}
	t.events = append(t.events, ev)
}

// decision quotes what a correction line says besides its connection:
// "chassis 0 is STANDBY in VS0, will not correct", "no need to correct".
func decision(line []byte, fn string) string {
	if len(line) == 0 || fn == "" {
		return ""
	}
	i := bytes.Index(line, []byte(fn+":"))
	if i < 0 {
		return ""
	}
	body := line[i+len(fn)+1:]
	var parts []string
	add := func(b []byte) {
		if s := strings.Trim(string(b), " \t:;,"); s != "" {
			parts = append(parts, s)
		}
	}
	lt := bytes.IndexByte(body, '<')
	if lt < 0 {
		add(body)
		return strings.Join(parts, "; ")
	}
	add(body[:lt])
	for j := lt + 1; j < len(body); j++ {
		if body[j] == '>' && body[j-1] != '-' {
			add(body[j+1:])
			break
		}
	}
	return strings.Join(parts, "; ")
}

// TraceReport is the result; `trace --format json` prints it. The fields
// connection, owner, holders, events (t, source, sgm, op, sync_mask, sgms,
// note) and verdict are a contract.
type TraceReport struct {
	Connection       TraceConn         `json:"connection"`
	Found            bool              `json:"found"`
	Owner            *TraceOwner       `json:"owner"`
	SiteStates       map[string]string `json:"site_states"`
	SiteStatesSource string            `json:"site_states_source"`
	Holders          []TraceHolder     `json:"holders"`
	Expiry           *TraceExpiry      `json:"expiry"`
	Events           []TraceEvent      `json:"events"`
	EventsDropped    int64             `json:"events_dropped,omitempty"`
	MaskChanges      int               `json:"mask_changes"`
	Masks            []string          `json:"masks"`
	Clock            string            `json:"clock"`
	Verdict          string            `json:"verdict"`
	RiskWindow       uint32            `json:"risk_window"`
	DumpTime         string            `json:"dump_time,omitempty"`
	DumpTimeSource   string            `json:"dump_time_source,omitempty"`
	Layout           string            `json:"layout"`
	Searched         TraceSearch       `json:"searched"`
	Inputs           Inputs            `json:"inputs"`
}

// TraceConn is the connection, client first when a table entry said which
// side that is.
type TraceConn struct {
	Src         string `json:"src"`
	SPort       uint16 `json:"sport"`
	Dst         string `json:"dst"`
	DPort       uint16 `json:"dport"`
	Proto       uint8  `json:"proto"`
	ProtoName   string `json:"proto_name"`
	Service     string `json:"service,omitempty"`
	Forward     string `json:"forward"`
	Reverse     string `json:"reverse"`
	Orientation string `json:"orientation"`
}

// TraceOwner is the connection owner and whether correction reaches it.
type TraceOwner struct {
	CCLID     int      `json:"ccl_id"`
	SGM       *string  `json:"sgm"`
	Site      *int     `json:"site,omitempty"`
	SiteState string   `json:"site_state,omitempty"`
	Corrected *bool    `json:"corrected"`
	Note      string   `json:"note"`
	Sources   int      `json:"sources"`
	Conflicts []string `json:"conflicts,omitempty"`
}

// TraceHolder is one SGM holding the connection: entry kind (full, link,
// gconn) and, for full entries, remaining/timeout in seconds.
type TraceHolder struct {
	SGM          *string  `json:"sgm"`
	Kind         string   `json:"kind"`
	Remaining    *uint32  `json:"remaining"`
	Timeout      *uint32  `json:"timeout"`
	ExpiresIn    string   `json:"expires_in,omitempty"`
	RefreshedAgo *uint32  `json:"refreshed_ago,omitempty"`
	ExpiresAt    string   `json:"expires_at,omitempty"`
	InMask       *bool    `json:"in_mask"`
	Meaning      string   `json:"meaning"`
	Sources      []string `json:"sources"`
}

// TraceExpiry applies the at-risk rule of the owners report to the
// holders: where the entry expires first, and where it was refreshed last.
type TraceExpiry struct {
	AtRisk       bool    `json:"at_risk"`
	MinSGM       *string `json:"min_sgm"`
	MinRemaining uint32  `json:"min_remaining"`
	MaxSGM       *string `json:"max_sgm"`
	MaxRemaining uint32  `json:"max_remaining"`
	Timeout      uint32  `json:"timeout"`
	RefreshedAgo uint32  `json:"refreshed_ago"`
	ExpiresAt    string  `json:"expires_at,omitempty"`
}

// TraceEvent is one sync message or correction line about the connection.
// t is seconds on the capture's clock, null when the line had no stamp;
// sgm is the SGM whose input it came from, null when unknown.
type TraceEvent struct {
	T          *float64   `json:"t"`
	Source     string     `json:"source"`
	SGM        *string    `json:"sgm"`
	Kind       string     `json:"kind"`
	Op         string     `json:"op"`
	Direction  string     `json:"direction"`
	SyncMask   *string    `json:"sync_mask"`
	SGMs       []string   `json:"sgms"`
	BySite     []SiteJSON `json:"by_site,omitempty"`
	SiteStates string     `json:"site_states,omitempty"`
	StatesFrom string     `json:"site_states_from,omitempty"`
	Sets       *SetsJSON  `json:"sets,omitempty"`
	MaskChange bool       `json:"mask_change"`
	Note       string     `json:"note"`

	decimals int
}

// TraceSearch says what was searched, for the "appears nowhere" message.
type TraceSearch struct {
	Inputs      []string `json:"inputs"`
	Lines       int64    `json:"lines"`
	Parsed      int64    `json:"parsed"`
	Prefiltered int64    `json:"prefiltered"`
	Patterns    []string `json:"patterns"`
	Matched     int64    `json:"matched"`
}

// NotFoundText says plainly that the connection appears nowhere and what
// was searched.
func (r *TraceReport) NotFoundText() string {
	s := r.Searched
	in := s.Inputs
	more := ""
	if len(in) > 5 {
		more = fmt.Sprintf(" and %d more", len(in)-5)
		in = in[:5]
	}
	return fmt.Sprintf("connection %s appears nowhere: searched %d %s (%s%s), %s lines, for its addresses as %s; the %s lines that passed (naming both addresses, or headers and asg dxl calc) were parsed and none is about this connection",
		r.Connection.Forward, len(s.Inputs), pluralWord(len(s.Inputs), "input"), strings.Join(in, ", "), more,
		thousands(s.Lines), patternText(s.Patterns), thousands(s.Parsed))
}

// patternText renders the patterns as "ac103d02 or 172.16.61.2, and
// ac103d42 or 172.16.61.66".
func patternText(p []string) string {
	var parts []string
	for i := 0; i+1 < len(p); i += 2 {
		parts = append(parts, p[i]+" or "+p[i+1])
	}
	return strings.Join(parts, ", and ")
}

func pluralWord(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// Report computes the trace. It does not change the builder.
func (t *Trace) Report() *TraceReport {
	l := t.opt.Layout
	r := &TraceReport{
		Found: t.matched > 0, SiteStates: map[string]string{}, Holders: []TraceHolder{}, Events: []TraceEvent{},
		Masks: []string{}, RiskWindow: t.opt.RiskWindow, Layout: l.String(), Inputs: NewInputs(&t.stats),
	}
	fwd := t.orientation(r)
	r.Searched = TraceSearch{
		Inputs: slices.Clone(t.inputs), Lines: t.stats.Lines, Prefiltered: t.stats.Ignored["prefiltered"],
		Patterns: t.Patterns(), Matched: t.matched,
	}
	if r.Searched.Inputs == nil {
		r.Searched.Inputs = []string{}
	}
	// Lines of a JSON document (such as a truth.json in a folder) are
	// skipped by the Reader, not parsed.
	r.Searched.Parsed = r.Searched.Lines - r.Searched.Prefiltered - t.stats.Ignored["json document"]

	// Dump time: --dump-time, else the newest LastUpdateTime of the -f lines.
	dump, zone := t.opt.DumpTime, "Z"
	switch {
	case dump != 0:
		r.DumpTimeSource = "--dump-time"
	case t.lastUpdate != 0:
		dump, zone = t.lastUpdate, " local"
		r.DumpTimeSource = "newest fw tab -f LastUpdateTime of this connection, gateway local time (the dump names no zone)"
	}
	stamp := func(sec uint32) string {
		if dump == 0 {
			return ""
		}
		return time.Unix(dump+int64(sec), 0).UTC().Format("2006-01-02T15:04:05") + zone
	}
	r.DumpTime = stamp(0)

	owner, ownerKnown := t.owner(r)
	prim, havePrim := t.opt.DXL.Primaries(fwd)
	evs, lastMask, haveLast := t.annotate(r, fwd, owner, prim, havePrim)
	st, from := t.siteStates(lastMask, haveLast, owner)
	r.SiteStatesSource = from
	for i, s := range st {
		if s != decode.Unknown {
			r.SiteStates[strconv.Itoa(i+1)] = s.String()
		}
	}
	r.Events = evs
	if ownerKnown && owner.InLayout {
		site := int(owner.SGM.Site)
		r.Owner.Site = &site
		if s := st.Of(site); s != decode.Unknown {
			r.Owner.SiteState = s.String()
			ok := s == decode.Active
			r.Owner.Corrected = &ok
			if ok {
				r.Owner.Note = fmt.Sprintf("on ACTIVE site %d: the correction layer forwards the connection's packets to it", site)
			} else {
				r.Owner.Note = fmt.Sprintf("on %s site %d: the correction layer does not forward packets to it (MBS-3944), and its SET and DELETE messages cross the inter-site sync", s, site)
			}
		} else {
			r.Owner.Note = fmt.Sprintf("on site %d, whose state is unknown (give --sites)", site)
		}
	}
	t.holderRows(r, lastMask, haveLast, stamp)
	r.Verdict = t.verdict(r, owner, ownerKnown, lastMask, haveLast, st, havePrim)
	return r
}

// orientation fills r.Connection and returns the forward tuple.
func (t *Trace) orientation(r *TraceReport) decode.Tuple {
	fwd, how := t.given, "as given (no table entry of direction 0 said which side is the client)"
	switch {
	case t.oriented:
		fwd, how = t.forward, "client first, from a table key of direction 0"
	case serviceOf(t.given.Proto, t.given.SPort) != "" && serviceOf(t.given.Proto, t.given.DPort) == "":
		fwd, how = t.given.Reverse(), "client first, the server being the well-known port"
	case serviceOf(t.given.Proto, t.given.DPort) != "" && serviceOf(t.given.Proto, t.given.SPort) == "":
		how = "client first, the server being the well-known port"
	}
	r.Connection = TraceConn{
		Src: decode.IPv4(fwd.Src).String(), SPort: fwd.SPort, Dst: decode.IPv4(fwd.Dst).String(), DPort: fwd.DPort,
		Proto: fwd.Proto, ProtoName: decode.ProtoName(fwd.Proto), Forward: fwd.String(), Reverse: fwd.Reverse().String(),
		Orientation: how,
	}
	if s := serviceOf(fwd.Proto, fwd.DPort); s != "" {
		r.Connection.Service = fmt.Sprintf("%s (%d/%s)", s, fwd.DPort, decode.ProtoName(fwd.Proto))
	} else if s := serviceOf(fwd.Proto, fwd.SPort); s != "" {
		r.Connection.Service = fmt.Sprintf("%s (%d/%s)", s, fwd.SPort, decode.ProtoName(fwd.Proto))
	}
	return fwd
}

// owner fills r.Owner from the first owner seen; later disagreements are
// listed.
func (t *Trace) owner(r *TraceReport) (decode.Owner, bool) {
	if len(t.owners) == 0 {
		return decode.Owner{}, false
	}
	l := t.opt.Layout
	o := l.OwnerID(t.owners[0].id)
	r.Owner = &TraceOwner{CCLID: o.ID, Sources: len(t.owners)}
	if o.InLayout {
		s := o.SGM.String()
		r.Owner.SGM = &s
	} else {
		r.Owner.Note = fmt.Sprintf("CCL id %d lies outside layout %s: no SGM is named (check --layout)", o.ID, l)
	}
	for _, w := range t.owners[1:] {
		if w.id != o.ID && len(r.Owner.Conflicts) < 8 {
			r.Owner.Conflicts = append(r.Owner.Conflicts, fmt.Sprintf("%s says %s", w.source, l.OwnerID(w.id).Describe(l)))
		}
	}
	return o, true
}

// annotate orders the events and explains each: the mask by site, the
// sets, and what each change of the owner's sync_mask says.
func (t *Trace) annotate(r *TraceReport, fwd decode.Tuple, owner decode.Owner, prim []decode.SGM, havePrim bool) (evs []TraceEvent, last decode.SyncMask, haveLast bool) {
	l := t.opt.Layout
	events := slices.Clone(t.events)
	clocked := 0
	for _, e := range events {
		if e.hasKey {
			clocked++
		}
	}
	switch {
	case len(events) == 0:
		r.Clock = "no sync message or correction line about the connection"
	case clocked == 0:
		r.Clock = "no timestamps (capture taken without -T): events in input order"
	default:
		slices.SortStableFunc(events, func(a, b traceEvent) int {
			if a.hasKey != b.hasKey {
				if a.hasKey {
					return 1
				}
				return -1
			}
			return cmp.Compare(a.key, b.key)
		})
		r.Clock = fmt.Sprintf("timestamps from @;N; prefixes, unit %g s; inputs merged on one timeline as if their clocks agreed", t.opt.TSUnit)
		if clocked < len(events) {
			r.Clock += fmt.Sprintf("; %d events without a stamp keep their place after the previous stamp of their input", len(events)-clocked)
		}
	}
	if t.dropped > 0 {
		r.EventsDropped = t.dropped
		r.Clock += fmt.Sprintf("; %d events beyond the first %d were counted, not kept", t.dropped, MaxTraceEvents)
	}
	decimals := max(3, int(math.Round(-math.Log10(t.opt.TSUnit))))
	var prevStates decode.SiteStates
	evs = make([]TraceEvent, 0, len(events))
	for _, ev := range events {
		e := TraceEvent{Source: ev.source, Kind: ev.kind.String(), Op: ev.op, SGMs: []string{}, decimals: decimals}
		if ev.hasT {
			v := math.Round(ev.t*1e9) / 1e9
			e.T = &v
		}
		if !ev.sgm.IsZero() {
			s := ev.sgm.String()
			e.SGM = &s
		}
		e.Direction = "forward"
		if ev.tuple != fwd {
			e.Direction = "reverse"
		}
		var notes []string
		if ev.kind == parse.KindSync && ev.table != "connections" {
			notes = append(notes, "table "+ev.table)
		}
		switch {
		case ev.kind == parse.KindCorrection:
			notes = append(notes, t.correctionNote(ev, owner)...)
		case !ev.hasMask:
			notes = append(notes, "no sync_mask on the line")
		default:
			ms := ev.mask.String()
			e.SyncMask = &ms
			members, _ := l.Members(ev.mask)
			e.SGMs = names(members)
			switch {
			case ev.mask == 0:
				notes = append(notes, "empty mask: sent by a non-owner SGM, which does not know the sync destinations")
			case ev.op == "DELETE":
				e.BySite = (&Context{Layout: l}).Mask(ev.mask, owner, nil, false).BySite
				notes = append(notes, fmt.Sprintf("DELETE to %s: they drop their copy of the entry (they left the sync_mask)", strings.Join(e.SGMs, ", ")))
			default:
				st, from := l.MaskStates(ev.mask, owner.SGM), "sync_mask"
				if st == nil && t.opt.Sites.Known() {
					st, from = t.opt.Sites, "--sites"
				}
				ctx := Context{Layout: l, Sites: st, DXL: t.opt.DXL}
				mj := ctx.Mask(ev.mask, owner, prim, havePrim)
				e.BySite, e.Sets = mj.BySite, mj.Sets
				if st != nil {
					e.SiteStates, e.StatesFrom = st.String(), from
				}
				for _, n := range mj.Notes {
					if !strings.HasPrefix(n, "no asg dxl calc result") { // said once, in the verdict
						notes = append(notes, n)
					}
				}
				switch {
				case !haveLast:
					notes = append(notes, "first sync_mask seen"+statesText(st, from))
					r.Masks = append(r.Masks, ms)
				case ev.mask != last:
					e.MaskChange = true
					r.MaskChanges++
					r.Masks = append(r.Masks, ms)
					notes = append(notes, describeChange(l, last, ev.mask, prevStates, st, owner.SGM, prim, havePrim)...)
				}
				last, haveLast, prevStates = ev.mask, true, st
			}
		}
		e.Note = strings.Join(notes, "; ")
		evs = append(evs, e)
	}
	return evs, last, haveLast
}

func statesText(st decode.SiteStates, from string) string {
	if st == nil {
		return ": no site stands out, site states unknown"
	}
	if from == "--sites" {
		return ": site states from --sites " + st.String()
	}
	var parts []string
	for i, s := range st {
		parts = append(parts, fmt.Sprintf("site %d looks %s", i+1, s))
	}
	return ": " + strings.Join(parts, ", ")
}

// correctionNote explains a correction line.
func (t *Trace) correctionNote(ev traceEvent, owner decode.Owner) []string {
	var notes []string
	if ev.decision != "" {
		notes = append(notes, ev.decision)
	}
	if ev.chassis >= 0 && ev.state != "" {
		site := ev.chassis + 1
		n := fmt.Sprintf("chassis %d is site %d (0-based chassis numbers, assumed), %s", ev.chassis, site, ev.state)
		if owner.InLayout && int(owner.SGM.Site) == site && ev.state != "ACTIVE" {
			n += fmt.Sprintf(": the owner %s sits there, so the packet is not corrected to it (MBS-3944) and is handled by whichever SGM receives it", owner.SGM)
		}
		notes = append(notes, n)
	}
	return notes
}

// describeChange says what a change of the owner's sync_mask from a to b
// tells: which site went DOWN (its members other than the owner left the
// mask), which came back STANDBY (its primaries returned), which now looks
// ACTIVE (the site with the most members).
func describeChange(l decode.Layout, a, b decode.SyncMask, sa, sb decode.SiteStates, owner decode.SGM, prim []decode.SGM, havePrim bool) []string {
	left, _ := l.Members(a &^ b)
	joined, _ := l.Members(b &^ a)
	var notes []string
	turned := 0 // a site whose turn to ACTIVE was already told
	for site := 1; site <= l.Sites; site++ {
		lft, jnd := onSite(left, site), onSite(joined, site)
		was, now := sa.Of(site), sb.Of(site)
		switch {
		case now == decode.Down && was != decode.Down && len(lft) > 0:
			if owner.Site == uint8(site) {
				notes = append(notes, fmt.Sprintf("site %d went DOWN: its members other than the owner %s left the mask (%s)", site, owner, strings.Join(names(lft), ", ")))
			} else {
				notes = append(notes, fmt.Sprintf("site %d went DOWN: all its members left the mask (%s)", site, strings.Join(names(lft), ", ")))
			}
			lft = nil
		case now == decode.Standby && was == decode.Active && len(lft) > 0 && len(jnd) == 0:
			notes = append(notes, fmt.Sprintf("site %d turned STANDBY: only its primaries stay in the mask (%s left)", site, strings.Join(names(lft), ", ")))
			lft = nil
		case now == decode.Active && was == decode.Standby && len(jnd) > 0 && len(lft) == 0:
			notes = append(notes, fmt.Sprintf("site %d turned ACTIVE: its backup joined the mask (%s)", site, strings.Join(names(jnd), ", ")))
			jnd, turned = nil, site
		case now == decode.Standby && was == decode.Down && len(jnd) > 0:
			what := "members"
			if havePrim && allIn(jnd, prim) {
				what = "primaries"
			}
			notes = append(notes, fmt.Sprintf("site %d came back STANDBY: its %s returned to the mask (%s)", site, what, strings.Join(names(jnd), ", ")))
			jnd = nil
		}
		if len(jnd) > 0 {
			notes = append(notes, fmt.Sprintf("site %d gained %s", site, strings.Join(names(jnd), ", ")))
		}
		if len(lft) > 0 {
			notes = append(notes, fmt.Sprintf("site %d lost %s", site, strings.Join(names(lft), ", ")))
		}
	}
	if act := activeSite(sb); act > 0 && act != activeSite(sa) && act != turned {
		members, _ := l.Members(b)
		notes = append(notes, fmt.Sprintf("site %d now looks ACTIVE (most mask members: %d of %d)", act, len(onSite(members, act)), len(members)))
	}
	return notes
}

func onSite(sgms []decode.SGM, site int) []decode.SGM {
	var out []decode.SGM
	for _, s := range sgms {
		if int(s.Site) == site {
			out = append(out, s)
		}
	}
	return out
}

func allIn(a, b []decode.SGM) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

func activeSite(st decode.SiteStates) int {
	for i, s := range st {
		if s == decode.Active {
			return i + 1
		}
	}
	return 0
}

// siteStates are the current states: --sites, else this connection's
// correction lines (the last per chassis; for two sites, the other one is
// then taken as ACTIVE), else what the latest owner sync_mask implies.
func (t *Trace) siteStates(last decode.SyncMask, haveLast bool, owner decode.Owner) (decode.SiteStates, string) {
	l := t.opt.Layout
	if t.opt.Sites.Known() {
		return t.opt.Sites, "--sites"
	}
	st := make(decode.SiteStates, l.Sites)
	var from []string
	for site := 1; site <= l.Sites; site++ {
		for i := len(t.corr) - 1; i >= 0; i-- {
			if e := t.corr[i]; e.site == site {
				st[site-1] = e.state
				from = append(from, fmt.Sprintf("site %d %s from correction line %s", site, e.state, e.pos))
				break
			}
		}
	}
	if len(from) > 0 {
		if l.Sites == 2 && (st[0] == decode.Unknown) != (st[1] == decode.Unknown) {
			for i := range st {
				if st[i] == decode.Unknown && st[1-i] != decode.Active {
					st[i] = decode.Active
					from = append(from, fmt.Sprintf("site %d ACTIVE inferred (the other site is %s)", i+1, st[1-i]))
				}
			}
		}
		return st, strings.Join(from, "; ")
	}
	if haveLast {
		if ms := l.MaskStates(last, owner.SGM); ms != nil {
			return ms, fmt.Sprintf("read from the latest sync_mask %s (the site with the most members looks ACTIVE; give --sites to be sure)", last)
		}
	}
	return st, "unknown (give --sites)"
}

// holderRows fills the holders and the expiry verdict.
func (t *Trace) holderRows(r *TraceReport, last decode.SyncMask, haveLast bool, stamp func(uint32) string) {
	l := t.opt.Layout
	hs := make([]*holder, 0, len(t.holders))
	for _, h := range t.holders {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b *holder) int {
		if a.sgm.IsZero() != b.sgm.IsZero() {
			if a.sgm.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.sgm.Compare(b.sgm), cmp.Compare(a.seq, b.seq))
	})
	var minH, maxH *holder
	var timeout uint32
	for _, h := range hs {
		row := TraceHolder{Kind: holdNames[h.kind], Sources: h.sources}
		if !h.sgm.IsZero() {
			s := h.sgm.String()
			row.SGM = &s
			if id, ok := l.ID(h.sgm); ok && haveLast && last != 0 {
				in := last.Has(id)
				row.InMask = &in
			}
		}
		switch {
		case h.hasExp:
			rem, to := h.exp.Remaining, h.exp.Timeout
			age := h.exp.Age()
			row.Remaining, row.Timeout, row.RefreshedAgo = &rem, &to, &age
			row.ExpiresIn = decode.Duration(rem)
			row.ExpiresAt = stamp(rem)
			row.Meaning = fmt.Sprintf("expires in %s unless refreshed; refreshed %s ago (timeout %s)", decode.Duration(rem), decode.Duration(age), decode.Duration(to))
			if row.ExpiresAt != "" {
				row.Meaning += ", at " + row.ExpiresAt
			}
			if minH == nil || rem < minH.exp.Remaining {
				minH = h
			}
			if maxH == nil || rem > maxH.exp.Remaining {
				maxH = h
			}
			timeout = max(timeout, to)
		case h.kind == holdLink:
			row.Meaning = "link entry only: the full entry (with its expiry) is under the other direction's key"
		case h.kind == holdGconn:
			row.Meaning = "in the global connections table (gconn); no expiry there"
		default:
			row.Meaning = "full entry without remaining/timeout"
		}
		if row.InMask != nil && !*row.InMask {
			row.Meaning += "; not in the latest sync_mask: sync updates no longer reach it"
		}
		r.Holders = append(r.Holders, row)
	}
	if minH == nil {
		return
	}
	sgm := func(h *holder) *string {
		if h.sgm.IsZero() {
			return nil
		}
		s := h.sgm.String()
		return &s
	}
	R := t.opt.RiskWindow
	r.Expiry = &TraceExpiry{
		MinSGM: sgm(minH), MinRemaining: minH.exp.Remaining, MaxSGM: sgm(maxH), MaxRemaining: maxH.exp.Remaining,
		Timeout: timeout, RefreshedAgo: timeout - min(timeout, maxH.exp.Remaining), ExpiresAt: stamp(minH.exp.Remaining),
	}
	// The at-risk rule of the owners report.
	r.Expiry.AtRisk = decode.AtRisk(minH.exp.Remaining, maxH.exp.Remaining, timeout, R)
}

func nameOr(s *string, alt string) string {
	if s == nil {
		return alt
	}
	return *s
}

// verdict tells the story in plain words.
func (t *Trace) verdict(r *TraceReport, owner decode.Owner, ownerKnown bool, last decode.SyncMask, haveLast bool, st decode.SiteStates, havePrim bool) string {
	if !r.Found {
		return "The connection appears in none of the inputs."
	}
	var s []string
	switch {
	case !ownerKnown:
		s = append(s, "No input names the owner (no entry with value words, no gconn row).")
	case !owner.InLayout:
		s = append(s, fmt.Sprintf("The owner id %d lies outside layout %s: no SGM is named.", owner.ID, t.opt.Layout))
	default:
		state := st.Of(int(owner.SGM.Site))
		switch state {
		case decode.Unknown:
			s = append(s, fmt.Sprintf("Owner %s sits on site %d, whose state is unknown (give --sites).", owner.SGM, owner.SGM.Site))
		case decode.Active:
			s = append(s, fmt.Sprintf("Owner %s sits on ACTIVE site %d: correction reaches it.", owner.SGM, owner.SGM.Site))
		default:
			s = append(s, fmt.Sprintf("Owner %s sits on %s site %d: the correction layer does not forward packets to it (MBS-3944).", owner.SGM, state, owner.SGM.Site))
		}
	}
	if len(r.Masks) > 1 {
		s = append(s, fmt.Sprintf("Its sync_mask changed %d %s: %s.", r.MaskChanges, pluralWord(r.MaskChanges, "time"), strings.Join(r.Masks, " -> ")))
	}
	if haveLast {
		if ms := t.opt.Layout.MaskStates(last, owner.SGM); ms != nil {
			if act := activeSite(ms); act > 0 {
				s = append(s, fmt.Sprintf("The latest sync_mask %s says site %d is ACTIVE (%s).", last, act, ms))
			}
			if t.opt.Sites.Known() && !statesAgree(ms, t.opt.Sites) {
				s = append(s, fmt.Sprintf("That disagrees with --sites %s: the capture may predate the last switchover.", t.opt.Sites))
			}
		}
	}
	if haveLast && !havePrim {
		s = append(s, "No asg dxl calc result for this address pair: give --dxl (or put its output among the inputs) to split each mask into active and backup sync sets.")
	}
	var notInMask []string
	for _, h := range r.Holders {
		if h.InMask != nil && !*h.InMask && h.SGM != nil {
			notInMask = append(notInMask, *h.SGM)
		}
	}
	if len(notInMask) > 0 {
		s = append(s, fmt.Sprintf("%s %s the entry but %s not in the latest sync_mask: no update reaches %s, so the entry will expire there.",
			strings.Join(notInMask, ", "), verb(len(notInMask), "holds", "hold"), verb(len(notInMask), "is", "are"), verb(len(notInMask), "it", "them")))
	}
	switch x := r.Expiry; {
	case len(r.Holders) == 0:
		s = append(s, "No table dump holds it: give every SGM's fw tab -t connections -u to see where it expires first.")
	case x == nil:
		s = append(s, "No entry shows remaining/timeout (links or gconn rows only): give fw tab -u dumps to see where it expires first.")
	case x.AtRisk:
		minS, maxS := nameOr(x.MinSGM, "an unattributed SGM"), nameOr(x.MaxSGM, "an unattributed SGM")
		when := fmt.Sprintf("expected drop %s after the dump", decode.Duration(x.MinRemaining))
		if x.ExpiresAt != "" {
			when = "expected drop at " + x.ExpiresAt
		}
		s = append(s, fmt.Sprintf("%s holds the entry with %d s left while %s refreshed it %d s ago: %s unless a REFRESH reaches %s (at risk: some SGM expires it within %d s while another refreshed it within %d s).",
			minS, x.MinRemaining, maxS, x.RefreshedAgo, when, minS, r.RiskWindow, r.RiskWindow))
		if x.ExpiresAt == "" {
			s = append(s, "Give --dump-time for the wall time.")
		}
	default:
		minS := nameOr(x.MinSGM, "an unattributed SGM")
		when := ""
		if x.ExpiresAt != "" {
			when = ", at " + x.ExpiresAt
		}
		s = append(s, fmt.Sprintf("It expires first on %s, in %d s (%s%s) of a %d s timeout; not at risk by the %d s rule.",
			minS, x.MinRemaining, decode.Duration(x.MinRemaining), when, x.Timeout, r.RiskWindow))
	}
	if r.Owner != nil && len(r.Owner.Conflicts) > 0 {
		s = append(s, fmt.Sprintf("The inputs disagree on the owner (%d other %s); the first one seen was kept.", len(r.Owner.Conflicts), pluralWord(len(r.Owner.Conflicts), "reading")))
	}
	return strings.Join(s, " ")
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// statesAgree reports whether two sets of states agree where both know.
func statesAgree(a, b decode.SiteStates) bool {
	for i := range a {
		if i < len(b) && a[i] != decode.Unknown && b[i] != decode.Unknown && a[i] != b[i] {
			return false
		}
	}
	return true
}

// Rendering.

func (e *TraceEvent) timeText() string {
	if e.T == nil {
		return "-"
	}
	return strconv.FormatFloat(*e.T, 'f', e.decimals, 64)
}

func sgmText(s *string) string {
	if s == nil {
		return "?"
	}
	return *s
}

func setsText(e *TraceEvent) (string, string) {
	if e.Sets == nil {
		return "", ""
	}
	return strings.Join(e.Sets.Active, " "), strings.Join(e.Sets.Backup, " ")
}

func bySiteText(e *TraceEvent) string {
	var parts []string
	for _, s := range e.BySite {
		p := fmt.Sprintf("site %d", s.Site)
		if s.State != "" {
			p += " " + s.State
		}
		parts = append(parts, p+": "+strings.Join(s.SGMs, " "))
	}
	return strings.Join(parts, "; ")
}

// WriteTraceTable renders the trace for people.
func WriteTraceTable(w io.Writer, r *TraceReport, p Palette) error {
	c := r.Connection
	title := "Connection " + c.Forward
	if c.Service != "" {
		title += "  " + c.Service
	}
	fmt.Fprintln(w, p.Bold.Sprint(title))
	fmt.Fprintf(w, "  reverse %s\n  orientation: %s\n", c.Reverse, c.Orientation)
	switch o := r.Owner; {
	case o == nil:
		fmt.Fprintln(w, "Owner: unknown (no input names it)")
	case o.SGM == nil:
		fmt.Fprintf(w, "Owner: %s\n", p.Bad.Sprintf("CCL id %d: %s", o.CCLID, o.Note))
	default:
		text := fmt.Sprintf("%s (CCL id %d)", *o.SGM, o.CCLID)
		switch {
		case o.Corrected != nil && *o.Corrected:
			text = p.Good.Sprint(text)
		case o.Corrected != nil:
			text = p.Warn.Sprint(text)
		}
		fmt.Fprintf(w, "Owner: %s %s\n", text, o.Note)
		for _, cf := range o.Conflicts {
			fmt.Fprintf(w, "  conflict: %s\n", Sanitize(cf))
		}
	}
	fmt.Fprintf(w, "Site states: %s\n", Sanitize(r.SiteStatesSource))
	if r.DumpTime != "" {
		fmt.Fprintf(w, "Dump time: %s (%s)\n", r.DumpTime, r.DumpTimeSource)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprintf("Holders (%d)", len(r.Holders)))
	if len(r.Holders) > 0 {
		var rows [][]string
		for _, h := range r.Holders {
			rem, to := "", ""
			if h.Remaining != nil {
				rem, to = strconv.Itoa(int(*h.Remaining)), strconv.Itoa(int(*h.Timeout))
			}
			src := ""
			if len(h.Sources) > 0 {
				src = h.Sources[0]
				if len(h.Sources) > 1 {
					src += fmt.Sprintf(" (+%d)", len(h.Sources)-1)
				}
			}
			rows = append(rows, []string{sgmText(h.SGM), h.Kind, rem, to, Sanitize(h.Meaning), Sanitize(src)})
		}
		if err := renderRows(w, []string{"SGM", "Kind", "Remaining (s)", "Timeout (s)", "Meaning", "Source"}, rows,
			tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignLeft, tw.AlignLeft); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprintf("Timeline (%d events, %d sync_mask changes)", len(r.Events), r.MaskChanges))
	fmt.Fprintf(w, "Clock: %s\n", r.Clock)
	if len(r.Events) > 0 {
		var rows [][]string
		for i := range r.Events {
			e := &r.Events[i]
			mask := ""
			if e.SyncMask != nil {
				mask = *e.SyncMask
				if e.MaskChange {
					mask = p.Warn.Sprint(mask + " *")
				}
			}
			act, bk := setsText(e)
			rows = append(rows, []string{e.timeText(), Sanitize(e.Source), sgmText(e.SGM), Sanitize(e.Op), mask,
				bySiteText(e), act, bk, Sanitize(e.Note)})
		}
		if err := renderRows(w, []string{"t (s)", "Source", "SGM", "Op", "sync_mask", "Mask by site", "Active set", "Backup set", "Note"}, rows,
			tw.AlignRight, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft); err != nil {
			return err
		}
		if r.MaskChanges > 0 {
			fmt.Fprintln(w, "* the owner's sync_mask changed here")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Verdict"))
	fmt.Fprintln(w, Sanitize(r.Verdict))
	s := r.Searched
	fmt.Fprintf(w, "\nSearched %d %s, %s lines, for %s: %s parsed, %s about this connection.\n",
		len(s.Inputs), pluralWord(len(s.Inputs), "input"), thousands(s.Lines), patternText(s.Patterns), thousands(s.Parsed), thousands(s.Matched))
	return nil
}

// traceCSVHeader are the columns of `trace --format csv`: the events.
var traceCSVHeader = []string{"t", "source", "sgm", "kind", "op", "direction", "sync_mask", "sgms", "by_site", "site_states", "active_set", "backup_set", "mask_change", "note"}

// WriteTraceCSV renders the events, one row each.
func WriteTraceCSV(w io.Writer, r *TraceReport) error {
	rows := make([][]string, 0, len(r.Events))
	for i := range r.Events {
		e := &r.Events[i]
		t := ""
		if e.T != nil {
			t = e.timeText()
		}
		sgm, mask := "", ""
		if e.SGM != nil {
			sgm = *e.SGM
		}
		if e.SyncMask != nil {
			mask = *e.SyncMask
		}
		act, bk := setsText(e)
		rows = append(rows, []string{t, e.Source, sgm, e.Kind, e.Op, e.Direction, mask, strings.Join(e.SGMs, " "), bySiteText(e),
			e.SiteStates, act, bk, strconv.FormatBool(e.MaskChange), e.Note})
	}
	return writeCSV(w, traceCSVHeader, rows)
}
