package trace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
	"github.com/maestro-analyze/maestro-analyze/samples/sim/simtest"
)

// traceOf runs the trace builder over paths, as the command does.
func traceOf(t *testing.T, conn string, opt traceOpts, args ...string) *Report {
	t.Helper()
	c, err := ParseConnection(conn)
	if err != nil {
		t.Fatal(err)
	}
	f, b := newTrace(c, opt)
	skipped, err := f.Walk(args, nil, parse.DefaultLimits())
	if err != nil || len(skipped) > 0 {
		t.Fatal(err, skipped)
	}
	return b.Report()
}

// traceOpts are what the command sets up for a trace: its options, the
// feed's context and the prefilter.
type traceOpts struct {
	Options
	Sites       decode.SiteStates
	DXL         *report.DXL
	NoPrefilter bool
	Strict      bool
}

// newTrace wires a trace to a feed as the command does.
func newTrace(c decode.Tuple, o traceOpts) (*report.Feed, *Trace) {
	fo := report.FeedOptions{Strict: o.Strict}
	if !o.NoPrefilter {
		fo.Prefilter = parse.NewConnFilter(c)
	}
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout, Sites: o.Sites, DXL: o.DXL}, fo)
	return f, New(f, c, o.Options)
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseConnection(t *testing.T) {
	seed := decode.Tuple{Src: 0xac103d02, SPort: 30675, Dst: 0xac103d42, DPort: 179, Proto: 6}
	tests := []struct {
		name string
		in   string
		want decode.Tuple
		err  bool
	}{
		{"issue form", "172.16.61.2:30675-172.16.61.66:179/tcp", seed, false},
		{"reverse, proto number", "172.16.61.66:179-172.16.61.2:30675/6", seed.Reverse(), false},
		{"upper-case name", "172.16.61.2:30675-172.16.61.66:179/TCP", seed, false},
		{"the tool's own form", "172.16.61.2:30675 -> 172.16.61.66:179 tcp", seed, false},
		{"arrow and slash", " 172.16.61.2:30675 -> 172.16.61.66:179/tcp ", seed, false},
		{"kernel-debug SET", "[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> sync_mask=[0x0001800e];", seed, false},
		{"fw tab link", "<00000001, ac103d42, 000000b3, ac103d02, 000077d3, 00000006> -> <00000000, ac103d02, 000077d3, ac103d42, 000000b3, 00000006> (00000005)", seed.Reverse(), false},
		{"gconn row", "| 0 | 172.16.61.2 | 30675 | 172.16.61.66 | 179 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 1 | 0 | UNDEF |", seed, false},
		{"correction line", "fwha_ccl_inbound: no need to correct <172.16.61.2(30675) -> 172.16.61.66(179) IPP6>", seed, false},
		{"udp", "10.0.0.1:53-10.0.0.2:1024/udp", decode.Tuple{Src: 0x0a000001, SPort: 53, Dst: 0x0a000002, DPort: 1024, Proto: 17}, false},
		{"no proto", "172.16.61.2:30675-172.16.61.66:179", decode.Tuple{}, true},
		{"bad proto", "172.16.61.2:30675-172.16.61.66:179/bogus", decode.Tuple{}, true},
		{"ipv6", "[::1]:1-[::2]:2/tcp", decode.Tuple{}, true},
		{"port too big", "1.2.3.4:70000-1.2.3.5:1/tcp", decode.Tuple{}, true},
		{"garbage", "hello", decode.Tuple{}, true},
		{"dxl line names no ports", "<172.16.61.2,172.16.61.66,dst_based,318>", decode.Tuple{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConnection(tt.in)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("ParseConnection(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

// seedCapture builds a kernel-debug capture from the seed's SET lines
// (samples/entries.txt lines 5-9: the owner's four site-state phases, then
// a non-owner SET), stamped 100 s apart, then the first line again (the
// seed's fifth phase, back to site 1 ACTIVE and site 2 STANDBY), the seed's
// correction line (another connection: other ports), and, when dxl, the
// seed's asg dxl calc.
func seedCapture(t *testing.T, dxl bool) string {
	t.Helper()
	data, err := os.ReadFile("../../samples/entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var b strings.Builder
	if dxl {
		d, err := os.ReadFile("../../samples/dxl.txt")
		if err != nil {
			t.Fatal(err)
		}
		b.Write(d)
	}
	for i, l := range lines[4:9] {
		fmt.Fprintf(&b, "@;%d;%s\n", (i+1)*100_000_000, l)
	}
	fmt.Fprintf(&b, "@;600000000;%s\n", lines[4])
	fmt.Fprintf(&b, "@;650000000;%s\n", lines[9])
	return writeTemp(t, "seed-capture.txt", b.String())
}

func loadDXL(t *testing.T, path string) *report.DXL {
	t.Helper()
	d := &report.DXL{}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The feed keeps asg dxl calc results in the context it shares.
	if err := report.NewFeed(report.Context{DXL: d}, report.FeedOptions{}).ReadString(path, string(data)); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestTraceSeedSwitchover follows the seed article's test connection
// through its switchover: the owner's sync_mask goes 0x0001800e ->
// 0x00038002 -> 0x00038006 -> 0x0000000e -> 0x0001800e, and each phase's
// active and backup sets are the article's.
func TestTraceSeedSwitchover(t *testing.T) {
	type phase struct {
		mask, states, active, backup string
		change                       bool
		note                         []string
	}
	want := []phase{
		{"0x0001800e", "1=ACTIVE,2=STANDBY", "1_02 1_03", "1_04 2_02 2_03", false, []string{"first sync_mask seen: site 1 looks ACTIVE, site 2 looks STANDBY"}},
		{"0x00038002", "1=DOWN,2=ACTIVE", "2_02 2_03", "2_04", true, []string{"site 1 went DOWN: its members other than the owner 1_02 left the mask (1_03, 1_04)", "site 2 turned ACTIVE"}},
		{"0x00038006", "1=STANDBY,2=ACTIVE", "2_02 2_03", "2_04 1_02 1_03", true, []string{"site 1 came back STANDBY: its primaries returned to the mask (1_03)"}},
		{"0x0000000e", "1=ACTIVE,2=DOWN", "1_02 1_03", "1_04", true, []string{"site 2 went DOWN: all its members left the mask (2_02, 2_03, 2_04)", "site 1 turned ACTIVE"}},
		{"0x00000000", "", "", "", false, []string{"non-owner"}},
		{"0x0001800e", "1=ACTIVE,2=STANDBY", "1_02 1_03", "1_04 2_02 2_03", true, []string{"site 2 came back STANDBY: its primaries returned to the mask (2_02, 2_03)"}},
	}
	for _, tt := range []struct {
		name string
		conn string
		dxl  string // "inline" (dxl lines in the capture) or "flag" (--dxl)
	}{
		{"dxl in the capture, client first", "172.16.61.2:30675-172.16.61.66:179/tcp", "inline"},
		{"--dxl, server first", "172.16.61.66:179-172.16.61.2:30675/6", "flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opt := traceOpts{}
			path := seedCapture(t, tt.dxl == "inline")
			if tt.dxl == "flag" {
				opt.DXL = loadDXL(t, "../../samples/dxl.txt")
			}
			r := traceOf(t, tt.conn, opt, path)
			if !r.Found || r.Owner == nil || r.Owner.SGM == nil || *r.Owner.SGM != "1_02" || r.Owner.CCLID != 1 {
				t.Fatalf("found %v, owner %+v", r.Found, r.Owner)
			}
			if c := r.Connection; c.Src != "172.16.61.2" || c.SPort != 30675 || c.Dst != "172.16.61.66" || c.DPort != 179 || c.Proto != 6 || !strings.HasPrefix(c.Service, "bgp") {
				t.Errorf("connection = %+v", c)
			}
			if len(r.Events) != len(want) {
				t.Fatalf("%d events, want %d: %+v", len(r.Events), len(want), r.Events)
			}
			for i, w := range want {
				e := r.Events[i]
				if e.T == nil || *e.T != float64(100*(i+1)) {
					t.Errorf("event %d: t = %v, want %d", i, e.T, 100*(i+1))
				}
				if e.SyncMask == nil || *e.SyncMask != w.mask {
					t.Errorf("event %d: mask %v, want %s", i, e.SyncMask, w.mask)
				}
				act, bk := setsText(&e)
				if e.StatesText != w.states || act != w.active || bk != w.backup {
					t.Errorf("event %d (%s): states %q active %q backup %q; want %q %q %q", i, w.mask, e.StatesText, act, bk, w.states, w.active, w.backup)
				}
				if w.states != "" && (len(e.SiteStates) == 0 || e.SiteStates["1"].Source != e.StatesFrom) {
					t.Errorf("event %d: site_states %v from %q", i, e.SiteStates, e.StatesFrom)
				}
				if e.MaskChange != w.change {
					t.Errorf("event %d: mask_change %v, want %v", i, e.MaskChange, w.change)
				}
				for _, n := range w.note {
					if !strings.Contains(e.Note, n) {
						t.Errorf("event %d: note %q lacks %q", i, e.Note, n)
					}
				}
				if e.Op != "SET" || e.Source != fmt.Sprintf("%s:%d", path, i+1+map[bool]int{true: 8, false: 0}[tt.dxl == "inline"]) {
					t.Errorf("event %d: op %q source %q", i, e.Op, e.Source)
				}
			}
			if r.Events[4].Direction != "reverse" || r.Events[0].Direction != "forward" {
				t.Errorf("directions %q %q: the non-owner SET is keyed server first", r.Events[0].Direction, r.Events[4].Direction)
			}
			if r.MaskChanges != 4 || strings.Join(r.Masks, " ") != "0x0001800e 0x00038002 0x00038006 0x0000000e 0x0001800e" {
				t.Errorf("mask changes %d, masks %v", r.MaskChanges, r.Masks)
			}
			// The seed's correction line (another connection) says chassis 0
			// is STANDBY: site states are resolved for every analysis alike,
			// an observed state before what the latest sync_mask implies, and
			// the verdict still says what that mask says.
			for _, s := range []string{"Owner 1_02 sits on STANDBY site 1", "changed 4 times", "The latest sync_mask 0x0001800e says site 1 is ACTIVE", "No table dump holds it"} {
				if !strings.Contains(r.Verdict, s) {
					t.Errorf("verdict %q lacks %q", r.Verdict, s)
				}
			}
			if r.Searched.Matched != 6 {
				t.Errorf("matched %d records, want 6 (the correction line is another connection)", r.Searched.Matched)
			}
		})
	}
}

// TestTraceSeedSitesFlag: with --sites saying site 1 is STANDBY, the owner
// 1_02 is not reached by correction, and the latest mask (site 1 ACTIVE)
// disagrees, which the verdict says.
func TestTraceSeedSitesFlag(t *testing.T) {
	st, _ := decode.ParseSiteStates("1=standby,2=active", decode.DefaultLayout)
	r := traceOf(t, "172.16.61.2:30675-172.16.61.66:179/tcp", traceOpts{Sites: st}, seedCapture(t, true))
	if o := r.Owner; o.Corrected == nil || *o.Corrected || o.SiteState != "STANDBY" || !strings.Contains(o.Note, "MBS-3944") {
		t.Errorf("owner = %+v", o)
	}
	if r.SiteStatesSource != "--sites" || !strings.Contains(r.Verdict, "disagrees with --sites") {
		t.Errorf("states from %q; verdict %q", r.SiteStatesSource, r.Verdict)
	}
}

// TestTraceJSONContract checks the field names the issue fixes.
func TestTraceJSONContract(t *testing.T) {
	r := traceOf(t, "172.16.61.2:30675-172.16.61.66:179/tcp", traceOpts{}, seedCapture(t, true))
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	has := func(obj map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("missing %q in %v", k, obj)
			}
		}
	}
	has(m, "connection", "owner", "holders", "events", "verdict")
	has(m["connection"].(map[string]any), "src", "sport", "dst", "dport", "proto")
	has(m["owner"].(map[string]any), "ccl_id", "sgm")
	ev := m["events"].([]any)
	for _, e := range ev {
		has(e.(map[string]any), "t", "source", "sgm", "op", "sync_mask", "sgms", "note")
	}
	if e := ev[0].(map[string]any); e["t"] != 100.0 || e["sgm"] != nil || e["sync_mask"] != "0x0001800e" {
		t.Errorf("first event = %v", e)
	}
	if _, ok := m["holders"].([]any); !ok {
		t.Errorf("holders must be an array, even empty: %v", m["holders"])
	}
}

func connArg(tp sim.Tuple, reverse bool) string {
	if reverse {
		return fmt.Sprintf("%s:%d-%s:%d/%d", tp.Dst, tp.DPort, tp.Src, tp.SPort, tp.Proto)
	}
	return fmt.Sprintf("%s:%d-%s:%d/%d", tp.Src, tp.SPort, tp.Dst, tp.DPort, tp.Proto)
}

func holdersText(hs []Holder) string {
	var parts []string
	for _, h := range hs {
		p := nameOr(h.SGM, "?") + " " + h.Kind
		if h.Remaining != nil {
			p += fmt.Sprintf(" %d/%d", *h.Remaining, *h.Timeout)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func truthHolders(hs []sim.Holder) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, fmt.Sprintf("%s full %d/%d", h.SGM, h.Remaining, h.Timeout))
	}
	return strings.Join(parts, ", ")
}

// TestTraceSimulated follows at-risk connections of simulated switchover
// folders: the first-expiring SGM and its remaining time are truth.json's
// at_risk min_sgm/min_remaining, the holders are truth's conns[].holders.
func TestTraceSimulated(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  func(*sim.Config)
	}{
		{"site 1 standby", func(*sim.Config) {}},
		{"site 1 down", func(c *sim.Config) { c.After = sim.StateDown; c.Seed = 3 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sim.DefaultConfig()
			tt.cfg(&cfg)
			dir, tr := simtest.Dir(t, cfg)
			if len(tr.AtRisk) < 3 {
				t.Fatalf("scenario has %d at-risk connections", len(tr.AtRisk))
			}
			conns := map[sim.Tuple]sim.ConnTruth{}
			for _, c := range tr.Conns {
				conns[c.Tuple] = c
			}
			for k, ar := range tr.AtRisk[:3] {
				r := traceOf(t, connArg(ar.Tuple, k%2 == 1), traceOpts{Options: Options{DumpTime: tr.DumpTime}}, dir)
				x := r.Expiry
				if x == nil || !x.AtRisk || nameOr(x.MinSGM, "") != ar.MinSGM || int(x.MinRemaining) != ar.MinRemaining ||
					nameOr(x.MaxSGM, "") != ar.MaxSGM || int(x.MaxRemaining) != ar.MaxRemaining {
					t.Errorf("%s: expiry %+v, truth %+v", connArg(ar.Tuple, false), x, ar)
					continue
				}
				ct := conns[ar.Tuple]
				if got, want := holdersText(r.Holders), truthHolders(ct.Holders); got != want {
					t.Errorf("%s: holders\n got  %s\n want %s", connArg(ar.Tuple, false), got, want)
				}
				if r.Owner == nil || nameOr(r.Owner.SGM, "") != ct.Owner {
					t.Errorf("owner %+v, truth %s", r.Owner, ct.Owner)
				}
				if c := r.Connection; c.Src != ar.Src || int(c.SPort) != ar.SPort {
					t.Errorf("connection %+v should be client first (%s:%d)", c, ar.Src, ar.SPort)
				}
				at := fmt.Sprintf("expected drop at %s unless a REFRESH reaches %s", x.ExpiresAt, ar.MinSGM)
				if x.ExpiresAt == "" || !strings.Contains(r.Verdict, at) || !strings.Contains(r.Verdict, fmt.Sprintf("%s holds the entry with %d s left", ar.MinSGM, ar.MinRemaining)) {
					t.Errorf("verdict %q lacks %q", r.Verdict, at)
				}
			}
			// The seed's connection is Conns[0]: owner 1_02, on a site that is
			// no longer ACTIVE.
			seed := tr.Conns[0]
			r := traceOf(t, "172.16.61.66:179-172.16.61.2:30675/tcp", traceOpts{}, dir)
			if got, want := holdersText(r.Holders), truthHolders(seed.Holders); got != want {
				t.Errorf("seed holders\n got  %s\n want %s", got, want)
			}
			state := strings.ToUpper(tr.SiteStates["1"])
			if r.Owner == nil || nameOr(r.Owner.SGM, "") != "1_02" || r.Owner.SiteState != state || r.Owner.Corrected == nil || *r.Owner.Corrected {
				t.Errorf("seed owner %+v, want 1_02 on %s site 1, not corrected to", r.Owner, state)
			}
			if r.Expiry == nil || r.Expiry.AtRisk {
				t.Errorf("seed expiry %+v: not at risk in truth", r.Expiry)
			}
			if len(r.Masks) < 2 || r.Masks[len(r.Masks)-1] != seed.Mask || r.Masks[0] != seed.MaskBefore {
				t.Errorf("seed masks %v, truth %s -> %s", r.Masks, seed.MaskBefore, seed.Mask)
			}
		})
	}
}

// TestTraceNotFound: a connection that appears nowhere says what was searched.
func TestTraceNotFound(t *testing.T) {
	path := seedCapture(t, true)
	r := traceOf(t, "172.16.61.2:30676-172.16.61.66:179/tcp", traceOpts{}, path)
	if r.Found || len(r.Events) != 0 || r.Owner != nil {
		t.Fatalf("found %v, events %d", r.Found, len(r.Events))
	}
	msg := r.NotFoundText()
	for _, s := range []string{"172.16.61.2:30676 -> 172.16.61.66:179 tcp appears nowhere", "searched 1 input (" + path + "), 15 lines, for its addresses as ac103d02 or 172.16.61.2, and ac103d42 or 172.16.61.66; the 15 lines that passed"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
}

// formatLines are lines of every format that name 10.0.0.1:4096 <->
// 172.16.0.1:443 tcp (10.0.0.1 has a leading zero byte: 0a000001 in fw tab,
// a000001 in kernel debug), in both directions.
var formatLines = []string{
	// fw tab -u: full entries (both key directions), a link, -v instance prefix.
	"<00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02000800, 000f9280; 00000001 ; 3000/3600>",
	"<00000001, ac100001, 000001bb, 0a000001, 00001000, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02000800, 000f9280; 3000/3600>",
	"<00000001, ac100001, 000001bb, 0a000001, 00001000, 00000006> -> <00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006> (00000005)",
	"[fw_3] <00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02000800, 000f9280; 00000001 ; 3000/3600>",
	// fw tab -f, both directions.
	"04:18:08 5 N/A 5 10.95.202.22 > N/A LogId: <max_null>; Direction: 0; Source: 10.0.0.1; SPort: 4096; Dest: 172.16.0.1; DPort: 443; Protocol: tcp; Bits: 02000800000f9280; Expires: 100/3600; LastUpdateTime: 30Sep2025 04:18:08;",
	"Direction: 1; Source: 172.16.0.1; SPort: 443; Dest: 10.0.0.1; DPort: 4096; Protocol: 6; Bits: 02000800000f9280; Expires: 100/3600;",
	// kernel-debug sync messages, both directions, every prefix shape.
	"[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e] refresh time=3608;",
	"@;92545593;[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac100001,1bb,a000001,1000,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[00000000];",
	"@;882640557.8263;[vs_0];[fw4_1];REFRESH: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> sync_mask=[0x00038002];",
	";[cpu_3];[fw4_0];DELETE: connections (8158) keys(6)=<0,ac100001,1bb,a000001,1000,6> sync_mask=[ 0x0000000c];",
	"SLINKS: connections (8158) keys(6)=<1,ac100001,1bb,a000001,1000,6> sync_mask=[0x0000000e];",
	// correction lines, both directions.
	"[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <10.0.0.1(4096) -> 172.16.0.1(443) IPP6>: chassis 0 is STANDBY in VS0, will not correct;",
	"@;5000;[kern];[tid_40];[fw4_0];fwha_ccl_inbound: no need to correct <172.16.0.1(443) -> 10.0.0.1(4096) IPP6>",
	// gconn rows, both directions.
	"| 0 | 10.0.0.1 | 4096 | 172.16.0.1 | 443 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 1 | 0 | UNDEF |",
	"|   0 |   172.16.0.1 |  443 |  10.0.0.1 | 4096 |  6 |FP .. ..| No | 0/0 | 1 | 32 | 1 | 0 | UNDEF |",
}

// TestTracePrefilterFormats: every format's line that names the
// connection, in either direction, is kept by the prefilter and then found
// by the trace; so are the context lines, a wrapped entry and a JSON
// document's first line.
func TestTracePrefilterFormats(t *testing.T) {
	for _, conn := range []string{"10.0.0.1:4096-172.16.0.1:443/tcp", "172.16.0.1:443-10.0.0.1:4096/6"} {
		c, _ := ParseConnection(conn)
		flt := parse.NewConnFilter(c)
		for _, l := range formatLines {
			if !flt.Keep([]byte(l)) {
				t.Errorf("%s: prefilter drops %q", conn, l)
			}
		}
		for _, l := range []string{"1_01:", "  2_14:", "-*- 1 blade: 1_01 -*-", "-*- 4 blades: 1_01 1_02 1_03 1_04 -*-",
			"<10.0.0.9,172.16.0.9,dst_based,318>", "Chassis 1: Blade(s):1_02,1_04",
			// Site-state evidence, whatever connection it is about.
			"@;5;[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <10.9.9.9(1) -> 10.9.9.8(2) IPP6>: chassis 0 is STANDBY in VS0, will not correct;",
			"| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|Inst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|",
			"<00000000, 0a000001, 00001000,", "[fw_1] <00000000,", "{"} {
			if !flt.Keep([]byte(l)) {
				t.Errorf("prefilter drops context line %q", l)
			}
		}
		for _, l := range []string{
			"<00000000, 0a000002, 00001000, ac100001, 000001bb, 00000006; 0001c001; 3000/3600>", // another client
			"| 0 | 10.0.0.2 | 4096 | 172.16.0.1 | 443 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 1 | 0 | UNDEF |",
			"@;1;[fw4_1];SET: connections (8158) keys(6)=<0,a000002,1000,ac100001,1bb,6> sync_mask=[0x0000000e];",
			"<00000001, ac100001, 000001bb, 0a000002, 00001000, 00000006> -> <00000000, 0a000002, 00001000, ac100001, 000001bb, 00000006> (00000005)",
			"localhost:", "-------- connections --------", "Lost updates................................. 0",
		} {
			if flt.Keep([]byte(l)) {
				t.Errorf("prefilter keeps %q, which cannot name the connection", l)
			}
		}
		// Through a Reader: every line gives a record about the connection;
		// a wrapped entry is joined across its continuation lines.
		in := "1_03:\n" + strings.Join(formatLines, "\n") + "\n" +
			"<00000000, 0a000001, 00001000,\n ac100001, 000001bb, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000,\n 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02000800, 000f9280; 2900/3600>\n"
		f, tr := newTrace(c, traceOpts{Strict: true})
		if err := f.ReadString("formats.txt", in); err != nil {
			t.Fatalf("%s: %v", conn, err)
		}
		rep := tr.Report()
		if rep.Searched.Matched != int64(len(formatLines)+1) || rep.Searched.Prefiltered != 0 {
			t.Errorf("%s: matched %d of %d, %d prefiltered", conn, rep.Searched.Matched, len(formatLines)+1, rep.Searched.Prefiltered)
		}
		if len(rep.Holders) != 1 || rep.Holders[0].Kind != "full" || *rep.Holders[0].Remaining != 100 || nameOr(rep.Holders[0].SGM, "") != "1_03" {
			t.Errorf("%s: holders %s", conn, holdersText(rep.Holders))
		}
		if rep.Connection.Src != "10.0.0.1" || rep.Owner == nil || nameOr(rep.Owner.SGM, "") != "1_02" {
			t.Errorf("%s: connection %+v owner %+v", conn, rep.Connection, rep.Owner)
		}
		notes := map[string]string{}
		var order []string
		for _, e := range rep.Events {
			notes[e.Op] = e.Note
			order = append(order, e.Source)
		}
		// Ordered by stamp; a line without one keeps its place after the
		// previous stamp of its input, before any stamp it comes first.
		if want := "formats.txt:8 formats.txt:14 formats.txt:9 formats.txt:10 formats.txt:11 formats.txt:12 formats.txt:13"; strings.Join(order, " ") != want {
			t.Errorf("%s: events in order %v, want %s", conn, order, want)
		}
		if notes["fwha_ccl_is_stateful_corr_needed"] != "chassis 0 is STANDBY in VS0, will not correct; chassis 0 is site 1 (0-based chassis numbers, assumed), STANDBY: the owner 1_02 sits there, so the packet is not corrected to it (MBS-3944) and is handled by whichever SGM receives it" ||
			notes["fwha_ccl_inbound"] != "no need to correct" {
			t.Errorf("%s: correction notes %q", conn, notes)
		}
	}
}

// TestTracePrefilterSimulated checks the prefilter against the parser on
// every line of a simulated scenario (kernel debug, per-SGM fw tab and
// gconn, g_all, dxl): for several connections, every line whose record is
// about the connection is kept, and the report is the same with and
// without the prefilter.
func TestTracePrefilterSimulated(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns = 11, 300
	dir, tr := simtest.Dir(t, cfg)
	var srcs []parse.Source
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			srcs = append(srcs, parse.Source{Path: p})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every line of every input, with the canonical tuples its record names.
	type line struct {
		text string
		keys []decode.Tuple
	}
	var lines []line
	for _, src := range srcs {
		if filepath.Base(src.Path) == sim.FileTruth {
			continue
		}
		f, err := os.Open(src.Path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l := line{text: sc.Text()}
			r := parse.NewReader(strings.NewReader(l.text), "line")
			for r.Scan() {
				if rec, err := r.Record(); err == nil && rec.HasKey {
					l.keys = append(l.keys, rec.Key.Canonical())
					if rec.Kind == parse.KindFwTabLink {
						l.keys = append(l.keys, rec.Link.Canonical())
					}
				}
			}
			lines = append(lines, l)
		}
		f.Close()
	}
	targets := []sim.Tuple{tr.Conns[0].Tuple}
	for i := 1; i < len(tr.Conns); i += 37 {
		targets = append(targets, tr.Conns[i].Tuple)
	}
	for _, ar := range tr.AtRisk[:2] {
		targets = append(targets, ar.Tuple)
	}
	for k, tp := range targets {
		arg := connArg(tp, k%2 == 0)
		c, err := ParseConnection(arg)
		if err != nil {
			t.Fatal(err)
		}
		flt := parse.NewConnFilter(c)
		n := 0
		for _, l := range lines {
			if slices.Contains(l.keys, c.Canonical()) {
				n++
				if !flt.Keep([]byte(l.text)) {
					t.Errorf("%s: prefilter drops %q", arg, l.text)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no line names it; the test proves nothing", arg)
		}
		with := traceOf(t, arg, traceOpts{Options: Options{DumpTime: tr.DumpTime}}, dir)
		without := traceOf(t, arg, traceOpts{Options: Options{DumpTime: tr.DumpTime}, NoPrefilter: true}, dir)
		if without.Searched.Prefiltered != 0 || with.Searched.Prefiltered == 0 {
			t.Errorf("%s: prefiltered %d with, %d without", arg, with.Searched.Prefiltered, without.Searched.Prefiltered)
		}
		with.Searched, without.Searched, with.Inputs, without.Inputs = Search{}, Search{}, report.Inputs{}, report.Inputs{}
		a, _ := json.Marshal(with)
		bb, _ := json.Marshal(without)
		if !bytes.Equal(a, bb) {
			t.Errorf("%s: report differs with the prefilter\n with    %s\n without %s", arg, a, bb)
		}
	}
}

func TestTraceRender(t *testing.T) {
	path := seedCapture(t, true)
	r := traceOf(t, "172.16.61.2:30675-172.16.61.66:179/tcp", traceOpts{}, path)
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, report.NewPalette(false)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{"Connection 172.16.61.2:30675 -> 172.16.61.66:179 tcp  bgp (179/tcp)", "reverse 172.16.61.66:179 -> 172.16.61.2:30675 tcp",
		// The capture's last line, a correction line, says chassis 0 is
		// STANDBY: an observed state, which beats the inference from the
		// latest sync_mask.
		"Owner: 1_02 (CCL id 1) on STANDBY site 1", "| 0x00038002 * |", "Timeline (6 events, 4 sync_mask changes)", "Verdict\nOwner 1_02"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
	buf.Reset()
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	csvLines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(csvLines) != 7 || csvLines[0] != strings.Join(traceCSVHeader, ",") ||
		!strings.HasPrefix(csvLines[2], "200.000000,"+path+":10,,sync,SET,forward,0x00038002,1_02 2_02 2_03 2_04,site 1 DOWN: 1_02; site 2 ACTIVE: 2_02 2_03 2_04,\"1=DOWN,2=ACTIVE\",2_02 2_03,2_04,true,") {
		t.Errorf("csv:\n%s", buf.String())
	}
	// Text from the input is escaped in the table.
	evil := writeTemp(t, "evil\x1b[31m.txt", "@;1;[fw4_1];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> sync_mask=[0x0001800e];\n")
	r = traceOf(t, "172.16.61.2:30675-172.16.61.66:179/tcp", traceOpts{}, evil)
	buf.Reset()
	if err := WriteTable(&buf, r, report.NewPalette(false)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\x1b") {
		t.Error("an escape sequence from a file name reached the table")
	}
}

// BenchmarkTracePrefilter reads a large simulated kernel-debug capture
// looking for one connection, with the prefilter and with every line
// parsed; MB/s compares them.
func BenchmarkTracePrefilter(b *testing.B) {
	cfg := sim.DefaultConfig()
	cfg.Conns, cfg.KdebugBytes, cfg.TruthConns = 20000, 32<<20, false
	s, err := sim.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteKdebug(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	c, _ := ParseConnection("172.16.61.2:30675-172.16.61.66:179/tcp")
	for _, mode := range []struct {
		name string
		off  bool
	}{{"prefilter", false}, {"plain", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				f, tr := newTrace(c, traceOpts{NoPrefilter: mode.off})
				if err := f.Read(parse.Source{}, parse.NewReader(bytes.NewReader(data), "bench")); err != nil {
					b.Fatal(err)
				}
				if tr.matched == 0 {
					b.Fatal("the seed connection was not found")
				}
			}
		})
	}
}
