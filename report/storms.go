package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
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

// StormOptions configure the storm report.
type StormOptions struct {
	Layout          decode.Layout
	TSUnit          float64  // seconds per unit of the `@;N;` stamp (1e-6 for microseconds)
	Bucket          float64  // timeline bucket width, seconds
	RefreshInterval float64  // seconds between REFRESH waves
	BurstFactor     float64  // a bucket is hot above BurstFactor x the baseline
	SwitchoverAt    *float64 // seconds on the capture's clock, when the user knows it
	SendingQueue    int64    // used when no syncstat gives it
	SyncIntervalMs  int64    // used when no syncstat gives it
}

// DefaultStormOptions are the documented defaults.
func DefaultStormOptions() StormOptions {
	return StormOptions{
		Layout: decode.DefaultLayout, TSUnit: 1e-6, Bucket: 1, RefreshInterval: DefaultRefreshInterval,
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
	opt StormOptions

	byOp     map[string]int64
	messages int64

	stamped   map[int64]int32 // bucket -> index into counts (clocked messages)
	counts    []bucketCounts
	firstAt   []lineRef            // per counts index: the bucket's first message
	names     []string             // input names, for lineRef
	activeBy  map[int64]*[10]int32 // bucket -> SETs by apparent active site
	order     []bucketCounts       // line-order buckets of unstamped messages
	unstamped int64                // messages before any stamp of their input
	carried   int64                // messages without a stamp placed at the previous one
	dropped   int64                // messages beyond MaxBuckets
	lastStamp float64
	hasStamp  bool // the current input has shown a stamp

	corr []corrEvidence

	capConns  distinct // estimated: fixed memory however big the capture
	dumpConns map[decode.Tuple]struct{}

	snaps   []*snapshot
	cur     *snapshot
	section string
	sgm     string // SGM of the current input ("" unknown)
	input   string
	stats   parse.Stats
}

type corrEvidence struct {
	t       float64
	clocked bool
	pos     parse.Pos
	chassis int
	state   string
}

type snapshot struct {
	source, sgm, status string
	names               []string // counter keys in input order
	text                map[string]string
	num                 map[string]int64
}

// NewStorms returns an empty builder.
func NewStorms(opt StormOptions) *Storms {
	return &Storms{
		opt: opt, byOp: map[string]int64{}, stamped: map[int64]int32{}, activeBy: map[int64]*[10]int32{},
		dumpConns: map[decode.Tuple]struct{}{},
	}
}

// StartInput begins an input: its stamps, SGM and syncstat snapshot are
// its own.
func (s *Storms) StartInput(src parse.Source, name string) {
	s.input, s.sgm, s.hasStamp, s.cur = name, src.SGM.String(), false, nil
	s.names = append(s.names, name)
}

// EndInput folds the input's line accounting into the report.
func (s *Storms) EndInput(st *parse.Stats) { s.stats.Add(st) }

// Read feeds every record of r, an input from src, into the builder. Under
// strict the first rejected line is returned as an error.
func (s *Storms) Read(src parse.Source, r *parse.Reader, strict bool) error {
	s.StartInput(src, r.Name())
	defer s.EndInput(r.Stats())
	// Only the owner word is read of the values: the others are counted,
	// not decoded (see parse.Reader.SetValueWords).
	r.SetValueWords(decode.WordBits + 1)
	return readRecords(r, strict, s.Add)
}

// Add takes one record.
func (s *Storms) Add(rec *parse.Record) {
	switch rec.Kind {
	case parse.KindSGMHeader:
		if len(rec.SGMs) == 1 {
			s.sgm = rec.SGMs[0].String()
		}
	case parse.KindSync:
		s.message(rec)
	case parse.KindCorrection:
		if rec.Chassis >= 0 && (rec.State == "STANDBY" || rec.State == "DOWN") {
			t, ok := s.stamp(rec)
			s.corr = append(s.corr, corrEvidence{t: t, clocked: ok, pos: rec.Pos, chassis: rec.Chassis, state: rec.State})
		}
	case parse.KindFwTab, parse.KindFwTabF:
		if rec.HasKey {
			s.dumpConns[rec.Key.Canonical()] = struct{}{}
		}
	case parse.KindFwTabLink:
		s.dumpConns[rec.Link.Canonical()] = struct{}{}
	case parse.KindSyncstat:
		s.cur = &snapshot{source: rec.Pos.String(), sgm: s.sgm, text: map[string]string{}, num: map[string]int64{}}
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
	}
}

// stamp returns the record's time in seconds, carrying the input's last
// stamp forward to lines without one.
func (s *Storms) stamp(rec *parse.Record) (float64, bool) {
	if rec.HasTime {
		s.lastStamp, s.hasStamp = rec.Time*s.opt.TSUnit, true
		return s.lastStamp, true
	}
	return s.lastStamp, s.hasStamp
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

func (s *Storms) message(rec *parse.Record) {
	s.messages++
	if _, ok := s.byOp[rec.Op]; ok || len(s.byOp) < maxOps {
		s.byOp[rec.Op]++
	} else {
		s.byOp["OTHER"]++
	}
	if rec.HasKey && rec.Table == "connections" {
		s.capConns.add(rec.Key.Canonical())
	}
	op := opIndex(rec.Op)
	t, ok := s.stamp(rec)
	switch {
	case ok && !rec.HasTime:
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
	b := int64(math.Floor(t / s.opt.Bucket))
	idx, seen := s.stamped[b]
	if !seen {
		if len(s.counts) >= MaxBuckets {
			s.dropped++
			return
		}
		idx = int32(len(s.counts))
		s.stamped[b] = idx
		s.counts = append(s.counts, bucketCounts{})
		s.firstAt = append(s.firstAt, lineRef{int32(len(s.names) - 1), int32(min(rec.Pos.Line, math.MaxInt32))})
	}
	s.counts[idx][op]++
	if op == opSET && rec.HasMask && rec.Mask != 0 {
		var owner decode.SGM
		if w, ok := rec.Owner(); ok {
			owner = s.opt.Layout.Owner(w).SGM
		}
		if site := s.opt.Layout.MaskActive(rec.Mask, owner); site > 0 && site < 10 {
			a := s.activeBy[b]
			if a == nil {
				a = new([10]int32)
				s.activeBy[b] = a
			}
			a[site]++
		}
	}
}

// StormReport is the result; `storms --format json` prints it. The field
// names lines, messages_by_op, clock, peak, bursts, period and syncstat are
// a contract. Times are seconds on the capture's own clock.
type StormReport struct {
	Lines           int64            `json:"lines"`
	Messages        int64            `json:"messages"`
	MessagesByOp    map[string]int64 `json:"messages_by_op"`
	Clock           bool             `json:"clock"`
	ClockNote       string           `json:"clock_note"`
	Bucket          float64          `json:"bucket"`
	Start           *float64         `json:"start"`
	End             *float64         `json:"end"`
	Peak            *Peak            `json:"peak"`
	Baseline        float64          `json:"baseline"`
	Threshold       float64          `json:"threshold"`
	Bursts          []Burst          `json:"bursts"`
	Period          *float64         `json:"period"`
	PeriodNote      string           `json:"period_note,omitempty"`
	RefreshInterval float64          `json:"refresh_interval"`
	Switchover      *Switchover      `json:"switchover"`
	Timeline        []Point          `json:"timeline"`
	Syncstat        []SyncstatJSON   `json:"syncstat"`
	SyncstatDeltas  []SyncstatDelta  `json:"syncstat_deltas"`
	Forecast        Forecast         `json:"forecast"`
	Findings        []string         `json:"findings"`
	Inputs          Inputs           `json:"inputs"`
}

// Peak is the busiest bucket.
type Peak struct {
	T    float64 `json:"t"`
	Rate float64 `json:"rate"` // messages per second
}

// Burst is a run of buckets well above the baseline.
type Burst struct {
	Start    float64 `json:"start"`
	Duration float64 `json:"duration"`
	Messages int64   `json:"messages"`
	Refresh  int64   `json:"refresh"`
	// Wave is k when the burst starts near switchover + k x the refresh
	// interval; Offset is how far from it, in seconds.
	Wave   *int     `json:"wave,omitempty"`
	Offset *float64 `json:"offset,omitempty"`
	// At is the position of the burst's first message.
	At string `json:"at,omitempty"`
}

// Switchover is the evidence of when the switchover happened.
type Switchover struct {
	T        *float64 `json:"t"`
	Source   string   `json:"source"`
	Evidence []string `json:"evidence"`
}

// Point is one timeline bucket: t is its start (seconds, or the first
// message number without a clock).
type Point struct {
	T        float64 `json:"t"`
	Messages int64   `json:"messages"`
	Refresh  int64   `json:"refresh"`
}

// SyncstatJSON is one `cphaprob syncstat` snapshot.
type SyncstatJSON struct {
	Source                      string            `json:"source"`
	SGM                         string            `json:"sgm"`
	Status                      string            `json:"status"`
	LostUpdates                 *int64            `json:"lost_updates"`
	LostBulkUpdateEvents        *int64            `json:"lost_bulk_update_events"`
	OversizedUpdatesNotSent     *int64            `json:"oversized_updates_not_sent"`
	SentRejectNotifications     *int64            `json:"sent_reject_notifications"`
	ReceivedRejectNotifications *int64            `json:"received_reject_notifications"`
	SendingQueueSize            *int64            `json:"sending_queue_size"`
	ReceivingQueueSize          *int64            `json:"receiving_queue_size"`
	DeltaSyncIntervalMs         *int64            `json:"delta_sync_interval_ms"`
	Counters                    map[string]string `json:"counters"`
}

// SyncstatDelta is the change between two snapshots of the same SGM.
type SyncstatDelta struct {
	SGM     string           `json:"sgm"`
	From    string           `json:"from"`
	To      string           `json:"to"`
	Changes map[string]int64 `json:"changes"`
}

// Forecast estimates whether a REFRESH wave overflows the sending queue.
// It is an estimate: the inputs are shown so a reader can redo it.
type Forecast struct {
	Connections       int64   `json:"connections"`
	ConnectionsSource string  `json:"connections_source"`
	WaveMessages      int64   `json:"wave_messages"`
	WaveSource        string  `json:"wave_source"`
	WaveSeconds       float64 `json:"wave_seconds"`
	SendingQueue      int64   `json:"sending_queue"`
	SyncIntervalMs    int64   `json:"sync_interval_ms"`
	Capacity          int64   `json:"capacity"`
	AtRisk            int64   `json:"at_risk_per_wave"`
	Overflow          bool    `json:"overflow"`
	Formula           string  `json:"formula"`
}

var counterKeys = map[string]string{
	"Lost updates": "lost_updates", "Lost bulk update events": "lost_bulk_update_events",
	"Oversized updates not sent": "oversized_updates_not_sent", "Sent reject notifications": "sent_reject_notifications",
	"Received reject notifications": "received_reject_notifications", "Sending queue size": "sending_queue_size",
	"Receiving queue size": "receiving_queue_size", "Delta Sync interval (ms)": "delta_sync_interval_ms",
}

func (sn *snapshot) json() SyncstatJSON {
	j := SyncstatJSON{Source: sn.source, SGM: sn.sgm, Status: sn.status, Counters: map[string]string{}}
	for _, k := range sn.names {
		j.Counters[k] = sn.text[k]
	}
	field := map[string]**int64{
		"lost_updates": &j.LostUpdates, "lost_bulk_update_events": &j.LostBulkUpdateEvents,
		"oversized_updates_not_sent": &j.OversizedUpdatesNotSent, "sent_reject_notifications": &j.SentRejectNotifications,
		"received_reject_notifications": &j.ReceivedRejectNotifications, "sending_queue_size": &j.SendingQueueSize,
		"receiving_queue_size": &j.ReceivingQueueSize, "delta_sync_interval_ms": &j.DeltaSyncIntervalMs,
	}
	for name, key := range counterKeys {
		if v, ok := sn.num[name]; ok {
			*field[key] = &v
		}
	}
	return j
}

// Report computes the storm report. It does not change the builder.
func (s *Storms) Report() *StormReport {
	r := &StormReport{
		Lines: s.stats.Lines, Messages: s.messages, MessagesByOp: s.byOp, Bucket: s.opt.Bucket,
		RefreshInterval: s.opt.RefreshInterval, Bursts: []Burst{}, Timeline: []Point{}, Syncstat: []SyncstatJSON{},
		SyncstatDeltas: []SyncstatDelta{}, Findings: []string{}, Inputs: NewInputs(&s.stats),
	}
	r.Clock = len(s.counts) > 0
	s.timeline(r)
	r.Switchover = s.switchover()
	s.placeWaves(r)
	s.syncstat(r)
	s.forecast(r)
	r.Findings = s.findings(r)
	return r
}

// timeline fills the points, peak, baseline and bursts.
func (s *Storms) timeline(r *StormReport) {
	type bk struct {
		i   int64
		c   bucketCounts
		ref lineRef
	}
	var bs []bk
	width := s.opt.Bucket
	switch {
	case r.Clock:
		for b, i := range s.stamped {
			bs = append(bs, bk{b, s.counts[i], s.firstAt[i]})
		}
		r.ClockNote = fmt.Sprintf("timestamps from @;N; prefixes, unit %g s", s.opt.TSUnit)
		if s.carried > 0 {
			r.ClockNote += fmt.Sprintf("; %d messages without a stamp were placed at the previous one", s.carried)
		}
		if s.unstamped > 0 {
			r.ClockNote += fmt.Sprintf("; %d messages before the first stamp of their input are counted but not placed", s.unstamped)
		}
	default:
		for i, c := range s.order {
			bs = append(bs, bk{int64(i), c, lineRef{-1, 0}})
		}
		width = noClockLines
		r.Bucket = noClockLines
		r.ClockNote = fmt.Sprintf("no timestamps (capture taken without -T): the timeline falls back to message order, %d messages per bucket; rates, times and the period are not available", noClockLines)
	}
	if s.dropped > 0 {
		r.ClockNote += fmt.Sprintf("; %d messages beyond %d timeline buckets were counted but not placed (corrupt stamps?)", s.dropped, MaxBuckets)
	}
	if len(bs) == 0 {
		return
	}
	slices.SortFunc(bs, func(a, b bk) int { return cmp.Compare(a.i, b.i) })
	total := func(c bucketCounts) int64 {
		var t int64
		for _, n := range c {
			t += n
		}
		return t
	}
	first, last := bs[0].i, bs[len(bs)-1].i
	start, end := float64(first)*width, float64(last+1)*width
	r.Start, r.End = &start, &end
	// Baseline: the median bucket over the whole span, empty buckets included.
	span := last - first + 1
	totals := make([]int64, len(bs))
	for i, b := range bs {
		totals[i] = total(b.c)
	}
	sorted := slices.Clone(totals)
	slices.Sort(sorted)
	zeros := span - int64(len(bs))
	nth := func(k int64) float64 { // k-th smallest over span
		if k < zeros {
			return 0
		}
		return float64(sorted[k-zeros])
	}
	if span%2 == 1 {
		r.Baseline = nth(span / 2)
	} else {
		r.Baseline = (nth(span/2-1) + nth(span/2)) / 2
	}
	var sum int64
	for _, t := range totals {
		sum += t
	}
	r.Threshold = s.threshold(r.Baseline, float64(sum)/float64(span))
	hot := s.hotBuckets(bs2idx(bs, func(b bk) int64 { return b.i }), totals, first, last)
	// Peak.
	pk := 0
	for i := range bs {
		if totals[i] > totals[pk] {
			pk = i
		}
	}
	if r.Clock {
		r.Peak = &Peak{T: float64(bs[pk].i) * width, Rate: float64(totals[pk]) / width}
	}
	// Bursts: runs of hot buckets; one cold bucket between two hot ones
	// does not end a run (a wave straddling a quiet bucket stays one).
	var cur *Burst
	var lastHot, gapMsgs, gapRefresh int64
	if r.Clock {
		for i, b := range bs {
			if !hot[i] {
				if cur != nil && b.i-lastHot == 1 {
					gapMsgs, gapRefresh = totals[i], b.c[opREFRESH]
				}
				continue
			}
			if cur != nil && b.i-lastHot > 2 {
				cur = nil
			}
			if cur == nil {
				r.Bursts = append(r.Bursts, Burst{Start: float64(b.i) * width})
				cur = &r.Bursts[len(r.Bursts)-1]
				if b.ref.input >= 0 && int(b.ref.input) < len(s.names) {
					cur.At = fmt.Sprintf("%s:%d", s.names[b.ref.input], b.ref.line)
				}
			} else if b.i-lastHot == 2 {
				cur.Messages += gapMsgs
				cur.Refresh += gapRefresh
			}
			gapMsgs, gapRefresh = 0, 0
			cur.Messages += totals[i]
			cur.Refresh += b.c[opREFRESH]
			cur.Duration = float64(b.i+1)*width - cur.Start
			lastHot = b.i
		}
	}
	// Timeline points (at most MaxBuckets, already bounded).
	for i, b := range bs {
		r.Timeline = append(r.Timeline, Point{T: float64(b.i) * width, Messages: totals[i], Refresh: b.c[opREFRESH]})
	}
	// Period: the median gap between burst starts.
	if r.Clock && len(r.Bursts) >= 2 {
		var gaps []float64
		for i := 1; i < len(r.Bursts); i++ {
			gaps = append(gaps, r.Bursts[i].Start-r.Bursts[i-1].Start)
		}
		slices.Sort(gaps)
		p := gaps[len(gaps)/2]
		if len(gaps)%2 == 0 {
			p = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
		}
		r.Period = &p
		off := 100 * (p - s.opt.RefreshInterval) / s.opt.RefreshInterval
		r.PeriodNote = fmt.Sprintf("every %.0f s, %+.1f%% from the configured refresh interval of %.0f s", p, off, s.opt.RefreshInterval)
	}
}

// threshold is the count a bucket must reach to be hot, given the median m
// and the mean mu of its surroundings: "well above" means both BurstFactor
// times the median and the mean plus five Poisson standard deviations plus
// minBurst, so sparse noise on a quiet background never qualifies.
func (s *Storms) threshold(m, mu float64) float64 {
	return math.Max(s.opt.BurstFactor*m, mu+5*math.Sqrt(mu)+minBurst)
}

func bs2idx[T any](xs []T, f func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// hotBuckets marks the buckets well above their local baseline: the median
// over +-LocalWindow seconds around them (empty buckets count as zero, the
// window is clipped to the capture). A local baseline keeps a sustained busy
// stretch from reading as a burst while a short wave on a quiet background
// does. The window slides over the sorted buckets with a small sorted
// slice, O(buckets x window).
func (s *Storms) hotBuckets(idx, totals []int64, first, last int64) []bool {
	w := int64(math.Ceil(localWindow / s.opt.Bucket))
	w = max(1, min(w, 1000))
	hot := make([]bool, len(idx))
	var win []int64 // sorted totals of the non-empty buckets in the window
	var sum int64   // their sum
	lo, hi := 0, 0
	for i, c := range idx {
		if float64(totals[i]) < minBurst {
			continue
		}
		from, to := max(first, c-w), min(last, c+w)
		for hi < len(idx) && idx[hi] <= to {
			j, _ := slices.BinarySearch(win, totals[hi])
			win = slices.Insert(win, j, totals[hi])
			sum += totals[hi]
			hi++
		}
		for lo < hi && idx[lo] < from {
			j, _ := slices.BinarySearch(win, totals[lo])
			win = slices.Delete(win, j, j+1)
			sum -= totals[lo]
			lo++
		}
		size := to - from + 1
		zeros := size - int64(len(win))
		kth := func(k int64) float64 {
			if k < zeros {
				return 0
			}
			return float64(win[k-zeros])
		}
		m := kth(size / 2)
		if size%2 == 0 {
			m = (kth(size/2-1) + kth(size/2)) / 2
		}
		mu := 0.0 // mean of the other buckets of the window
		if size > 1 {
			mu = float64(sum-totals[i]) / float64(size-1)
		}
		hot[i] = float64(totals[i]) >= s.threshold(m, mu)
	}
	return hot
}

// switchover gathers the evidence and picks a time: the user's, else the
// change of the apparent active site in SET masks, else the first
// correction line naming a STANDBY or DOWN chassis.
func (s *Storms) switchover() *Switchover {
	sw := &Switchover{Evidence: []string{}}
	if s.opt.SwitchoverAt != nil {
		t := *s.opt.SwitchoverAt
		sw.T, sw.Source = &t, "--switchover-at"
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("given: %.3f s", t))
	}
	if t, from, to, ok := s.maskChange(); ok {
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("sync_masks of SET messages move their active site from site %d to site %d at %.3f s", from, to, t))
		if sw.T == nil {
			sw.T, sw.Source = &t, "sync_mask change"
		}
	}
	if len(s.corr) > 0 { // the first one says enough; more are counted below
		c := s.corr[0]
		where := c.pos.String()
		if c.clocked {
			where = fmt.Sprintf("%.3f s (%s)", c.t, c.pos)
		}
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("correction layer: chassis %d (site %d) is %s at %s", c.chassis, c.chassis+1, c.state, where))
		if sw.T == nil && c.clocked {
			t := c.t
			sw.T, sw.Source = &t, "first correction line naming a STANDBY or DOWN chassis (the switchover was no later)"
		}
	}
	if len(s.corr) > 1 {
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("%d correction lines name a STANDBY or DOWN chassis", len(s.corr)))
	}
	if sw.T == nil && len(sw.Evidence) == 0 {
		return nil
	}
	return sw
}

