package storms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// stormsOf runs the storm builder over in-memory inputs named name.
func stormsOf(t *testing.T, opt Options, inputs ...string) *Report {
	t.Helper()
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	b := New(f, opt)
	for i, in := range inputs {
		if err := f.ReadString(fmt.Sprintf("in%d", i+1), in); err != nil {
			t.Fatal(err)
		}
	}
	r := b.Report()
	total := int64(0)
	for _, m := range []map[string]int64{r.Inputs.Recognized, r.Inputs.Ignored, r.Inputs.Rejected} {
		for _, n := range m {
			total += n
		}
	}
	if total != r.Lines {
		t.Errorf("accounting: %d lines, %d accounted for", r.Lines, total)
	}
	return r
}

func simCapture(t *testing.T, cfg sim.Config) (string, sim.Truth) {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteKdebug(&b); err != nil {
		t.Fatal(err)
	}
	return b.String(), s.Truth()
}

// TestStormsSimulated: the REFRESH waves the simulator put at T0 + k x 512 s
// are found at the right times with the right sizes.
func TestStormsSimulated(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  func(*sim.Config)
	}{
		{"default", func(*sim.Config) {}},
		{"bigger, 4 waves, site down", func(c *sim.Config) { c.Conns, c.Waves, c.After, c.Seed = 1500, 4, sim.StateDown, 11 }},
		{"other interval", func(c *sim.Config) { c.RefreshInterval, c.SwitchoverAt, c.Seed = 300, 250, 4 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sim.DefaultConfig()
			tt.cfg(&cfg)
			capture, tr := simCapture(t, cfg)
			opt := DefaultOptions()
			opt.RefreshInterval = float64(cfg.RefreshInterval)
			r := stormsOf(t, opt, capture)
			if !r.Clock || r.Lines != tr.Kdebug.Lines {
				t.Errorf("clock %v, lines %d (truth %d)", r.Clock, r.Lines, tr.Kdebug.Lines)
			}
			if !maps.Equal(r.MessagesByOp, tr.Kdebug.MessagesByOp) {
				t.Errorf("messages_by_op = %v, truth %v", r.MessagesByOp, tr.Kdebug.MessagesByOp)
			}
			if len(r.Bursts) != len(tr.Kdebug.RefreshWaves) {
				t.Fatalf("%d bursts %+v, truth %d waves %+v", len(r.Bursts), r.Bursts, len(tr.Kdebug.RefreshWaves), tr.Kdebug.RefreshWaves)
			}
			for i, w := range tr.Kdebug.RefreshWaves {
				b := r.Bursts[i]
				if b.Start != float64(w.StartS) || b.Refresh != w.Messages || b.Wave == nil || *b.Wave != i {
					t.Errorf("burst %d = start %g refresh %d wave %v; truth wave at %d s with %d messages", i, b.Start, b.Refresh, b.Wave, w.StartS, w.Messages)
				}
			}
			if r.Period == nil || *r.Period != float64(cfg.RefreshInterval) {
				t.Errorf("period = %v, want %d", r.Period, cfg.RefreshInterval)
			}
			if r.Switchover == nil || r.Switchover.T == nil || *r.Switchover.T != float64(cfg.SwitchoverAt) {
				t.Errorf("switchover = %+v, want %d s", r.Switchover, cfg.SwitchoverAt)
			}
			if r.Peak == nil || r.Peak.T != float64(cfg.SwitchoverAt) {
				t.Errorf("peak = %+v, want at the switchover", r.Peak)
			}
		})
	}
}

var stampRe = regexp.MustCompile(`(?m)^@;[0-9.]+;`)

