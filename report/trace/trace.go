package trace

import (
	"slices"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Options configure a [Trace]. The layout, --sites, asg dxl calc and the
// unit of the stamps are the feed's; so is the prefilter (see
// [parse.NewConnFilter]).
type Options struct {
	RiskWindow uint32 // R of the at-risk rule, seconds; 0 means report.DefaultRiskWindow
	DumpTime   int64  // Unix time the dumps were taken, 0 when unknown
}

// Trace is the builder of `trace`: one connection's story across every
// input of a [report.Feed]; then call [Trace.Report].
type Trace struct {
	f      *report.Feed
	l      decode.Layout
	ctx    report.Context
	opt    Options
	given  decode.Tuple // as the user gave it
	target decode.Tuple // canonical

	seq        int
	events     []traceEvent
	holders    map[holderKey]*holder
	owners     []ownerSeen
	oriented   bool
	forward    decode.Tuple // the dir-0 key of a table entry: client first
	lastUpdate int64
	matched    int64 // records about the connection
	dropped    int64 // events beyond MaxTraceEvents
}

// MaxTraceEvents bounds the events kept (a correction line per packet of a
// busy connection could be millions); more are counted, not kept.
const MaxTraceEvents = 100_000

type holderKey struct {
	sgm   decode.SGM
	input int // only for entries no SGM is known for, else -1
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

// New returns a builder, fed by f (it registers itself), following
// connection c in either direction.
func New(f *report.Feed, c decode.Tuple, opt Options) *Trace {
	if opt.RiskWindow == 0 {
		opt.RiskWindow = report.DefaultRiskWindow
	}
	t := &Trace{f: f, l: f.Layout(), ctx: f.Context(), opt: opt, given: c, target: c.Canonical(), holders: map[holderKey]*holder{}}
	f.Use(t)
	return t
}

// Add takes one record.
func (t *Trace) Add(it *report.Item) {
	rec := it.Record
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
		t.hold(it, holdFull, rec.HasExpiry, rec.Expiry, src)
	case parse.KindFwTabLink:
		t.orient(rec.Link)
		t.hold(it, holdLink, false, decode.Expiry{}, src)
	case parse.KindGconn:
		if rec.OwnerID >= 0 {
			t.owners = append(t.owners, ownerSeen{rec.OwnerID, src})
		}
		t.hold(it, holdGconn, false, decode.Expiry{}, src)
	case parse.KindSync:
		if w, ok := rec.Owner(); ok && rec.Table == "connections" {
			t.owners = append(t.owners, ownerSeen{decode.CCLID(w), src})
		}
		t.event(it, src)
	case parse.KindCorrection:
		t.event(it, src)
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

// hold records an entry on every SGM the record belongs to.
func (t *Trace) hold(it *report.Item, kind int, hasExp bool, e decode.Expiry, src string) {
	sgms := it.SGMs
	if len(sgms) == 0 {
		sgms = []decode.SGM{{}}
	}
	for _, s := range sgms {
		k := holderKey{sgm: s, input: -1}
		if s.IsZero() {
			k.input = it.Input
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

func (t *Trace) event(it *report.Item, src string) {
	rec := it.Record
	if len(t.events) >= MaxTraceEvents {
		t.dropped++
		return
	}
	t.seq++
	ev := traceEvent{
		seq: t.seq, hasT: rec.HasTime, key: it.T, hasKey: it.Clocked, source: src,
		kind: rec.Kind, op: rec.Op, table: rec.Table, tuple: rec.Key.Tuple,
		hasMask: rec.HasMask, mask: rec.Mask, chassis: rec.Chassis, state: rec.State, decision: rec.Decision,
	}
	if rec.HasTime {
		ev.t = rec.Time * t.f.TSUnit()
	}
	ev.sgm = it.SGM()
	if rec.Kind == parse.KindCorrection {
		ev.op = rec.Func
	}
	t.events = append(t.events, ev)
}
