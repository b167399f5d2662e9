package timeline

import (
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

const base = 1759190400 // 2025-09-30T00:00:00Z

// history is 60 one-minute samples of one SGM: STANDBY then ACTIVE at
// minute 30 with the counter 3 -> 4, the counter reset to 0 at minute 50
// (a reboot: uptime drops), memory from 40% rising 1% a minute.
func history() *parse.CPView {
	c := &parse.CPView{Name: "db", Clock: "UTC"}
	for i := int64(0); i < 60; i++ {
		t := base + 60*i
		h := parse.CPViewHA{T: t, State: "STANDBY", HasState: true, Failovers: 3, HasFailovers: true}
		up := 100000 + 60*i
		if i >= 30 {
			h.State, h.Failovers, h.Reason, h.From = "ACTIVE", 4, "Remote site went down", "1_01"
		}
		if i >= 50 {
			h.Failovers, up = 0, 60*(i-50)+30
		}
		c.HA = append(c.HA, h)
		c.System = append(c.System, parse.CPViewSystem{T: t, Uptime: up})
		c.Memory = append(c.Memory, parse.CPViewMemory{T: t, UsedPct: 40 + float64(i)})
	}
	return c
}

func build(t *testing.T, opt Options, items ...report.CPViewItem) *Report {
	t.Helper()
	f := report.NewFeed(report.Context{}, report.FeedOptions{})
	tl := New(f)
	for i := range items {
		tl.AddCPView(&items[i])
	}
	return tl.Report(opt)
}

func kinds(evs []Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind+"@"+stamp(e.T)[11:16])
	}
	return strings.Join(out, " ")
}

func TestCPViewEvents(t *testing.T) {
	s := decode.SGM{Site: 2, Member: 1}
	r := build(t, Options{}, report.CPViewItem{DB: history(), SGMs: []decode.SGM{s}})
	want := "state_change@00:30 failover@00:30 reboot@00:50 memory_high@00:50"
	if got := kinds(r.Events); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	f := r.Events[1]
	if f.From != "1_01" || f.To != "2_01" || f.Reason != "Remote site went down" || *f.Counter != 4 || *f.SGM != "2_01" {
		t.Errorf("failover %+v", f)
	}
	if r.T0 == nil || *r.T0 != base+1800 {
		t.Errorf("T0 %v", r.T0)
	}
	m := r.Events[3]
	if m.From != "40%" || m.To != "90%" || !strings.Contains(m.Detail, "in the 50 min before") {
		t.Errorf("memory %+v", m)
	}
	if from, to, since, ok := r.MemoryTrend(s, base+60*59); !ok || from != 40 || to != 99 || since != 3540 {
		t.Errorf("trend %v %v %v %v", from, to, since, ok)
	}
	if !strings.Contains(r.Story, "2_01 took over (failover #4: Remote site went down, from 1_01)") {
		t.Errorf("story %s", r.Story)
	}
	// Filters.
	from, to := int64(base+1800), int64(base+1800)
	if r := build(t, Options{From: &from, To: &to}, report.CPViewItem{DB: history(), SGMs: []decode.SGM{s}}); kinds(r.Events) != "state_change@00:30 failover@00:30" {
		t.Errorf("range: %s", kinds(r.Events))
	}
	if r := build(t, Options{SGM: decode.SGM{Site: 1, Member: 1}}, report.CPViewItem{DB: history(), SGMs: []decode.SGM{s}}); len(r.Events) != 0 {
		t.Errorf("other SGM: %s", kinds(r.Events))
	}
}

func TestNoSGMNoEvents(t *testing.T) {
	r := build(t, Options{}, report.CPViewItem{DB: &parse.CPView{Name: "empty", Missing: []string{"table cxl_cxl_stats"}}})
	if len(r.Events) != 0 || !strings.HasPrefix(r.Story, "No event") {
		t.Errorf("%v %q", r.Events, r.Story)
	}
	if len(r.Sources) != 1 || r.Sources[0].SGM != nil || r.Sources[0].Missing[0] != "table cxl_cxl_stats" || len(r.Sources[0].Notes) == 0 {
		t.Errorf("source %+v", r.Sources)
	}
}