func TestStormsNoClock(t *testing.T) {
	capture, tr := simCapture(t, sim.DefaultConfig())
	r := stormsOf(t, DefaultOptions(), stampRe.ReplaceAllString(capture, ""))
	if r.Clock || r.Peak != nil || r.Period != nil || len(r.Bursts) != 0 {
		t.Errorf("no clock: clock %v peak %v period %v bursts %d", r.Clock, r.Peak, r.Period, len(r.Bursts))
	}
	if !maps.Equal(r.MessagesByOp, tr.Kdebug.MessagesByOp) {
		t.Errorf("messages_by_op = %v, truth %v", r.MessagesByOp, tr.Kdebug.MessagesByOp)
	}
	if !strings.Contains(r.ClockNote, "no timestamps") || !strings.Contains(findingText(r.Findings), "take it with `fw ctl kdebug -T`") {
		t.Errorf("clock note %q, findings %+v", r.ClockNote, r.Findings)
	}
	var placed int64
	for _, p := range r.Timeline {
		placed += p.Messages
	}
	if placed != r.Messages {
		t.Errorf("line-order timeline holds %d of %d messages", placed, r.Messages)
	}
}

// TestStormsMixedAndMalformed: prefixes vary, some lines lack stamps, some
// are damaged; everything is counted and said.
func TestStormsMixedAndMalformed(t *testing.T) {
	const set = `SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(14)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800> sync_mask=[0x0001800e] ttl=0;`
	in := "" +
		";[cpu_3];[fw4_0];" + set + "\n" + // before any stamp: counted, not placed
		"@;1000000;[vs_0];[tid_7];[fw4_7];" + set + "\n" +
		"[vs_0];[tid_7];[fw4_7];" + strings.Replace(set, "SET", "REFRESH", 1) + "\n" + // carried to 1 s
		"@;882640557.8263;[vs_0];[tid_1];[fw4_1];" + strings.Replace(set, "SET", "DELETE", 1) + "\n" +
		"@;2000000;[fw4_7];" + strings.Replace(set, "vals(14)", "vals(34)", 1) + "\n" + // wrong count
		"@;2000000;[fw4_7];SET: connections (8158) keys(6)=<0,zz,1,2,3,6>;\n" + // non-hex
		"hello\n"
	opt := DefaultOptions()
	r := stormsOf(t, opt, in)
	if r.Messages != 4 || r.MessagesByOp["SET"] != 2 || r.MessagesByOp["REFRESH"] != 1 || r.MessagesByOp["DELETE"] != 1 {
		t.Errorf("messages %d by op %v", r.Messages, r.MessagesByOp)
	}
	if !strings.Contains(r.ClockNote, "1 messages without a stamp were placed at the previous one") ||
		!strings.Contains(r.ClockNote, "1 messages before the first stamp of their input are counted but not placed") {
		t.Errorf("clock note = %q", r.ClockNote)
	}
	want := map[string]int64{"wrong value count": 1, "non-hex word": 1}
	if !maps.Equal(r.Inputs.Rejected, want) {
		t.Errorf("rejected = %v, want %v", r.Inputs.Rejected, want)
	}
	if len(r.Inputs.RejectedExamples) != 2 || !strings.HasPrefix(r.Inputs.RejectedExamples[0], "in1:5: vals(34) announced, 14 words found") {
		t.Errorf("examples = %q", r.Inputs.RejectedExamples)
	}
	// "hello" is no format's line, not a damaged one: ignored, by shape.
	if r.Inputs.Ignored["unrecognized"] != 1 || fmt.Sprint(r.Inputs.UnrecognizedShapes) != "[{hello 1 in1:7}]" {
		t.Errorf("ignored = %v, shapes = %v", r.Inputs.Ignored, r.Inputs.UnrecognizedShapes)
	}
}

