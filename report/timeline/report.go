package timeline

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Report is the result; `timeline --format json` prints it. The fields
// events (t, time, sgm, kind, from, to, reason, source) and sources are a
// contract.
type Report struct {
	Events []Event `json:"events"`
	// Undated are events the inputs show without a time (an `asg stat`
	// row, a panic line without a syslog stamp or without a year).
	Undated    []Undated     `json:"undated"`
	Sources    []Source      `json:"sources"`
	Notes      []string      `json:"notes"`
	Story      string        `json:"story"`
	SampleNote string        `json:"sample_note"`
	Inputs     report.Inputs `json:"inputs"`

	// T0 is the switchover the CPView databases show (the first failover),
	// before filters; nil when none.
	T0 *int64 `json:"t0"`

	series map[decode.SGM]*series
	all    []Event // before filters
}

// Event is one thing that happened, at T (epoch seconds, UTC).
type Event struct {
	T      int64   `json:"t"`
	Time   string  `json:"time"`
	SGM    *string `json:"sgm"`
	Kind   string  `json:"kind"`
	From   string  `json:"from"`
	To     string  `json:"to"`
	Reason string  `json:"reason"`
	Source string  `json:"source"`
	Detail string  `json:"detail"`
	// Counter is a failover's new failover counter.
	Counter *int64 `json:"counter,omitempty"`
	// Assumed says what the time rests on when it is not read as such
	// (a syslog stamp's year, a capture placed by its switchover).
	Assumed string `json:"assumed,omitempty"`
}

// Undated is an event without a time.
type Undated struct {
	SGM    *string `json:"sgm"`
	Kind   string  `json:"kind"`
	Reason string  `json:"reason"`
	Source string  `json:"source"`
}

// Source is one CPView database or capture the events came from.
type Source struct {
	Input   string   `json:"input"`
	Kind    string   `json:"kind"` // "cpview" or "kdebug"
	SGM     *string  `json:"sgm"`
	Rule    string   `json:"rule,omitempty"`
	Clock   string   `json:"clock"`
	Samples int      `json:"samples"` // the rows of its longest table (CPView), its bursts (kdebug)
	First   string   `json:"first,omitempty"`
	Last    string   `json:"last,omitempty"`
	Missing []string `json:"missing"`
	Notes   []string `json:"notes"`
}

// series is one SGM's memory use over time, for trends.
type series struct {
	mem []parse.CPViewMemory
}

// Options narrow the report.
type Options struct {
	From, To *int64     // epoch seconds, inclusive
	SGM      decode.SGM // zero: every SGM
}

// Report builds the report.
func (t *Timeline) Report(opt Options) *Report {
	r := &Report{Events: []Event{}, Undated: []Undated{}, Sources: []Source{}, Notes: []string{},
		SampleNote: SampleNote, series: map[decode.SGM]*series{}}
	for _, d := range t.dbs {
		t.cpview(r, d)
	}
	r.T0 = r.firstFailover()
	t.panicEvents(r)
	t.stateEvents(r)
	t.captureEvents(r)
	if t.f.Evidence().Syncstat > 0 {
		r.Notes = append(r.Notes, "syncstat snapshots carry no date in the inputs read: they are not on the timeline")
	}
	slices.SortStableFunc(r.Events, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.T, b.T), cmp.Compare(kindRank[a.Kind], kindRank[b.Kind]), cmp.Compare(deref(a.SGM), deref(b.SGM)))
	})
	r.all = r.Events
	r.Events = filter(r.all, opt)
	r.Story = r.story()
	r.Inputs = t.f.Accounting()
	return r
}

// kindRank orders events of one second: causes before effects.
var kindRank = map[string]int{KindPanic: 0, KindSGMDown: 1, KindSwitchover: 2, KindStateChange: 3, KindFailover: 4,
	KindReboot: 5, KindMemoryHigh: 6, KindWave: 7, KindSyncstat: 8}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func filter(evs []Event, opt Options) []Event {
	out := []Event{}
	for _, e := range evs {
		if opt.From != nil && e.T < *opt.From || opt.To != nil && e.T > *opt.To {
			continue
		}
		if !opt.SGM.IsZero() && deref(e.SGM) != opt.SGM.String() {
			continue
		}
		out = append(out, e)
	}
	return out
}

