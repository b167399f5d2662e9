// Package storms is the sync-storm report: messages per op over time from
// kernel-debug captures, bursts and REFRESH waves after a switchover,
// `cphaprob syncstat` counters and their deltas, and an estimate of what a
// REFRESH wave risks losing.
package storms

import (
	"math"
	"unsafe"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Storm report defaults.
const (
	DefaultRefreshInterval = 512.0 // cphwd_conn_refresh_interval, seconds [seed]
	DefaultSendingQueue    = 512   // syncstat "Sending queue size" default [public]
	DefaultSyncIntervalMs  = 100   // syncstat "Delta Sync interval (ms)" default [public]
	// MaxBuckets bounds the timeline: messages whose bucket would be new
	// beyond it are counted, not placed (a corrupt stamp cannot make the
	// report grow without bound).
	MaxBuckets = 1 << 20
	// noClockLines is the bucket width, in messages, of a capture without
	// timestamps, whose timeline falls back to line order.
	noClockLines = 1000
	// maxOps bounds the distinct op names kept; more are counted as OTHER.
	maxOps = 64
	// minBurst is the fewest messages in a bucket that can make a burst,
	// whatever the baseline.
	minBurst = 5
	// localWindow is the half-width, in seconds, of the window whose median
	// is a bucket's local baseline.
	localWindow = 60
)

// Op indexes of the timeline.
const (
	opSET = iota
	opREFRESH
	opDELETE
	opSLINKS
	opOther
	numOps
)

// Options configure the storm report. The layout and the unit of the
// stamps are the feed's.
type Options struct {
	Bucket          float64  // timeline bucket width, seconds
	RefreshInterval float64  // seconds between REFRESH waves
	BurstFactor     float64  // a bucket is hot above BurstFactor x the baseline
	SwitchoverAt    *float64 // seconds on the capture's clock, when the user knows it
	SendingQueue    int64    // used when no syncstat gives it
	// SendingQueueGiven says SendingQueue was given by the user, so it is
	// known rather than the default.
	SendingQueueGiven bool
	SyncIntervalMs    int64 // used when no syncstat gives it
}

// DefaultOptions are the documented defaults.
func DefaultOptions() Options {
	return Options{
		Bucket: 1, RefreshInterval: DefaultRefreshInterval,
		BurstFactor: 5, SendingQueue: DefaultSendingQueue, SyncIntervalMs: DefaultSyncIntervalMs,
	}
}

type bucketCounts [numOps]int64

// lineRef points at a line of an input without holding a string per line.
type lineRef struct{ input, line int32 }

// Storms is the builder of the sync-storm report: one pass over kernel
// debug, syncstat outputs and dumps; memory grows with timeline buckets and
// distinct connections, never with file size.
type Storms struct {
	f   *report.Feed
	l   decode.Layout
	opt Options

	// msg is what message is handed, filled field by field in place: a
	// syncMsg literal was built on the stack, then copied 16 bytes at a
	// time, loads that could not be forwarded from the narrow stores that
	// had just filled it (a third of AddSync's time).
	msg syncMsg

	byOp     map[string]*int64 // see opCount
	recent   [4]opRef          // the ops of the messages before and their counts
	nextRef  uint8             // the entry of recent the next miss replaces
	messages int64

	stamped map[int64]int32 // bucket -> index into counts (clocked messages)
	// The bucket of the message before and its index: most messages fall
	// in the bucket of the one before.
	lastBucket int64
	lastIdx    int32
	lastSeen   bool
	counts     []bucketCounts
	firstAt    []lineRef            // per counts index: the bucket's first message
	activeBy   map[int64]*[10]int32 // bucket -> SETs by apparent active site
	// The counts of activeBy a SET added to last, and their bucket.
	lastActive  *[10]int32
	lastActiveB int64
	order       []bucketCounts // line-order buckets of unstamped messages
	unstamped   int64          // messages before any stamp of their input
	carried     int64          // messages without a stamp placed at the previous one
	dropped     int64          // messages beyond MaxBuckets

	outOfRange int64 // messages whose bucket index is out of range (bounds.go)

	sites [256]siteCache // see activeSite

	corr  corrEvidence // the first correction line naming a STANDBY or DOWN chassis
	corrN int64        // how many there are

	capConns  distinct // estimated: fixed memory however big the capture
	dumpConns map[decode.Tuple]struct{}

	snaps   []*snapshot
	cur     *snapshot
	section string
}

type corrEvidence struct {
	t       float64
	clocked bool
	pos     parse.Pos
	chassis int
	state   string
}

type snapshot struct {
	source, status string
	sgm            decode.SGM
	input          int
	names          []string // counter keys in input order
	over           []string // counters whose value is 2^63 or more
	text           map[string]string
	num            map[string]int64
}

// New returns a builder fed by f (it registers itself).
func New(f *report.Feed, opt Options) *Storms {
	s := &Storms{
		f: f, l: f.Layout(), opt: opt, byOp: map[string]*int64{}, stamped: map[int64]int32{}, activeBy: map[int64]*[10]int32{},
		dumpConns: map[decode.Tuple]struct{}{},
	}
	f.Use(s)
	return s
}

// StartInput begins an input: a syncstat snapshot does not continue into
// the next one.
func (s *Storms) StartInput(*report.Input) { s.cur, s.section = nil, "" }

// ValueWords is how many value words the report reads: up to the owner
// word; the others are counted, not decoded.
func (s *Storms) ValueWords() int { return decode.WordBits + 1 }

// FirstValueWord implements report.WordSkipper: the owner word is the only
// value word the report reads.
func (s *Storms) FirstValueWord() int { return decode.WordBits }

// Add takes one record.
func (s *Storms) Add(it *report.Item) { s.take(it, false) }

// take takes one record, into the report or (sharded) into a chunk's
// shard, which refuses what it cannot merge (see shard.go).
func (s *Storms) take(it *report.Item, sharded bool) bool {
	rec := it.Record
	switch rec.Kind {
	case parse.KindSync:
		if sharded && !it.Clocked {
			return false // the clock, or the line order, of unstamped messages spans chunks
		}
		m := &s.msg
		m.op, m.key, m.hasTime, m.line, m.mask, m.hasMask = rec.Op, nil, rec.HasTime, rec.Pos.Line, rec.Mask, rec.HasMask
		if rec.HasKey && rec.Table == "connections" {
			m.key = &rec.Key.Tuple
		}
		m.owner, m.hasOwner = rec.Owner()
		s.message(it, m)
		if sharded && s.unmergeable() {
			return false
		}
	case parse.KindCorrection:
		if rec.Chassis >= 0 && (rec.State == "STANDBY" || rec.State == "DOWN") {
			if sharded && !it.Clocked {
				return false
			}
			if s.corrN == 0 {
				s.corr = corrEvidence{t: it.T, clocked: it.Clocked, pos: rec.Pos, chassis: rec.Chassis, state: rec.State}
			}
			s.corrN++
		}
	case parse.KindFwTab, parse.KindFwTabF, parse.KindFwTabLink, parse.KindSyncstat, parse.KindSyncstatStatus,
		parse.KindSyncstatSection, parse.KindSyncstatCounter:
		if sharded {
			return false
		}
		s.state(it)
	}
	return true
}

// unmergeable reports whether a shard holds what Merge cannot fold in as
// the serial read would: messages past MaxBuckets, or more op names than
// the report keeps.
func (s *Storms) unmergeable() bool { return s.dropped > 0 || len(s.byOp) > maxOps }

// state takes the records of dumps and syncstat outputs.
func (s *Storms) state(it *report.Item) {
	rec := it.Record
	switch rec.Kind {
	case parse.KindFwTab, parse.KindFwTabF:
		if rec.HasKey {
			s.dumpConns[rec.Key.Canonical()] = struct{}{}
		}
	case parse.KindFwTabLink:
		s.dumpConns[rec.Link.Canonical()] = struct{}{}
	case parse.KindSyncstat:
		s.cur = &snapshot{source: rec.Pos.String(), sgm: it.SGM(), input: it.Input, text: map[string]string{}, num: map[string]int64{}}
		s.snaps = append(s.snaps, s.cur)
		s.section = ""
	case parse.KindSyncstatStatus:
		if s.cur != nil {
			s.cur.status = rec.Text
		}
	case parse.KindSyncstatSection:
		s.section = rec.Name
	case parse.KindSyncstatCounter:
		if s.cur == nil {
			return
		}
		key := rec.Name
		if _, dup := s.cur.text[key]; dup {
			key = s.section + ": " + key
		}
		if _, dup := s.cur.text[key]; dup || len(s.cur.names) >= 256 {
			return
		}
		s.cur.names = append(s.cur.names, key)
		s.cur.text[key] = rec.Text
		if rec.HasNum {
			s.cur.num[key] = rec.Num
		}
		if rec.NumOver {
			s.cur.over = append(s.cur.over, key)
		}
	}
}

func opIndex(op string) int {
	switch op {
	case "SET":
		return opSET
	case "REFRESH":
		return opREFRESH
	case "DELETE":
		return opDELETE
	case "SLINKS":
		return opSLINKS
	}
	return opOther
}

// syncMsg is what the report reads of a sync message: of its Record, or
// of the fields the parser's fast path read (see shard.AddSync).
type syncMsg struct {
	op       string
	key      *decode.Tuple // of the connections table, else nil
	hasTime  bool
	line     int
	mask     decode.SyncMask
	hasMask  bool
	owner    uint32 // the owner word, when hasOwner
	hasOwner bool
}

// message counts one sync message of it.
func (s *Storms) message(it *report.Item, m *syncMsg) {
	s.messages++
	n, op := s.opOf(m.op)
	*n++
	if m.key != nil {
		s.capConns.addEither(m.key)
	}
	t, ok := it.T, it.Clocked
	switch {
	case ok && !m.hasTime:
		s.carried++
	case !ok:
		s.unstamped++
		i := int(s.unstamped-1) / noClockLines
		if i < MaxBuckets {
			for len(s.order) <= i {
				s.order = append(s.order, bucketCounts{})
			}
			s.order[i][op]++
		}
		return
	}
	b, ok := s.bucketOf(t) // bounds.go: out-of-range stamps are counted, not placed
	if !ok {
		return
	}
	idx, seen := s.lastIdx, s.lastSeen && b == s.lastBucket // messages come a second at a time
	if !seen {
		idx, seen = s.stamped[b]
	}
	if !seen {
		if len(s.counts) >= MaxBuckets {
			s.dropped++
			return
		}
		idx = int32(len(s.counts))
		s.stamped[b] = idx
		s.counts = append(s.counts, bucketCounts{})
		s.firstAt = append(s.firstAt, lineRef{int32(it.Input), int32(min(m.line, math.MaxInt32))})
	}
	s.lastBucket, s.lastIdx, s.lastSeen = b, idx, true
	s.counts[idx][op]++
	if op == opSET && m.hasMask && m.mask != 0 {
		if site := s.activeSite(m.mask, m.owner, m.hasOwner); site > 0 && site < 10 {
			a := s.lastActive // the bucket's, when b is lastActiveB
			if a == nil || s.lastActiveB != b {
				if a = s.activeBy[b]; a == nil {
					a = new([10]int32)
					s.activeBy[b] = a
				}
				s.lastActive, s.lastActiveB = a, b
			}
			a[site]++
		}
	}
}

// activeSite is the site a SET's sync_mask shows ACTIVE, given its owner
// (decode.Layout.MaskActive), through a small cache: a capture repeats a
// few masks and owners millions of times.
func (s *Storms) activeSite(mask decode.SyncMask, w uint32, hasOwner bool) int {
	// The site depends on the owner word through its CCL id alone: the
	// cache is keyed by that (1 to 64), 0 for no owner. Keyed by the whole
	// word, it missed on 1 SET in 15 of the 1 GiB capture.
	id := uint32(0)
	if hasOwner {
		id = uint32(decode.CCLID(w)) + 1
	}
	h := (uint64(mask)<<8 | uint64(id)) * 0x9e3779b97f4a7c15
	e := &s.sites[h>>(64-8)]
	if e.valid && e.mask == mask && e.id == id {
		return int(e.site)
	}
	var owner decode.SGM
	if hasOwner {
		owner = s.l.Owner(w).SGM
	}
	site := s.l.MaskActive(mask, owner)
	*e = siteCache{mask: mask, id: id, site: int8(site), valid: true}
	return site
}

// siteCache is an entry of Storms.activeSite's cache.
type siteCache struct {
	mask  decode.SyncMask
	id    uint32 // the owner's CCL id + 1, 0 for none
	site  int8
	valid bool
}

// opRef is an op name, its count and its timeline index.
type opRef struct {
	op  string
	n   *int64
	idx int
}

// opCount is the count of messages of op: its own while fewer than maxOps
// names are counted, else OTHER's.
func (s *Storms) opCount(op string) *int64 {
	n, _ := s.opOf(op)
	return n
}

// opOf is opCount and opIndex of op. The last few ops are kept at hand,
// the op names of a capture being few and their strings interned (see
// sameString): with one, a third of the messages of the 1 GiB capture
// (SETs and REFRESHes in turn) were map lookups.
func (s *Storms) opOf(op string) (*int64, int) {
	for i := range s.recent {
		if e := &s.recent[i]; e.n != nil && sameString(e.op, op) {
			return e.n, e.idx
		}
	}
	n := s.byOp[op]
	if n == nil {
		name := op
		if len(s.byOp) >= maxOps {
			name = "OTHER"
		}
		if n = s.byOp[name]; n == nil {
			n = new(int64)
			s.byOp[name] = n
		}
	}
	idx := opIndex(op)
	s.recent[s.nextRef%uint8(len(s.recent))] = opRef{op, n, idx}
	s.nextRef++
	return n, idx
}

// sameString is a == b, without the call that compares the bytes when the
// two share them (an interned op name, every message of a capture).
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// messagesByOp is the count of messages per op name.
func (s *Storms) messagesByOp() map[string]int64 {
	m := make(map[string]int64, len(s.byOp))
	for op, n := range s.byOp {
		m[op] = *n
	}
	return m
}