func TestSyncstatShapes(t *testing.T) {
	for _, tt := range []struct {
		file, status string
		sent, total  string
		queue        int64
	}{
		{"syncstat-r80.20.txt", "OK", "Total generated sync messages", "12316", 512},
		{"syncstat-r81.10.txt", "OK", "Total generated sync messages", "26079", 512},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data := readTestdata(t, tt.file)
			r := stormsOf(t, DefaultOptions(), data)
			if len(r.Syncstat) != 1 {
				t.Fatalf("%d snapshots", len(r.Syncstat))
			}
			s := r.Syncstat[0]
			if s.Status != tt.status || s.Counters[tt.sent] != tt.total || s.LostUpdates == nil || *s.LostUpdates != 0 ||
				s.SendingQueueSize == nil || *s.SendingQueueSize != tt.queue || s.ReceivedRejectNotifications == nil {
				t.Errorf("snapshot = %+v", s)
			}
			if len(r.Findings) != 0 {
				t.Errorf("healthy sync gave findings %+v", r.Findings)
			}
		})
	}
	r81 := stormsOf(t, DefaultOptions(), readTestdata(t, "syncstat-r81.10.txt")).Syncstat[0]
	if r81.Counters["Rate"] != "46000 [Bps]" || r81.Counters["Total"] != "376827[KB]" || r81.Counters["Link usage"] != "0%" {
		t.Errorf("units not kept: %v", r81.Counters)
	}
	// The R81.10 page ends in a cut line ("Rec"): no counter is guessed
	// from it; it is counted, by shape, as a line no format recognizes.
	if rr := stormsOf(t, DefaultOptions(), readTestdata(t, "syncstat-r81.10.txt")); rr.Inputs.Ignored["unrecognized"] != 1 ||
		len(rr.Inputs.UnrecognizedShapes) != 1 || rr.Inputs.UnrecognizedShapes[0].Shape != "Rec" || len(rr.Inputs.Rejected) != 0 {
		t.Errorf("ignored = %v, shapes = %v, rejected = %v", rr.Inputs.Ignored, rr.Inputs.UnrecognizedShapes, rr.Inputs.Rejected)
	}
}

func TestSyncstatLostAndAdvice(t *testing.T) {
	r := stormsOf(t, DefaultOptions(), readTestdata(t, "syncstat-lost.txt"))
	if len(r.Syncstat) != 3 {
		t.Fatalf("%d snapshots", len(r.Syncstat))
	}
	if r.Syncstat[0].SGM != "1_01" || r.Syncstat[2].SGM != "2_01" || r.Syncstat[2].Status != "Off - Full sync failure" {
		t.Errorf("snapshots %+v", r.Syncstat)
	}
	if len(r.SyncstatDeltas) != 1 {
		t.Fatalf("deltas = %+v", r.SyncstatDeltas)
	}
	d := r.SyncstatDeltas[0]
	if d.SGM != "1_01" || d.Changes["Lost updates"] != 240 || d.Changes["Received reject notifications"] != 27 || len(d.Changes) != 2 {
		t.Errorf("delta = %+v", d)
	}
	f := findingText(r.Findings)
	for _, want := range []string{
		"SYNC_OFF [2_01]: Sync is Off - Full sync failure",
		// Rising from two snapshots of 1_01 (4, then 31).
		"LOST_UPDATES [1_01]: 1_01 lost 250 sync updates; Received reject notifications are rising between snapshots, so the vendor's advice is to enlarge the Sending queue, now 512",
		// One snapshot of 2_01, its counter at 0: not rising.
		"LOST_UPDATES [2_01]: 2_01 lost 7 sync updates; Received reject notifications are 0, so the vendor's advice is to enlarge the Receiving queue, now 256",
	} {
		if !strings.Contains(f, want) {
			t.Errorf("findings lack %q:\n%s", want, f)
		}
	}
	// The forecast takes the tightest sending queue the snapshots show.
	if r.Forecast.SendingQueue != 512 || r.Forecast.SyncIntervalMs != 100 {
		t.Errorf("forecast = %+v", r.Forecast)
	}
}

func TestStormsForecastOverflow(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Conns = 1500
	capture, _ := simCapture(t, cfg)
	opt := DefaultOptions()
	opt.SendingQueue, opt.SyncIntervalMs, opt.SendingQueueGiven = 10, 100, true
	r := stormsOf(t, opt, capture)
	f := r.Forecast
	// Wave of REFRESH over 1 s through a queue of 10 drained every 100 ms:
	// capacity 100, the rest is at risk.
	if f.Capacity != 100 || !f.Overflow || f.AtRisk != f.WaveMessages-100 || f.WaveMessages != r.Bursts[1].Refresh {
		t.Errorf("forecast = %+v", f)
	}
	if !f.Evidenced || !strings.Contains(findingText(r.Findings), "overflows the sending queue") {
		t.Errorf("findings = %+v", r.Findings)
	}
	// The same queue, not given but assumed: an estimate in the report,
	// never a finding.
	opt.SendingQueueGiven = false
	r = stormsOf(t, opt, capture)
	if !r.Forecast.Overflow || r.Forecast.Evidenced || !strings.Contains(r.Forecast.Note, "not a finding") || strings.Contains(findingText(r.Findings), "overflow") {
		t.Errorf("assumed queue: forecast %+v, findings %+v", r.Forecast, r.Findings)
	}
}