// maskChange finds the first bucket whose SETs mostly name another active
// site than the SETs before it.
func (s *Storms) maskChange() (t float64, from, to int, ok bool) {
	keys := make([]int64, 0, len(s.activeBy))
	for b := range s.activeBy {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	var before [10]int64
	for _, b := range keys {
		a := s.activeBy[b]
		prev, cur := argmax(before[:]), argmax(a[:])
		if prev > 0 && cur > 0 && cur != prev && int64(a[cur]) >= 3 {
			return float64(b) * s.opt.Bucket, prev, cur, true
		}
		for i, n := range a {
			before[i] += int64(n)
		}
	}
	return 0, 0, 0, false
}

// argmax is the index of the largest of xs, 0 when all are zero (index 0
// stands for "no site").
func argmax[T int32 | int64](xs []T) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	if xs[best] == 0 {
		return 0
	}
	return best
}

// placeWaves labels bursts with their wave number after the switchover.
func (s *Storms) placeWaves(r *StormReport) {
	if r.Switchover == nil || r.Switchover.T == nil || !r.Clock {
		return
	}
	t0, ri := *r.Switchover.T, s.opt.RefreshInterval
	for i := range r.Bursts {
		b := &r.Bursts[i]
		k := math.Round((b.Start - t0) / ri)
		off := b.Start - (t0 + k*ri)
		if k >= 0 && math.Abs(off) <= math.Max(2*s.opt.Bucket, 0.05*ri) {
			kk := int(k)
			b.Wave, b.Offset = &kk, &off
		}
	}
}

