package owners

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
	"github.com/maestro-analyze/maestro-analyze/samples/sim/simtest"
)

// ownersOf runs the owners builder over paths, as the command does.
func ownersOf(t *testing.T, sites string, args ...string) *Report {
	t.Helper()
	st, err := decode.ParseSiteStates(sites, decode.DefaultLayout)
	if err != nil {
		t.Fatal(err)
	}
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout, Sites: st}, report.FeedOptions{})
	b := New(f, 0, 0)
	skipped, err := f.Walk(args, nil, parse.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) > 0 {
		t.Fatalf("skipped inputs: %v", skipped)
	}
	return b.Report()
}

func riskKey(src string, sport int, dst string, dport, proto int) string {
	return fmt.Sprintf("%s:%d-%s:%d/%d", src, sport, dst, dport, proto)
}

// TestOwnersSimulated compares the audit with the simulator's truth for
// several scenarios, reading the per-SGM dumps, the g_all concatenation, or
// the whole folder.
func TestOwnersSimulated(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(*sim.Config)
		inputs func(dir string, tr sim.Truth) []string
		sites  string // "" = rely on correction lines in the capture
	}{
		{"per-SGM dumps, site 1 standby", func(*sim.Config) {}, perSGM, "1=standby,2=active"},
		{"g_all dump, site 1 down", func(c *sim.Config) { c.After = sim.StateDown; c.Seed = 3 }, gall, "1=down,2=active"},
		{"whole folder, states from correction lines", func(c *sim.Config) { c.Seed = 5; c.Conns = 400 }, folder, ""},
		{"14 SGMs per site, damaged lines", func(c *sim.Config) { c.Seed = 9; c.SGMsPerSite = 14; c.BadLines = 6; c.AtRiskPct = 25 }, perSGM, "1=standby,2=active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sim.DefaultConfig()
			tt.cfg(&cfg)
			dir, tr := simtest.Dir(t, cfg)
			r := ownersOf(t, tt.sites, tt.inputs(dir, tr)...)
			if r.Connections != tr.Connections {
				t.Errorf("connections = %d, truth %d", r.Connections, tr.Connections)
			}
			if !maps.Equal(r.OwnersBySGM, tr.OwnersBySGM) {
				t.Errorf("owners_by_sgm = %v\ntruth %v", r.OwnersBySGM, tr.OwnersBySGM)
			}
			if r.OwnerUnknown != tr.OwnerUnknown {
				t.Errorf("owner_unknown = %d, truth %d", r.OwnerUnknown, tr.OwnerUnknown)
			}
			if r.OffActiveSite != tr.OffActiveSite {
				t.Errorf("off_active_site = %d, truth %d (states %v from %s)", r.OffActiveSite, tr.OffActiveSite, r.SiteStates, r.SiteStatesSource)
			}
			for site, state := range tr.SiteStates {
				if r.SiteStates[site].State != strings.ToUpper(state) || r.SiteStates[site].Source == "" {
					t.Errorf("site %s state %q, truth %q (from %s)", site, r.SiteStates[site], state, r.SiteStatesSource)
				}
			}
			var got, want []string
			for _, c := range r.AtRisk {
				got = append(got, fmt.Sprintf("%s min %d@%s max %d", riskKey(c.Src, int(c.SPort), c.Dst, int(c.DPort), int(c.Proto)), c.MinRemaining, c.MinSGM, c.MaxRemaining))
			}
			for _, c := range tr.AtRisk {
				want = append(want, fmt.Sprintf("%s min %d@%s max %d", riskKey(c.Src, c.SPort, c.Dst, c.DPort, c.Proto), c.MinRemaining, c.MinSGM, c.MaxRemaining))
			}
			if !slices.Equal(got, want) {
				t.Errorf("at_risk differs\n got  %v\n want %v", got, want)
			}
			if len(want) == 0 {
				t.Error("scenario has no at-risk connection: the test would prove nothing")
			}
			// Damaged lines are counted with their positions, the rest still counts.
			var rejected int64
			for _, n := range r.Inputs.Rejected {
				rejected += n
			}
			if wantBad := badIn(tr, tt.inputs(dir, tr), dir); rejected < int64(wantBad) {
				t.Errorf("rejected %d lines, truth has %d damaged lines in the inputs", rejected, wantBad)
			}
		})
	}
}

func perSGM(dir string, tr sim.Truth) []string {
	var out []string
	for _, s := range tr.DumpSGMs {
		out = append(out, filepath.Join(dir, "sgm-"+s, sim.FileFwTab))
	}
	return out
}

func gall(dir string, _ sim.Truth) []string { return []string{filepath.Join(dir, "fwtab-all.txt")} }