// TestSyncstatRising: rising needs two snapshots of the same SGM; one
// non-zero snapshot says what to look at, not which queue.
func TestSyncstatRising(t *testing.T) {
	one := "1_01:\nDelta Sync Statistics\nSync status: OK\nDrops:\nLost updates................................. 5\nReceived reject notifications................ 9\n"
	r := stormsOf(t, DefaultOptions(), one)
	f := findingText(r.Findings)
	if strings.Contains(f, "rising between") || !strings.Contains(f, "are 9 in this one snapshot") {
		t.Errorf("one snapshot: %s", f)
	}
	two := one + strings.Replace(one, " 9\n", " 12\n", 1)
	if f := findingText(stormsOf(t, DefaultOptions(), two).Findings); !strings.Contains(f, "rising between snapshots, so the vendor's advice is to enlarge the Sending queue") {
		t.Errorf("two snapshots: %s", f)
	}
	same := one + one
	if f := findingText(stormsOf(t, DefaultOptions(), same).Findings); !strings.Contains(f, "not rising between snapshots, so the vendor's advice is to enlarge the Receiving queue") {
		t.Errorf("two equal snapshots: %s", f)
	}
}

func TestStormsJSONContract(t *testing.T) {
	capture, _ := simCapture(t, sim.DefaultConfig())
	var b1, b2 bytes.Buffer
	for _, b := range []*bytes.Buffer{&b1, &b2} {
		if err := report.WriteJSON(b, stormsOf(t, DefaultOptions(), capture, readTestdata(t, "syncstat-lost.txt"))); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("two runs differ")
	}
	var m map[string]any
	if err := json.Unmarshal(b1.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"lines", "messages_by_op", "clock", "peak", "bursts", "period", "syncstat"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	burst := m["bursts"].([]any)[0].(map[string]any)
	for _, k := range []string{"start", "duration", "messages", "refresh"} {
		if _, ok := burst[k]; !ok {
			t.Errorf("burst lacks %q", k)
		}
	}
	ss := m["syncstat"].([]any)[0].(map[string]any)
	for _, k := range []string{"source", "sgm", "lost_updates", "sent_reject_notifications", "received_reject_notifications", "sending_queue_size"} {
		if _, ok := ss[k]; !ok {
			t.Errorf("syncstat lacks %q", k)
		}
	}
}

func TestChart(t *testing.T) {
	capture, _ := simCapture(t, sim.DefaultConfig())
	c := Chart(stormsOf(t, DefaultOptions(), capture), report.NewPalette(false))
	if strings.Count(c, "#") < 3 || !strings.Contains(c, "messages/s") || strings.Contains(c, "\x1b") {
		t.Errorf("chart:\n%s", c)
	}
	if Chart(&Report{}, report.NewPalette(false)) != "" {
		t.Error("empty report draws a chart")
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// findingText joins the findings' messages.
func findingText(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %v: %s\n", f.Code, f.SGMs, f.Message)
	}
	return b.String()
}

// TestSyncstatCounterOver63: a counter of 2^63 or more is reported as
// such, never as null or as a wrapped number.
func TestSyncstatCounterOver63(t *testing.T) {
	in := "1_01:\nDelta Sync Statistics\nSync status: OK\nDrops:\nLost updates................................. 18446744073709551617\n"
	r := stormsOf(t, DefaultOptions(), in)
	if len(r.Syncstat) != 1 || r.Syncstat[0].LostUpdates != nil || fmt.Sprint(r.Syncstat[0].Over) != "[Lost updates]" || r.Syncstat[0].Counters["Lost updates"] != "18446744073709551617" {
		t.Fatalf("snapshot %+v", r.Syncstat)
	}
	if f := findingText(r.Findings); !strings.Contains(f, "LOST_UPDATES [1_01]: 1_01 lost more than 2^63 sync updates: the counter reads \"18446744073709551617\"") {
		t.Errorf("findings: %s", f)
	}
}