// syncstat fills the snapshots and the deltas per SGM.
func (s *Storms) syncstat(r *StormReport) {
	last := map[string]*snapshot{}
	for _, sn := range s.snaps {
		r.Syncstat = append(r.Syncstat, sn.json())
		key := sn.sgm
		if key == "" {
			key = strings.SplitN(sn.source, ":", 2)[0]
		}
		if prev := last[key]; prev != nil {
			d := SyncstatDelta{SGM: sn.sgm, From: prev.source, To: sn.source, Changes: map[string]int64{}}
			for _, k := range sn.names {
				if a, ok := prev.num[k]; ok {
					if b, ok := sn.num[k]; ok && b != a {
						d.Changes[k] = b - a
					}
				}
			}
			r.SyncstatDeltas = append(r.SyncstatDeltas, d)
		}
		last[key] = sn
	}
}

// forecast estimates the loss per REFRESH wave.
func (s *Storms) forecast(r *StormReport) {
	f := &r.Forecast
	f.SendingQueue, f.SyncIntervalMs = s.opt.SendingQueue, s.opt.SyncIntervalMs
	qFrom, iFrom := "default", "default"
	for _, sn := range r.Syncstat {
		if sn.SendingQueueSize != nil && (qFrom == "default" || *sn.SendingQueueSize < f.SendingQueue) {
			f.SendingQueue, qFrom = *sn.SendingQueueSize, "syncstat"
		}
		if sn.DeltaSyncIntervalMs != nil && *sn.DeltaSyncIntervalMs > 0 {
			f.SyncIntervalMs, iFrom = *sn.DeltaSyncIntervalMs, "syncstat"
		}
	}
	if len(s.dumpConns) > 0 {
		f.Connections, f.ConnectionsSource = int64(len(s.dumpConns)), "distinct connections in the table dumps"
	} else {
		f.Connections, f.ConnectionsSource = s.capConns.count(), "distinct connections seen in the capture, HyperLogLog estimate within about 1%"
	}
	var refresh []int64
	var durs []float64
	for _, b := range r.Bursts {
		if b.Refresh > 0 {
			refresh = append(refresh, b.Refresh)
			durs = append(durs, b.Duration)
		}
	}
	if len(refresh) > 0 && r.Clock {
		slices.Sort(refresh)
		slices.Sort(durs)
		f.WaveMessages, f.WaveSeconds = refresh[len(refresh)/2], durs[len(durs)/2]
		f.WaveSource = fmt.Sprintf("median REFRESH count of %d bursts in the capture", len(refresh))
	} else {
		f.WaveMessages, f.WaveSeconds = f.Connections, s.opt.Bucket
		f.WaveSource = "one REFRESH per connection per wave (assumed), all within one bucket"
	}
	intervals := math.Max(1, f.WaveSeconds*1000/float64(f.SyncIntervalMs))
	f.Capacity = int64(float64(f.SendingQueue) * intervals)
	f.AtRisk = max(0, f.WaveMessages-f.Capacity)
	f.Overflow = f.AtRisk > 0
	f.Formula = fmt.Sprintf("estimate: capacity = sending queue (%d, %s) x wave duration (%.3g s) / Delta Sync interval (%d ms, %s) = %d updates; at risk = wave (%d) - capacity = %d",
		f.SendingQueue, qFrom, f.WaveSeconds, f.SyncIntervalMs, iFrom, f.Capacity, f.WaveMessages, f.AtRisk)
}