func folder(dir string, _ sim.Truth) []string { return []string{dir} }

// badIn counts the truth's damaged lines that lie in the given inputs.
func badIn(tr sim.Truth, inputs []string, dir string) int {
	n := 0
	for _, b := range tr.BadLines {
		for _, in := range inputs {
			if rel, err := filepath.Rel(dir, in); err == nil && rel == b.File {
				n++
			}
		}
	}
	return n
}

func TestOwnersBadLinesPositions(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.BadLines = 4
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteFwTabAll(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fwtab-all.txt")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ownersOf(t, "1=standby,2=active", path)
	var want []int
	for _, b := range s.Truth().BadLines {
		if b.File == "fwtab-all.txt" {
			want = append(want, b.Line)
		}
	}
	var got []int
	for _, ex := range r.Inputs.RejectedExamples {
		var line int
		if _, err := fmt.Sscanf(strings.TrimPrefix(ex, path+":"), "%d", &line); err != nil {
			t.Fatalf("example %q lacks file:line", ex)
		}
		got = append(got, line)
	}
	if !slices.Equal(got, want) {
		t.Errorf("rejected at lines %v, truth %v (%v)", got, want, r.Inputs.RejectedExamples)
	}
	if r.Connections != s.Truth().Connections {
		t.Errorf("connections %d, truth %d: damaged lines must not stop the count", r.Connections, s.Truth().Connections)
	}
}

// TestOwnersSeedEntry: the seed's R81.20 entry is owned by 2_03; its link
// and the -f line of the same connection count once.
func TestOwnersSeedEntry(t *testing.T) {
	in := `1_01:
<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280, 80000000; 00000001 ; 3394/3618>
<00000001, ac103d02, 000000b3, ac103d42, 000047df, 00000006> -> <00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006> (00000005)
2_03:
04:18:08 5 N/A; Direction: 0; Source: 172.16.61.66; SPort: 18399; Dest: 172.16.61.2; DPort: 179; Protocol: tcp; Bits: 02008000000f9280; Expires: 100/3618;
`
	path := filepath.Join(t.TempDir(), "dump.txt")
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	r := ownersOf(t, "1=active,2=standby", path)
	if r.Connections != 1 || r.OwnersBySGM["2_03"] != 1 || r.OffActiveSite != 1 || r.HeldBySGM["1_01"] != 1 || r.HeldBySGM["2_03"] != 1 {
		t.Errorf("report = %+v", r)
	}
	// 2_03 expires it in 100 s (< 600) while 1_01 refreshed it 224 s ago
	// (3394 > 3618-600): at risk, first on 2_03.
	if len(r.AtRisk) != 1 || r.ExpirySkew != 1 {
		t.Fatalf("got %d at risk, skew %d", len(r.AtRisk), r.ExpirySkew)
	}
	if a := r.AtRisk[0]; a.MinSGM != "2_03" || a.MinRemaining != 100 || a.MaxSGM != "1_01" || a.MaxRemaining != 3394 || a.Src != "172.16.61.66" || a.Owner != "2_03" ||
		!strings.HasSuffix(a.At, "dump.txt:5") {
		t.Errorf("at risk = %+v", a)
	}
	var off *report.Finding
	for i := range r.Findings {
		if r.Findings[i].Code == CodeOffActive {
			off = &r.Findings[i]
		}
	}
	if off == nil || !strings.Contains(off.Message, "1 of 1 connections (100%) are owned by SGMs on site 2, which is STANDBY") ||
		off.Severity != report.High || fmt.Sprint(off.SGMs) != "[2_03]" || len(off.Evidence) != 1 || !strings.HasSuffix(off.Evidence[0], "dump.txt:5") {
		t.Errorf("findings = %+v", r.Findings)
	}
}

// BenchmarkOwnersMemory feeds one million distinct connections and reports
// the heap kept per connection.
func BenchmarkOwnersMemory(b *testing.B) {
	const n = 1_000_000
	var rec parse.Record
	rec.Kind = parse.KindFwTab
	rec.HasKey, rec.HasExpiry = true, true
	rec.Vals = make([]uint32, 34)
	rec.Vals[decode.WordBits] = decode.CCLWord(3)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		o := New(report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{}), 0, 0)
		it := report.Item{Record: &rec, SGMs: []decode.SGM{{Site: 1, Member: 2}}, Rule: parse.RuleCommandLine}
		for i := range n {
			rec.Key.Tuple = decode.Tuple{Src: 0x0a000000 + uint32(i), Dst: 0xac100001, SPort: uint16(i), DPort: 443, Proto: 6}
			rec.Expiry = decode.Expiry{Remaining: uint32(i % 3600), Timeout: 3600}
			o.Add(&it)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/conn")
		runtime.KeepAlive(o)
	}
}