func TestCapturePlacement(t *testing.T) {
	s := decode.SGM{Site: 2, Member: 1}
	sw, k := 100.0, 1
	c := &Capture{Switchover: &sw, SwitchoverSource: "sync_mask change", Input: "cap", Waves: []Wave{{Start: 612, K: &k, Refresh: 5}}}
	// Relative stamps: anchored on the CPView T0.
	f := report.NewFeed(report.Context{}, report.FeedOptions{})
	tl := New(f)
	tl.AddCPView(&report.CPViewItem{DB: history(), SGMs: []decode.SGM{s}})
	tl.SetCapture(c)
	r := tl.Report(Options{})
	var wave *Event
	for i := range r.Events {
		if r.Events[i].Kind == KindWave {
			wave = &r.Events[i]
		}
	}
	if wave == nil || wave.T != base+1800+512 || wave.Assumed == "" || !strings.HasPrefix(wave.Detail, "T0+512 s") {
		t.Errorf("wave %+v", wave)
	}
	// Relative stamps, no CPView: not placed, and said so.
	f = report.NewFeed(report.Context{}, report.FeedOptions{})
	tl = New(f)
	tl.SetCapture(c)
	r = tl.Report(Options{})
	if len(r.Events) != 0 || len(r.Sources) != 1 || !strings.Contains(r.Sources[0].Clock, "not placed") {
		t.Errorf("unanchored: %v %+v", r.Events, r.Sources)
	}
	// Epoch stamps: as they are.
	start, esw := float64(base), float64(base+90)
	f = report.NewFeed(report.Context{}, report.FeedOptions{})
	tl = New(f)
	tl.SetCapture(&Capture{Start: &start, Switchover: &esw, Input: "cap"})
	if r = tl.Report(Options{}); len(r.Events) != 1 || r.Events[0].T != base+90 || r.Events[0].Assumed != "" {
		t.Errorf("epoch: %+v", r.Events)
	}
	// Epoch stamps, no switchover in the capture: the CPView T0 numbers
	// the waves.
	f = report.NewFeed(report.Context{}, report.FeedOptions{})
	tl = New(f)
	tl.AddCPView(&report.CPViewItem{DB: history(), SGMs: []decode.SGM{s}})
	tl.SetCapture(&Capture{Start: &start, Input: "cap", RefreshInterval: 512,
		Waves: []Wave{{Start: float64(base + 1800 + 1024 + 1)}, {Start: float64(base + 1800 + 700)}}})
	r = tl.Report(Options{})
	var got []string
	for _, e := range r.Events {
		if e.Kind == KindWave {
			got = append(got, e.Reason+": "+e.Detail)
		}
	}
	if strings.Join(got, "; ") != "REFRESH burst: 0 messages, 0 REFRESH; REFRESH wave 2 after the switchover: T0+1025 s: 0 messages, 0 REFRESH (T0 from CPView)" {
		t.Errorf("anchored waves: %q", got)
	}
}

func TestPanicYear(t *testing.T) {
	s := decode.SGM{Site: 1, Member: 3}
	f := report.NewFeed(report.Context{}, report.FeedOptions{})
	tl := New(f)
	tl.AddCPView(&report.CPViewItem{DB: history(), SGMs: []decode.SGM{s}})
	if err := f.Read(parse.Source{Name: "1_03/messages", SGM: s, Rule: parse.RuleFileName}, parse.NewReader(strings.NewReader(
		"Sep 30 00:20:05 gw kernel: Oops: 0000 [#1] SMP\nSep 30 00:20:05 gw kernel: Kernel panic - not syncing: Fatal exception\n"), "1_03/messages")); err != nil {
		t.Fatal(err)
	}
	r := tl.Report(Options{})
	var p *Event
	for i := range r.Events {
		if r.Events[i].Kind == KindPanic {
			p = &r.Events[i]
		}
	}
	if p == nil || p.T != base+1205 || p.Reason != "Kernel panic - not syncing: Fatal exception" || p.Source != "1_03/messages:1" {
		t.Fatalf("panic %+v", p)
	}
	// Without CPView, no year: undated.
	f = report.NewFeed(report.Context{}, report.FeedOptions{})
	tl = New(f)
	_ = f.ReadString("m", "Sep 30 00:20:05 gw kernel: Kernel panic - not syncing\n")
	if r := tl.Report(Options{}); len(r.Events) != 0 || len(r.Undated) != 1 {
		t.Errorf("no year: %+v %+v", r.Events, r.Undated)
	}
}
