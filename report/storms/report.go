package storms

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Report is the result; `storms --format json` prints it. The field
// names lines, messages_by_op, clock, peak, bursts, period and syncstat are
// a contract. Times are seconds on the capture's own clock.
type Report struct {
	Lines           int64            `json:"lines"`
	Messages        int64            `json:"messages"`
	MessagesByOp    map[string]int64 `json:"messages_by_op"`
	Clock           bool             `json:"clock"`
	ClockNote       string           `json:"clock_note"`
	Bucket          float64          `json:"bucket"`
	Start           *float64         `json:"start"`
	End             *float64         `json:"end"`
	StartTime       string           `json:"start_time,omitempty"` // start and end in RFC 3339 UTC when the clock is a Unix time
	EndTime         string           `json:"end_time,omitempty"`
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
	Pstat           []PstatSync      `json:"pstat"` // fw ctl pstat Sync sections, in input order (Pstat.Fill)
	Forecast        Forecast         `json:"forecast"`
	Findings        []report.Finding `json:"findings"`
	Inputs          report.Inputs    `json:"inputs"`
}

// Peak is the busiest bucket.
type Peak struct {
	T    float64 `json:"t"`
	Time string  `json:"time,omitempty"` // t in RFC 3339 UTC when the clock is a Unix time
	Rate float64 `json:"rate"`           // messages per second
}

// Burst is a run of buckets well above the baseline.
type Burst struct {
	Start     float64 `json:"start"`
	StartTime string  `json:"start_time,omitempty"` // start in RFC 3339 UTC when the clock is a Unix time
	Duration  float64 `json:"duration"`
	Messages  int64   `json:"messages"`
	Refresh   int64   `json:"refresh"`
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
	Time     string   `json:"time,omitempty"` // t in RFC 3339 UTC when the clock is a Unix time
	Source   string   `json:"source"`
	Evidence []string `json:"evidence"`
}

// Point is one timeline bucket: t is its start (seconds, or the first
// message number without a clock).
type Point struct {
	T        float64 `json:"t"`
	Time     string  `json:"time,omitempty"` // t in RFC 3339 UTC when the clock is a Unix time
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
	// Over are the counters whose value is 2^63 or more: kept as printed
	// in Counters, never as a number (their fields above are null).
	Over []string `json:"counters_over_2_63,omitempty"`
	// History is whose snapshots this one follows (not printed).
	History History `json:"-"`
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
	// Evidenced is set when the estimate rests on a REFRESH wave seen in
	// the capture and a known sending queue: only then is an overflow a
	// finding. Note says which.
	Evidenced bool   `json:"evidenced"`
	Note      string `json:"note"`
}

var counterKeys = map[string]string{
	"Lost updates": "lost_updates", "Lost bulk update events": "lost_bulk_update_events",
	"Oversized updates not sent": "oversized_updates_not_sent", "Sent reject notifications": "sent_reject_notifications",
	"Received reject notifications": "received_reject_notifications", "Sending queue size": "sending_queue_size",
	"Receiving queue size": "receiving_queue_size", "Delta Sync interval (ms)": "delta_sync_interval_ms",
}

// History names a run of snapshots that follow each other: an SGM's or,
// for snapshots that name no SGM, one input's (never told apart by
// splitting names).
type History struct {
	SGM   decode.SGM
	Input int // -1 when SGM is known
}

func (sn *snapshot) history() History { return historyOf(sn.sgm, sn.input) }

// historyOf is the history of a snapshot of sgm read from input: the
// SGM's when it is known, else the input's.
func historyOf(sgm decode.SGM, input int) History {
	if !sgm.IsZero() {
		return History{SGM: sgm, Input: -1}
	}
	return History{Input: input}
}

// sgmName is the SGM's name, "" for the zero SGM.
func sgmName(s decode.SGM) string {
	if s.IsZero() {
		return ""
	}
	return s.String()
}

func (sn *snapshot) json() SyncstatJSON {
	j := SyncstatJSON{Source: sn.source, SGM: sgmName(sn.sgm), History: sn.history(), Status: sn.status, Counters: map[string]string{}, Over: sn.over}
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
func (s *Storms) Report() *Report {
	r := &Report{
		Lines: s.f.Stats().Lines, Messages: s.messages, MessagesByOp: s.messagesByOp(), Bucket: s.opt.Bucket,
		RefreshInterval: s.opt.RefreshInterval, Bursts: []Burst{}, Timeline: []Point{}, Syncstat: []SyncstatJSON{},
		SyncstatDeltas: []SyncstatDelta{}, Findings: []report.Finding{}, Inputs: s.f.Accounting(),
	}
	r.Clock = len(s.counts) > 0
	s.timeline(r)
	r.Switchover = s.switchover()
	s.placeWaves(r)
	s.syncstat(r)
	s.forecast(r)
	r.Findings = s.findings(r)
	fillTimes(r)
	return r
}

// fillTimes adds the RFC 3339 form beside every capture time of r, when
// its clock is a Unix time (report.TimeString); the numbers stay.
func fillTimes(r *Report) {
	if !r.Clock {
		return
	}
	if r.Start != nil && r.End != nil {
		r.StartTime, r.EndTime = report.TimeString(*r.Start), report.TimeString(*r.End)
	}
	if r.Peak != nil {
		r.Peak.Time = report.TimeString(r.Peak.T)
	}
	for i := range r.Bursts {
		r.Bursts[i].StartTime = report.TimeString(r.Bursts[i].Start)
	}
	for i := range r.Timeline {
		r.Timeline[i].Time = report.TimeString(r.Timeline[i].T)
	}
	if r.Switchover != nil && r.Switchover.T != nil {
		r.Switchover.Time = report.TimeString(*r.Switchover.T)
	}
}

// timeline fills the points, peak, baseline and bursts.
func (s *Storms) timeline(r *Report) {
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
		r.ClockNote = fmt.Sprintf("timestamps from @;N; prefixes, unit %g s", s.f.TSUnit())
		first := int64(math.MaxInt64)
		for _, b := range bs {
			first = min(first, b.i)
		}
		if len(bs) > 0 && report.IsEpoch(float64(first)*width) {
			r.ClockNote += "; Unix times (from 2001 on), shown as dates"
		}
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
	r.ClockNote += s.outOfRangeNote()
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
	r.Baseline = median(sorted, span-int64(len(bs)))
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
				if in := s.f.Input(int(b.ref.input)); in != nil {
					cur.At = fmt.Sprintf("%s:%d", in.Name, b.ref.line)
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
		p := median(gaps, 0)
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
		m := median(win, size-int64(len(win)))
		mu := 0.0 // mean of the other buckets of the window
		if size > 1 {
			mu = float64(sum-totals[i]) / float64(size-1)
		}
		hot[i] = float64(totals[i]) >= s.threshold(m, mu)
	}
	return hot
}

// median is the median of zeros zero values and the ascending values of
// sorted (all of them non-negative, so the zeros come first): the middle
// value, or the mean of the middle two. The timeline's baseline, each
// bucket's local baseline, the burst period and the forecast's typical wave
// all use it.
func median[T int64 | float64](sorted []T, zeros int64) float64 {
	n := zeros + int64(len(sorted))
	if n == 0 {
		return 0
	}
	kth := func(k int64) float64 {
		if k < zeros {
			return 0
		}
		return float64(sorted[k-zeros])
	}
	if n%2 == 1 {
		return kth(n / 2)
	}
	return (kth(n/2-1) + kth(n/2)) / 2
}