// TestOwnersDeterministic reads the switchover sample several times: each
// reading seeds the connection table anew, so the slots differ, and the
// JSON report must not.
func TestOwnersDeterministic(t *testing.T) {
	var first []byte
	for i := range 5 {
		r := ownersOf(t, "1=standby,2=active", "../../samples/switchover")
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		if len(r.AtRisk) < 2 {
			t.Fatalf("the sample has %d at-risk connections: too few to show an order", len(r.AtRisk))
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(buf.Bytes(), first) {
			t.Fatalf("reading %d gave a different report", i+1)
		}
	}
}

// TestOwnersLiveConnections: with table dumps, only the connections a
// table holds count, and those seen only in the capture are reported
// apart; without a table, the capture's connections count, minus those it
// deletes.
func TestOwnersLiveConnections(t *testing.T) {
	const (
		entryA  = "<00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02000800, 000f9280; 3000/3600>\n"
		setA    = "@;1;[fw4_0];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<0,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e];\n"
		setB    = "@;2;[fw4_0];SET: connections (8158) keys(6)=<0,a000002,1000,ac100001,1bb,6> vals(14)=<0,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e];\n"
		deleteB = "@;3;[fw4_0];DELETE: connections (8158) keys(6)=<0,a000002,1000,ac100001,1bb,6>;\n"
		setC    = "@;4;[fw4_0];SET: connections (8158) keys(6)=<0,a000003,1000,ac100001,1bb,6> vals(14)=<0,0,0,0,0,0,0,0,0,0,0,0,0,2008000> sync_mask=[0x0000c000];\n"
	)
	dir := t.TempDir()
	dump := filepath.Join(dir, "sgm-1_01.txt")
	capture := filepath.Join(dir, "kdebug.txt")
	if err := os.WriteFile(dump, []byte(entryA), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(capture, []byte(setA+setB+deleteB+setC), 0o600); err != nil {
		t.Fatal(err)
	}
	r := ownersOf(t, "1=active,2=standby", dump, capture)
	if r.Connections != 1 || r.CaptureOnly != 2 || r.CaptureOnlyDeleted != 1 || r.OffActiveSite != 0 || !strings.HasPrefix(r.Basis, "connections held by the table dumps") {
		t.Errorf("with a dump: %d connections, %d capture-only (%d deleted), %d off active, basis %q", r.Connections, r.CaptureOnly, r.CaptureOnlyDeleted, r.OffActiveSite, r.Basis)
	}
	var only *report.Finding
	for i := range r.Findings {
		if r.Findings[i].Code == CodeCaptureOnly {
			only = &r.Findings[i]
		}
	}
	if only == nil || !strings.HasPrefix(only.Message, "2 connections were seen only in the kernel-debug capture, 1 of them deleted there") {
		t.Errorf("findings %+v", r.Findings)
	}
	// Without a table: A and C count (C is owned by 2_03 on STANDBY site
	// 2), B was deleted.
	r = ownersOf(t, "1=active,2=standby", capture)
	if r.Connections != 2 || r.CaptureOnly != 0 || r.OffActiveSite != 1 || !strings.HasPrefix(r.Basis, "no table dump") {
		t.Errorf("capture only: %d connections, %d off active, basis %q", r.Connections, r.OffActiveSite, r.Basis)
	}
}

// TestAddAllocatesNothing holds the records taken one at a time (every
// input that is not read in chunks) to no allocation of their own: an op
// that escaped to the heap per record once doubled the peak RSS of a 2M
// dump read on one core (164 to 307 MB).
func TestAddAllocatesNothing(t *testing.T) {
	var rec parse.Record
	rec.Kind = parse.KindFwTab
	rec.HasKey, rec.HasExpiry = true, true
	rec.Vals = make([]uint32, 34)
	rec.Vals[decode.WordBits] = decode.CCLWord(3)
	o := New(report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{}), 0, 0)
	o.Grow(2000)
	it := report.Item{Record: &rec, SGMs: []decode.SGM{{Site: 1, Member: 2}}, Rule: parse.RuleCommandLine}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		i++
		rec.Key.Tuple = decode.Tuple{Src: 0x0a000000 + uint32(i), Dst: 0xac100001, SPort: uint16(i), DPort: 443, Proto: 6}
		rec.Expiry = decode.Expiry{Remaining: uint32(i % 3600), Timeout: 3600}
		o.Add(&it)
	})
	if allocs != 0 {
		t.Errorf("Add allocates %.1f times per record, want 0", allocs)
	}
	o.flush() // the ops still waiting in the batch of Add
	if o.tab.Len() != 1001 {
		t.Errorf("%d connections taken, want 1001", o.tab.Len())
	}
}