// cpview turns one database into events.
func (t *Timeline) cpview(r *Report, d db) {
	c, sgm := d.c, sgmName(d.sgm)
	src := Source{Input: c.Name, Kind: "cpview", SGM: sgm, Rule: d.rule, Clock: c.Clock,
		Samples: max(len(c.HA), len(c.System), len(c.Memory)), Missing: slices.Clone(c.Missing), Notes: slices.Clone(c.Notes)}
	if src.Missing == nil {
		src.Missing = []string{}
	}
	if src.Notes == nil {
		src.Notes = []string{}
	}
	if sgm == nil {
		src.Notes = append(src.Notes, "no SGM known for this database: name it FILE@SGM or put it in a folder named after its SGM")
	}
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	span := func(ts int64) { first, last = min(first, ts), max(last, ts) }
	at := func(table string, ts int64) string { return fmt.Sprintf("%s:%s@%d", c.Name, table, ts) }
	add := func(e Event) {
		e.Time, e.SGM = stamp(e.T), sgm
		r.Events = append(r.Events, e)
	}
	var prev *parse.CPViewHA
	for i := range c.HA {
		s := &c.HA[i]
		span(s.T)
		if prev != nil {
			if s.HasState && prev.HasState && s.State != prev.State {
				add(Event{T: s.T, Kind: KindStateChange, From: prev.State, To: s.State, Reason: s.Event, Source: at(parse.TableHA, s.T),
					Detail: fmt.Sprintf("state %s -> %s", prev.State, s.State)})
			}
			if s.HasFailovers && prev.HasFailovers && s.Failovers > prev.Failovers {
				n := s.Failovers
				to := ""
				if sgm != nil {
					to = *sgm
				}
				add(Event{T: s.T, Kind: KindFailover, From: s.From, To: to, Reason: s.Reason, Source: at(parse.TableHA, s.T), Counter: &n,
					Detail: fmt.Sprintf("failover counter %d -> %d", prev.Failovers, s.Failovers)})
			}
		}
		if s.HasState || s.HasFailovers {
			prev = s
		}
	}
	for i := 1; i < len(c.System); i++ {
		a, b := c.System[i-1], c.System[i]
		span(b.T)
		if a.Uptime-b.Uptime > RebootDrop {
			add(Event{T: b.T, Kind: KindReboot, From: uptime(a.Uptime), To: uptime(b.Uptime), Reason: "uptime dropped",
				Source: at(parse.TableSystem, b.T), Detail: "booted at about " + stamp(b.T-b.Uptime)})
		}
	}
	if len(c.System) > 0 {
		span(c.System[0].T)
	}
	for i, m := range c.Memory {
		span(m.T)
		if i == 0 || c.Memory[i-1].UsedPct >= MemoryHigh || m.UsedPct < MemoryHigh {
			continue
		}
		from, since := trend(c.Memory[:i+1], m.T)
		add(Event{T: m.T, Kind: KindMemoryHigh, From: pct(from), To: pct(m.UsedPct), Reason: fmt.Sprintf("real memory used crossed %.0f%%", MemoryHigh),
			Source: at(parse.TableMemory, m.T), Detail: fmt.Sprintf("real memory used rose from %s to %s in the %s before", pct(from), pct(m.UsedPct), hours(since))})
	}
	if !d.sgm.IsZero() {
		s := r.series[d.sgm]
		if s == nil {
			s = &series{}
			r.series[d.sgm] = s
		}
		s.mem = append(s.mem, c.Memory...)
		slices.SortStableFunc(s.mem, func(a, b parse.CPViewMemory) int { return cmp.Compare(a.T, b.T) })
	}
	if first <= last {
		src.First, src.Last = stamp(first), stamp(last)
	}
	r.Sources = append(r.Sources, src)
}

// trend is the memory use TrendWindow before t (the first sample at or
// after it) and how long before t that sample is.
func trend(mem []parse.CPViewMemory, t int64) (float64, int64) {
	i, _ := slices.BinarySearchFunc(mem, t-TrendWindow, func(m parse.CPViewMemory, x int64) int { return cmp.Compare(m.T, x) })
	if i >= len(mem) {
		return math.NaN(), 0
	}
	return mem[i].UsedPct, t - mem[i].T
}