func (s *Storms) findings(r *StormReport) []string {
	var out []string
	for _, sn := range r.Syncstat {
		who := sn.SGM
		if who == "" {
			who = sn.Source
		}
		if strings.HasPrefix(strings.ToLower(sn.Status), "off") {
			out = append(out, fmt.Sprintf("%s: sync is %s (%s).", who, sn.Status, sn.Source))
		}
	}
	for _, l := range LostAdvice(r) {
		out = append(out, l.Message)
	}
	if len(r.Bursts) > 0 && r.Clock {
		var waves []string
		for _, b := range r.Bursts {
			if b.Wave != nil {
				waves = append(waves, fmt.Sprintf("T0+%d x %.0f s", *b.Wave, s.opt.RefreshInterval))
			}
		}
		msg := fmt.Sprintf("%d message bursts above %.0f per bucket (baseline %.1f); the biggest peaks at %.0f messages/s.", len(r.Bursts), r.Threshold, r.Baseline, r.Peak.Rate)
		if len(waves) > 0 {
			msg += fmt.Sprintf(" %d of them are REFRESH waves at %s after the switchover.", len(waves), strings.Join(waves, ", "))
		}
		out = append(out, msg)
	}
	if r.PeriodNote != "" {
		out = append(out, "Bursts recur "+r.PeriodNote+".")
	}
	if r.Forecast.Overflow {
		out = append(out, fmt.Sprintf("A REFRESH wave of about %d updates overflows the sending queue: about %d updates per wave risk being lost (%s).",
			r.Forecast.WaveMessages, r.Forecast.AtRisk, r.Forecast.Formula))
	}
	if !r.Clock && r.Messages > 0 {
		out = append(out, "The capture has no timestamps: take it with `fw ctl kdebug -T` to see rates and the REFRESH period.")
	}
	return out
}

