package storms

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

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
	if s.corrN > 0 { // the first one says enough; more are counted below
		c := s.corr
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
		f.WaveMessages, f.WaveSeconds = int64(math.Round(median(refresh, 0))), median(durs, 0)
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

func (s *Storms) findings(r *Report) []string {
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
func LostAdvice(r *Report) []Loss {
	var out []Loss
	seen := map[History]bool{}
	for i := len(r.Syncstat) - 1; i >= 0; i-- {
		sn := r.Syncstat[i]
		key := sn.History
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
