package storms

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// switchover gathers the evidence and picks a time: the user's, else the
// change of the apparent active site in SET masks, else the first
// correction line naming a STANDBY or DOWN chassis.
//
// Times in messages and evidence follow the core's rule ([report.Times]):
// seconds, or UTC dates for an epoch-stamped capture; they are part of
// the JSON too, which is why they are UTC whatever --local says.
func (s *Storms) switchover() *Switchover {
	sw := &Switchover{Evidence: []string{}}
	if s.opt.SwitchoverAt != nil {
		t := *s.opt.SwitchoverAt
		sw.T, sw.Source = &t, "--switchover-at"
		sw.Evidence = append(sw.Evidence, "given: "+utc.At(t, 3))
	}
	if t, from, to, ok := s.maskChange(); ok {
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("sync_masks of SET messages move their active site from site %d to site %d at %s", from, to, utc.At(t, 3)))
		if sw.T == nil {
			sw.T, sw.Source = &t, "sync_mask change"
		}
	}
	if s.corrN > 0 { // the first one says enough; more are counted below
		c := s.corr
		where := c.pos.String()
		if c.clocked {
			where = fmt.Sprintf("%s (%s)", utc.At(c.t, 3), c.pos)
		}
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("correction layer: chassis %d (site %d) is %s at %s", c.chassis, c.chassis+1, c.state, where))
		if sw.T == nil && c.clocked {
			t := c.t
			sw.T, sw.Source = &t, "first correction line naming a STANDBY or DOWN chassis (the switchover was no later)"
		}
	}
	if s.corrN > 1 {
		sw.Evidence = append(sw.Evidence, fmt.Sprintf("%d correction lines name a STANDBY or DOWN chassis", s.corrN))
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
func (s *Storms) placeWaves(r *Report) {
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
func (s *Storms) syncstat(r *Report) {
	last := map[History]*snapshot{}
	for _, sn := range s.snaps {
		r.Syncstat = append(r.Syncstat, sn.json())
		key := sn.history()
		if prev := last[key]; prev != nil {
			d := SyncstatDelta{SGM: sgmName(sn.sgm), From: prev.source, To: sn.source, Changes: map[string]int64{}}
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
func (s *Storms) forecast(r *Report) {
	f := &r.Forecast
	f.SendingQueue, f.SyncIntervalMs = s.opt.SendingQueue, s.opt.SyncIntervalMs
	qFrom, iFrom := "default", "default"
	if s.opt.SendingQueueGiven {
		qFrom = "--sending-queue"
	}
	for _, sn := range r.Syncstat {
		if sn.SendingQueueSize != nil && (qFrom != "syncstat" || *sn.SendingQueueSize < f.SendingQueue) {
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
		f.WaveMessages, f.WaveSeconds = int64(math.Round(median(refresh, 0))), median(durs, 0)
		f.WaveSource = fmt.Sprintf("median REFRESH count of %d bursts in the capture", len(refresh))
	} else {
		f.WaveMessages, f.WaveSeconds = f.Connections, s.opt.Bucket
		f.WaveSource = "one REFRESH per connection per wave (assumed), all within one bucket"
	}
	waves := len(refresh) > 0 && r.Clock
	intervals := math.Max(1, f.WaveSeconds*1000/float64(f.SyncIntervalMs))
	f.Capacity = satCount(float64(f.SendingQueue) * intervals) // bounds.go: never wraps
	f.AtRisk = max(0, f.WaveMessages-f.Capacity)
	f.Overflow = f.AtRisk > 0
	// A finding needs evidence: a REFRESH wave seen in the capture and a
	// sending queue size that is known, not assumed.
	f.Evidenced = waves && qFrom != "default"
	switch {
	case f.Evidenced:
		f.Note = "from a REFRESH wave seen in the capture and a known sending queue"
	case !waves:
		f.Note = "an estimate only, not a finding: the capture shows no REFRESH wave"
	default:
		f.Note = "an estimate only, not a finding: the sending queue size is not known (give a cphaprob syncstat or --sending-queue)"
	}
	f.Formula = fmt.Sprintf("estimate: capacity = sending queue (%d, %s) x wave duration (%.3g s) / Delta Sync interval (%d ms, %s) = %d updates; at risk = wave (%d) - capacity = %d",
		f.SendingQueue, qFrom, f.WaveSeconds, f.SyncIntervalMs, iFrom, f.Capacity, f.WaveMessages, f.AtRisk)
}

// Finding codes of the storm report; triage reports the same findings
// for the same inputs (SYNC_OFF, LOST_UPDATES, REJECT_NOTIFICATIONS,
// REFRESH_BURSTS).
const (
	CodeSyncOff       = "SYNC_OFF"
	CodeLostUpdates   = "LOST_UPDATES"
	CodeRejects       = "REJECT_NOTIFICATIONS"
	CodeRefreshBursts = "REFRESH_BURSTS"
	CodeBursts        = "MESSAGE_BURSTS"
	CodeNoClock       = "NO_CLOCK"
)

// utc writes the times of messages and evidence (see switchover).
var utc report.Times

// TriageCodes are the storm findings a bundle triage reports as they are.
var TriageCodes = []string{CodeSyncOff, CodeLostUpdates, CodeRejects, CodeRefreshBursts}

func nonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func (s *Storms) findings(r *Report) []report.Finding {
	var out []report.Finding
	add := func(f report.Finding) { out = append(out, f.Clean()) }
	for _, sn := range r.Syncstat {
		if strings.HasPrefix(strings.ToLower(sn.Status), "off") {
			add(report.Finding{Code: CodeSyncOff, Severity: report.High, SGMs: nonEmpty(sn.SGM),
				Message:  fmt.Sprintf("Sync is %s: this SGM does not synchronize connections, so its peers cannot take them over.", sn.Status),
				Evidence: []string{sn.Source}})
		}
	}
	for _, l := range LostAdvice(r) {
		nums := map[string]int64{"lost_updates": l.Lost}
		if l.Over {
			nums = map[string]int64{"lost_updates_over_2_63": 1} // not a count: see the message
		}
		add(report.Finding{Code: CodeLostUpdates, Severity: report.High, SGMs: nonEmpty(l.SGM), Message: l.Message,
			Evidence: []string{l.Source}, Numbers: nums})
	}
	for _, sn := range Latest(r.Syncstat) {
		sent, recv := val(sn.SentRejectNotifications), val(sn.ReceivedRejectNotifications)
		if sent+recv == 0 {
			continue
		}
		add(report.Finding{Code: CodeRejects, Severity: report.Medium, SGMs: nonEmpty(sn.SGM),
			Message:  fmt.Sprintf("Sync buffer rejects: %d sent and %d received reject notifications; the peer's buffer was full, updates were at risk.", sent, recv),
			Evidence: []string{sn.Source}, Numbers: map[string]int64{"sent_reject_notifications": sent, "received_reject_notifications": recv}})
	}
	var refresh int64
	var times []string
	for _, b := range r.Bursts {
		if b.Refresh > 0 {
			refresh += b.Refresh
			times = append(times, fmt.Sprintf("%s (burst at %s: %d messages, %d REFRESH)", b.At, utc.At(b.Start, 0), b.Messages, b.Refresh))
		}
	}
	if refresh > 0 && r.Clock {
		f := report.Finding{Code: CodeRefreshBursts, Severity: report.Medium, Evidence: times,
			Message: fmt.Sprintf("%d REFRESH bursts in the kernel debug", len(times)),
			Numbers: map[string]int64{"bursts": int64(len(times)), "refresh": refresh}}
		if r.Period != nil {
			f.Message += "; they recur " + r.PeriodNote
		}
		f.Message += "."
		if r.Forecast.Overflow && r.Forecast.Evidenced {
			f.Severity = report.High
			f.Message += fmt.Sprintf(" Each wave of about %d updates overflows the sending queue: about %d updates per wave risk being lost (estimate: %s).", r.Forecast.WaveMessages, r.Forecast.AtRisk, r.Forecast.Formula)
			f.Numbers["at_risk_per_wave"] = r.Forecast.AtRisk
		}
		add(f)
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
		add(report.Finding{Code: CodeBursts, Severity: report.Info, Message: msg, Evidence: []string{},
			Numbers: map[string]int64{"bursts": int64(len(r.Bursts))}})
	}
	if !r.Clock && r.Messages > 0 {
		add(report.Finding{Code: CodeNoClock, Severity: report.Info, Evidence: []string{},
			Message: "The capture has no timestamps: take it with `fw ctl kdebug -T` to see rates and the REFRESH period."})
	}
	report.SortFindings(out)
	return out
}

// Latest keeps the last snapshot of each history (an SGM's, or an unnamed
// input's), in input order.
func Latest(all []SyncstatJSON) []SyncstatJSON {
	var out []SyncstatJSON
	seen := map[History]bool{}
	for i := len(all) - 1; i >= 0; i-- {
		if key := all[i].History; !seen[key] {
			seen[key] = true
			out = append(out, all[i])
		}
	}
	slices.Reverse(out)
	return out
}

// Loss is the vendor's reading of one SGM's latest syncstat snapshot that
// shows lost updates.
type Loss struct {
	SGM    string // "" when the snapshot names no SGM
	Source string // file:line of the snapshot
	Lost   int64
	// Over is set when the counter is 2^63 or more: Lost is not a count.
	Over bool
	// Rising is set when an earlier snapshot of the same SGM shows fewer
	// Received reject notifications; Known when there is such a snapshot.
	Rising, Known bool
	Message       string
}

// LostAdvice applies the vendor's reading to the latest snapshot of each
// SGM with lost updates: if Received reject notifications keep rising,
// enlarge the Sending queue; otherwise the Receiving queue. Rising needs
// two snapshots of the same SGM (in input order): from one snapshot the
// advice says what to look at.
func LostAdvice(r *Report) []Loss {
	var out []Loss
	for _, sn := range Latest(r.Syncstat) {
		who := cmp.Or(sn.SGM, sn.Source)
		if slices.Contains(sn.Over, "Lost updates") {
			out = append(out, Loss{SGM: sn.SGM, Source: sn.Source, Over: true,
				Message: fmt.Sprintf("%s lost more than 2^63 sync updates: the counter reads %q (%s), beyond any count this tool keeps; check the snapshot.", who, sn.Counters["Lost updates"], sn.Source)})
			continue
		}
		if sn.LostUpdates == nil || *sn.LostUpdates == 0 {
			continue
		}
		l := Loss{SGM: sn.SGM, Source: sn.Source, Lost: *sn.LostUpdates}
		for _, d := range r.SyncstatDeltas {
			if d.To == sn.Source {
				l.Known, l.Rising = true, d.Changes["Received reject notifications"] > 0
			}
		}
		zero := !l.Known && sn.ReceivedRejectNotifications != nil && *sn.ReceivedRejectNotifications == 0
		if zero {
			l.Known = true // a counter still at 0 has not risen
		}
		size := func(p *int64) string {
			if p == nil {
				return ""
			}
			return fmt.Sprintf(", now %d", *p)
		}
		switch {
		case l.Known && l.Rising:
			l.Message = fmt.Sprintf("%s lost %d sync updates; Received reject notifications are rising between snapshots, so the vendor's advice is to enlarge the Sending queue%s (%s).", who, l.Lost, size(sn.SendingQueueSize), sn.Source)
		case zero:
			l.Message = fmt.Sprintf("%s lost %d sync updates; Received reject notifications are 0, so the vendor's advice is to enlarge the Receiving queue%s (%s).", who, l.Lost, size(sn.ReceivingQueueSize), sn.Source)
		case l.Known:
			l.Message = fmt.Sprintf("%s lost %d sync updates; Received reject notifications are not rising between snapshots, so the vendor's advice is to enlarge the Receiving queue%s (%s).", who, l.Lost, size(sn.ReceivingQueueSize), sn.Source)
		default:
			l.Message = fmt.Sprintf("%s lost %d sync updates (%s). Received reject notifications are %d in this one snapshot: whether they rise needs a second `cphaprob syncstat` of the same SGM taken later; the vendor's advice is to enlarge the Sending queue%s if they rise, the Receiving queue%s if not.",
				who, l.Lost, sn.Source, val(sn.ReceivedRejectNotifications), size(sn.SendingQueueSize), size(sn.ReceivingQueueSize))
		}
		out = append(out, l)
	}
	return out
}