// MemoryTrend is how sgm's real memory use moved in the TrendWindow before
// t: the first sample in the window, the last before t, and the seconds
// between the first and t.
func (r *Report) MemoryTrend(sgm decode.SGM, t int64) (from, to float64, since int64, ok bool) {
	s := r.series[sgm]
	if s == nil {
		return 0, 0, 0, false
	}
	j, _ := slices.BinarySearchFunc(s.mem, t+1, func(m parse.CPViewMemory, x int64) int { return cmp.Compare(m.T, x) })
	if j == 0 {
		return 0, 0, 0, false
	}
	from, since = trend(s.mem[:j], t)
	if math.IsNaN(from) || since <= 0 {
		return 0, 0, 0, false
	}
	return from, s.mem[j-1].UsedPct, since, true
}

// All are the events before the filters.
func (r *Report) All() []Event { return r.all }

// firstFailover is the time of the first failover, else of the first
// state change to ACTIVE.
func (r *Report) firstFailover() *int64 {
	var best *int64
	for _, k := range []string{KindFailover, KindStateChange} {
		for _, e := range r.Events {
			if e.Kind == k && (k == KindFailover || strings.HasPrefix(e.To, "ACTIVE")) && (best == nil || e.T < *best) {
				t := e.T
				best = &t
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// panicEvents dates the panic lines by their syslog stamps, whose year is
// the CPView samples' [assumed], and groups each SGM's lines.
func (t *Timeline) panicEvents(r *Report) {
	ref, haveRef := t.refTime()
	undated := map[string]bool{}
	type dated struct {
		p  panicLine
		ts int64
	}
	var ds []dated
	for _, p := range t.panics {
		if p.ok && haveRef {
			ds = append(ds, dated{p, nearYear(p, ref)})
			continue
		}
		key := p.sgm.String()
		if !undated[key] {
			undated[key] = true
			why := "no syslog stamp"
			if p.ok {
				why = "a syslog stamp without a year, and no CPView sample to give one"
			}
			r.Undated = append(r.Undated, Undated{SGM: sgmName(p.sgm), Kind: KindPanic, Reason: p.text + " (" + why + ")", Source: p.pos})
		}
	}
	if len(ds) == 0 {
		return
	}
	r.Notes = append(r.Notes, "syslog stamps carry no year or zone: the year of the CPView samples and UTC are assumed")
	slices.SortStableFunc(ds, func(a, b dated) int {
		return cmp.Or(cmp.Compare(a.p.sgm.String(), b.p.sgm.String()), cmp.Compare(a.ts, b.ts))
	})
	for i := 0; i < len(ds); {
		j := i + 1
		for j < len(ds) && ds[j].p.sgm == ds[i].p.sgm && ds[j].ts-ds[j-1].ts <= panicGap {
			j++
		}
		reason := ds[i].p.text
		for _, d := range ds[i:j] {
			if strings.Contains(d.p.text, "Kernel panic") {
				reason = d.p.text
				break
			}
		}
		if k := strings.Index(reason, "kernel: "); k >= 0 {
			reason = reason[k+len("kernel: "):]
		}
		r.Events = append(r.Events, Event{T: ds[i].ts, Time: stamp(ds[i].ts), SGM: sgmName(ds[i].p.sgm), Kind: KindPanic,
			Reason: reason, Source: ds[i].p.pos, Detail: fmt.Sprintf("%d trace %s", j-i, plural(j-i, "line")),
			Assumed: "syslog stamp, year of the CPView samples, UTC"})
		i = j
	}
}

// refTime is the middle of the CPView samples, for the year of syslog
// stamps.
func (t *Timeline) refTime() (time.Time, bool) {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, d := range t.dbs {
		for _, s := range d.c.HA {
			lo, hi = min(lo, s.T), max(hi, s.T)
		}
		for _, s := range d.c.Memory {
			lo, hi = min(lo, s.T), max(hi, s.T)
		}
	}
	if lo > hi {
		return time.Time{}, false
	}
	return time.Unix(lo/2+hi/2, 0).UTC(), true
}

// nearYear dates p in the year, of ref's and the two beside it, that puts
// it closest to ref.
func nearYear(p panicLine, ref time.Time) int64 {
	best, dist := int64(0), int64(math.MaxInt64)
	for y := ref.Year() - 1; y <= ref.Year()+1; y++ {
		ts := time.Date(y, p.month, p.day, 0, 0, p.sec, 0, time.UTC).Unix()
		if d := abs(ts - ref.Unix()); d < dist {
			best, dist = ts, d
		}
	}
	return best
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// stateEvents lists the DOWN rows of asg stat, undated.
func (t *Timeline) stateEvents(r *Report) {
	seen := map[decode.SGM]bool{}
	for _, s := range t.states {
		if seen[s.sgm] {
			continue
		}
		seen[s.sgm] = true
		r.Undated = append(r.Undated, Undated{SGM: sgmName(s.sgm), Kind: KindSGMDown, Reason: "asg stat shows it " + s.state, Source: s.pos})
	}
}

// captureEvents places the capture's switchover and REFRESH waves.
func (t *Timeline) captureEvents(r *Report) {
	c := t.capture
	if c == nil || (c.Switchover == nil && len(c.Waves) == 0) {
		return
	}
	src := Source{Input: c.Input, Kind: "kdebug", Missing: []string{}, Notes: []string{}, Samples: len(c.Waves)}
	var place func(float64) int64
	assumed := ""
	switch {
	case c.Start != nil && *c.Start >= epochMin:
		src.Clock = "UTC (the capture's @;N; stamps are epoch time)"
		place = func(x float64) int64 { return int64(math.Round(x)) }
	case c.Switchover != nil && r.T0 != nil:
		off := float64(*r.T0) - *c.Switchover
		src.Clock = fmt.Sprintf("the capture's own clock, placed by taking its switchover (%s at %.0f s) as the CPView switchover at %s", c.SwitchoverSource, *c.Switchover, stamp(*r.T0))
		assumed = "capture switchover taken as the CPView switchover"
		place = func(x float64) int64 { return int64(math.Round(x + off)) }
	default:
		src.Clock = "the capture's own clock: not placed (its stamps are not epoch time and no CPView switchover anchors them)"
		r.Sources = append(r.Sources, src)
		return
	}
	r.Sources = append(r.Sources, src)
	if c.Switchover != nil {
		ts := place(*c.Switchover)
		r.Events = append(r.Events, Event{T: ts, Time: stamp(ts), Kind: KindSwitchover, Reason: c.SwitchoverSource,
			Source: c.Input, Detail: fmt.Sprintf("at %.3f s on the capture's clock", *c.Switchover), Assumed: assumed})
	}
	for _, w := range c.Waves {
		ts := place(w.Start)
		d := fmt.Sprintf("%d messages, %d REFRESH", w.Messages, w.Refresh)
		switch {
		case c.Switchover != nil:
			d = fmt.Sprintf("T0%+.0f s: %s", w.Start-*c.Switchover, d)
		case r.T0 != nil && c.RefreshInterval > 0:
			// No switchover in the capture: the CPView one anchors the waves.
			off := float64(ts - *r.T0)
			if k := math.Round(off / c.RefreshInterval); k >= 0 && math.Abs(off-k*c.RefreshInterval) <= math.Max(2, 0.05*c.RefreshInterval) {
				kk := int(k)
				w.K = &kk
				d = fmt.Sprintf("T0%+.0f s: %s (T0 from CPView)", off, d)
			}
		}
		reason := "REFRESH burst"
		if w.K != nil {
			reason = fmt.Sprintf("REFRESH wave %d after the switchover", *w.K)
		}
		at := w.At
		if at == "" {
			at = c.Input
		}
		r.Events = append(r.Events, Event{T: ts, Time: stamp(ts), Kind: KindWave, Reason: reason, Source: at, Detail: d, Assumed: assumed})
	}
}

func uptime(s int64) string {
	d, h, m, sec := s/86400, s%86400/3600, s%3600/60, s%60
	if d > 0 {
		return fmt.Sprintf("up %d days, %02d:%02d:%02d", d, h, m, sec)
	}
	return fmt.Sprintf("up %02d:%02d:%02d", h, m, sec)
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "?"
	}
	return fmt.Sprintf("%.0f%%", x)
}

// hours renders a span of seconds: "2 h", "45 min".
func hours(s int64) string {
	if h := (s + 1800) / 3600; h > 0 && abs(s-h*3600) < 300 || s >= 3*3600 {
		return fmt.Sprintf("%d h", h)
	}
	if s >= 3600 {
		return fmt.Sprintf("%.1f h", float64(s)/3600)
	}
	return fmt.Sprintf("%d min", (s+30)/60)
}

// Hours renders a span of seconds as the story does ("2 h").
func Hours(s int64) string { return hours(s) }

// Pct renders a percentage as the story does ("42%").
func Pct(x float64) string { return pct(x) }

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