// Loss is the vendor's reading of one SGM's latest syncstat snapshot that
// shows lost updates.
type Loss struct {
	SGM     string // "" when the snapshot names no SGM
	Source  string // file:line of the snapshot
	Lost    int64
	Rising  bool // Received reject notifications rising (or non-zero with one snapshot)
	Message string
}

// LostAdvice applies the vendor's reading to the latest snapshot of each
// SGM with lost updates: if Received reject notifications keep rising,
// enlarge the Sending queue; otherwise the Receiving queue.
func LostAdvice(r *StormReport) []Loss {
	var out []Loss
	seen := map[string]bool{}
	for i := len(r.Syncstat) - 1; i >= 0; i-- {
		sn := r.Syncstat[i]
		key := sn.SGM
		if key == "" {
			key = "|" + strings.SplitN(sn.Source, ":", 2)[0]
		}
		if seen[key] || sn.LostUpdates == nil || *sn.LostUpdates == 0 {
			continue
		}
		seen[key] = true
		who := sn.SGM
		if who == "" {
			who = sn.Source
		}
		rising := sn.ReceivedRejectNotifications != nil && *sn.ReceivedRejectNotifications > 0
		for _, d := range r.SyncstatDeltas {
			if d.To == sn.Source {
				rising = d.Changes["Received reject notifications"] > 0
			}
		}
		q, size, why := "Receiving queue", sn.ReceivingQueueSize, "Received reject notifications are not rising"
		if rising {
			q, size, why = "Sending queue", sn.SendingQueueSize, "Received reject notifications are rising"
		}
		now := ""
		if size != nil {
			now = fmt.Sprintf(", now %d", *size)
		}
		out = append(out, Loss{SGM: sn.SGM, Source: sn.Source, Lost: *sn.LostUpdates, Rising: rising,
			Message: fmt.Sprintf("%s lost %d sync updates; %s, so the vendor's advice is to enlarge the %s%s (%s).", who, *sn.LostUpdates, why, q, now, sn.Source)})
	}
	return out
}
