package triage

import (
	"fmt"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/report/timeline"
)

// CodeFailover is the finding of a failover the CPView history shows.
const CodeFailover = "FAILOVER"

// AtRiskWindow is how long after a failover connections stay at risk, in
// seconds: until their timers, not refreshed across the failover, run
// out; the default TCP timeout is 3600 s, and the drops the seed article
// describes come 1 to 2 hours after [assumed: the connections' own
// timeouts are not read].
const AtRiskWindow = 2 * 3600

// CaptureOf is what the storm report found in the kernel debug, for the
// timeline: the switchover and the REFRESH bursts, on the capture's clock.
func CaptureOf(sr *storms.Report) *timeline.Capture {
	if sr == nil || !sr.Clock {
		return nil
	}
	c := &timeline.Capture{Start: sr.Start, RefreshInterval: sr.RefreshInterval}
	if sr.Switchover != nil && sr.Switchover.T != nil {
		c.Switchover, c.SwitchoverSource = sr.Switchover.T, sr.Switchover.Source
	}
	for _, b := range sr.Bursts {
		if b.Refresh == 0 {
			continue
		}
		c.Waves = append(c.Waves, timeline.Wave{Start: b.Start, K: b.Wave, Messages: b.Messages, Refresh: b.Refresh, At: b.At})
		if c.Input == "" && b.At != "" {
			c.Input = b.At[:max(0, strings.LastIndexByte(b.At, ':'))]
		}
	}
	if c.Input == "" {
		c.Input = "kernel debug"
	}
	return c
}

// timelineFindings are the FAILOVER finding, and what the timeline adds to
// the KERNEL_PANIC findings in out: when the SGM rebooted and how its
// memory use moved before.
func (t *Triage) timelineFindings(tl *timeline.Report, out []Finding) []Finding {
	for i := range out {
		if out[i].Code != CodeKernelPanic || len(out[i].SGMs) != 1 {
			continue
		}
		if note := panicNote(tl, out[i].SGMs[0]); note != "" {
			out[i].Message += " " + note // the evidence stays the panic lines
		}
	}
	var fails []timeline.Event
	for _, e := range tl.All() {
		if e.Kind == timeline.KindFailover && tl.T0 != nil && e.T-*tl.T0 <= 180 {
			fails = append(fails, e)
		}
	}
	if len(fails) == 0 {
		return out
	}
	f0 := fails[0]
	var sgms, ev []string
	for _, e := range fails {
		if e.SGM != nil {
			sgms = append(sgms, *e.SGM)
		}
		ev = append(ev, e.Source)
	}
	end := f0.T + AtRiskWindow
	msg := fmt.Sprintf("A failover at %s (CPView, the first sample that shows it: samples are about a minute apart): %s took over (failover #%d",
		clockOf(f0.T), joinAnd(sgms), counter(f0))
	if f0.Reason != "" {
		msg += ": " + f0.Reason
	}
	if f0.From != "" {
		msg += ", from " + f0.From
	}
	msg += fmt.Sprintf("). Connections synced before it are at risk until their timers run out, up to %s (T0 + %d s: the default TCP timeout is 3600 s and the drops reported come 1 to 2 hours after a failover; the connections' own timeouts are assumed, not read).",
		clockOf(end), AtRiskWindow)
	for _, e := range tl.All() {
		if e.Kind == timeline.KindWave && e.T >= f0.T-60 {
			msg += " REFRESH waves follow it in the kernel debug (see the timeline)."
			break
		}
	}
	return append(out, Finding{Code: CodeFailover, Severity: Medium, SGMs: sgms, Message: msg, Evidence: ev,
		Numbers: map[string]int64{"t0": f0.T, "at_risk_until": end, "failover_counter": counter(f0)}}.Clean())
}

// panicNote says when sgm rebooted after its panic and how its memory use
// moved in the hours before, from the timeline.
func panicNote(tl *timeline.Report, sgm string) string {
	s, err := decode.ParseSGM(sgm)
	if err != nil {
		return ""
	}
	var at *timeline.Event
	var parts []string
	for _, e := range tl.All() {
		if e.SGM == nil || *e.SGM != sgm {
			continue
		}
		if e.Kind == timeline.KindPanic && at == nil {
			e := e
			at = &e
		}
	}
	for _, e := range tl.All() {
		if e.SGM != nil && *e.SGM == sgm && e.Kind == timeline.KindReboot && (at == nil || e.T >= at.T-120) {
			parts = append(parts, fmt.Sprintf("It rebooted: CPView's uptime dropped by the sample at %s (%s).", clockOf(e.T), e.Detail))
			if at == nil {
				e := e
				at = &e
			}
			break
		}
	}
	if at != nil {
		if from, to, since, ok := tl.MemoryTrend(s, at.T); ok {
			what := "panic"
			if at.Kind == timeline.KindReboot {
				what = "reboot"
			}
			verb := "rose"
			if to < from {
				verb = "fell"
			} else if to == from {
				verb = "stayed"
			}
			parts = append(parts, fmt.Sprintf("Real memory used %s from %s to %s in the %s before the %s (CPView).", verb, timeline.Pct(from), timeline.Pct(to), timeline.Hours(since), what))
		}
	}
	return strings.Join(parts, " ")
}

func counter(e timeline.Event) int64 {
	if e.Counter == nil {
		return 0
	}
	return *e.Counter
}

func clockOf(t int64) string { return time.Unix(t, 0).UTC().Format("15:04:05 on 2006-01-02 UTC") }

func joinAnd(ws []string) string {
	if len(ws) <= 1 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}
