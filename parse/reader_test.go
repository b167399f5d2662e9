package parse

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// got is one Scan outcome, summarized for comparison.
type got struct {
	kind string
	line int
	err  string
}

func scanAll(t *testing.T, in, name string) ([]got, []Record, *Reader) {
	t.Helper()
	r := NewReader(strings.NewReader(in), name)
	var out []got
	var recs []Record
	for r.Scan() {
		rec, err := r.Record()
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			out = append(out, got{"error", se.Pos.Line, err.Error()})
			continue
		}
		out = append(out, got{rec.Kind.String(), rec.Pos.Line, ""})
		c := *rec
		c.Vals = append([]uint32(nil), rec.Vals...)
		c.Extra = append([]uint32(nil), rec.Extra...)
		c.SGMs = append([]decode.SGM(nil), rec.SGMs...)
		recs = append(recs, c)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	s := r.Stats()
	if total := s.RecognizedLines() + s.IgnoredLines() + s.RejectedLines(); total != s.Lines {
		t.Errorf("accounting: recognized %d + ignored %d + rejected %d != lines %d",
			s.RecognizedLines(), s.IgnoredLines(), s.RejectedLines(), s.Lines)
	}
	return out, recs, r
}

func TestSeedEntries(t *testing.T) {
	data, err := os.ReadFile("testdata/seed-entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, recs, _ := scanAll(t, string(data), "seed")
	wantKinds := []string{"fwtab", "fwtab", "fwtab-link", "fwtab-f", "sync", "sync", "sync", "sync", "sync", "correction", "gconn"}
	if len(out) != len(wantKinds) {
		t.Fatalf("got %d records %v, want %d", len(out), out, len(wantKinds))
	}
	for i, k := range wantKinds {
		if out[i].kind != k || out[i].line != i+1 {
			t.Errorf("record %d = %+v, want kind %s at line %d", i, out[i], k, i+1)
		}
	}
	// R81.20 entry: 34 values, one extra segment, owner word 02008000, 3394/3618.
	e := recs[0]
	if len(e.Vals) != 34 || len(e.Extra) != 1 || e.Extra[0] != 1 || !e.HasExpiry || e.Expiry != (decode.Expiry{Remaining: 3394, Timeout: 3618}) {
		t.Errorf("R81.20 entry: %d vals, extra %v, expiry %v", len(e.Vals), e.Extra, e.Expiry)
	}
	if w, ok := e.Owner(); !ok || w != 0x02008000 {
		t.Errorf("R81.20 owner word %#x %v", w, ok)
	}
	if e.Key.String() != "172.16.61.66:18399 -> 172.16.61.2:179 tcp" || e.Key.Dir != 0 {
		t.Errorf("R81.20 key %v dir %d", e.Key.Tuple, e.Key.Dir)
	}
	// 2014 entry: 31 values, no extra segment.
	if len(recs[1].Vals) != 31 || len(recs[1].Extra) != 0 || recs[1].Expiry.Remaining != 3597 {
		t.Errorf("2014 entry: %d vals, extra %v, expiry %v", len(recs[1].Vals), recs[1].Extra, recs[1].Expiry)
	}
	// Link line.
	l := recs[2]
	if l.Key.Dir != 1 || l.Link.Dir != 0 || l.Flags != 5 || l.Key.Canonical() != l.Link.Canonical() {
		t.Errorf("link: %+v -> %+v flags %d", l.Key, l.Link, l.Flags)
	}
	// -f line: Bits 02008000000f9280, Expires 3394/3618, same key as the -u entry.
	f := recs[3]
	if w, ok := f.Owner(); !ok || w != 0x02008000 || f.Vals[decode.WordBitsLow] != 0xf9280 {
		t.Errorf("-f Bits: %#x %v", w, ok)
	}
	if f.Key != e.Key || f.Expiry != e.Expiry || f.LastUpdate != "30Sep2025 04:18:08" {
		t.Errorf("-f: key %v expiry %v last %q", f.Key, f.Expiry, f.LastUpdate)
	}
	if w, ok := f.Word(decode.WordIfncout); !ok || w != 0xffffffff {
		t.Errorf("-f Ifncout %#x %v", w, ok)
	}
	if _, ok := f.Word(decode.WordFlags); ok {
		t.Error("-f has no Flags field, Word(1) must say so")
	}
	// SET lines: the five masks, owner 1_02, instance 7.
	masks := []decode.SyncMask{0x0001800e, 0x00038002, 0x00038006, 0x0000000e, 0}
	for i, m := range masks {
		s := recs[4+i]
		w, _ := s.Owner()
		if s.Op != "SET" || !s.HasMask || s.Mask != m || w != 0x2000800 || len(s.Vals) != 34 || s.Table != "connections" || s.TableID != 8158 {
			t.Errorf("SET %d: op %s mask %v owner %#x vals %d table %s(%d)", i, s.Op, s.Mask, w, len(s.Vals), s.Table, s.TableID)
		}
	}
	if recs[4].Instance != 7 || recs[8].Instance != -1 {
		t.Errorf("instances %d %d", recs[4].Instance, recs[8].Instance)
	}
	// Correction: chassis 0 is STANDBY.
	c := recs[9]
	if c.Chassis != 0 || c.State != "STANDBY" || c.Func != "fwha_ccl_is_stateful_corr_needed" || c.Key.String() != "172.16.61.2:33183 -> 172.16.61.66:31435 tcp" {
		t.Errorf("correction: %+v", c)
	}
	// gconn: owner id 15.
	if g := recs[10]; g.OwnerID != 15 || g.Key.String() != "192.168.3.53:18192 -> 192.168.3.240:64216 tcp" {
		t.Errorf("gconn: %+v", g)
	}
}

func TestReal2014Dump(t *testing.T) {
	data, err := os.ReadFile("testdata/fwtab-2014-gateway.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, recs, r := scanAll(t, string(data), "fwtab-2014-gateway.txt")
	count := map[string]int{}
	for _, o := range out {
		count[o.kind]++
	}
	if count["fwtab"] != 11 || count["fwtab-link"] != 18 || count["host-header"] != 1 || count["table"] != 1 || count["error"] != 0 {
		t.Errorf("kinds = %v", count)
	}
	for _, rec := range recs {
		if rec.Kind == KindFwTab && len(rec.Vals) != 31 {
			t.Errorf("line %d: %d values, want 31", rec.Pos.Line, len(rec.Vals))
		}
	}
	s := r.Stats()
	if s.Lines != 34 || s.Ignored["banner"] != 1 || s.Ignored["blank"] != 2 {
		t.Errorf("stats: lines %d ignored %v", s.Lines, s.Ignored)
	}
}

func TestGconnTable(t *testing.T) {
	data, err := os.ReadFile("testdata/gconn-r81.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, recs, r := scanAll(t, string(data), "gconn")
	if len(out) != 8 {
		t.Fatalf("got %v", out)
	}
	owners := ""
	for _, rec := range recs {
		owners += fmt.Sprint(rec.OwnerID, " ")
	}
	if owners != "0 0 1 0 15 1 0 15 " {
		t.Errorf("owners = %q", owners)
	}
	if s := r.Stats(); s.Ignored["prompt"] != 1 || s.Ignored["banner"] != 4 {
		t.Errorf("ignored = %v", s.Ignored)
	}
}

// TestLines covers the per-line cases: prefixes, spacing, CRLF, wrapping,
// and every rejection with its exact message.
func TestLines(t *testing.T) {
	const set = `SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(3)=<1c001,2000800,0> sync_mask=[0x0001800e] ttl=0;`
	tests := []struct {
		name string
		in   string
		want []got
	}{
		{"empty", "", nil},
		{"blank lines", "\n  \n\t\n", nil},
		{"CRLF", "<00000001, 0a0d0873, 00004710, 0a0d0673, 00003af6, 00000006> -> <00000000, 0a0d0673, 00003af6, 0a0d0873, 00004710, 00000006> (00000005)\r\n", []got{{"fwtab-link", 1, ""}}},
		{"fw_N prefix and tabs", "\t[fw_0] <00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0001c001; 3597/3600>  ", []got{{"fwtab", 1, ""}}},
		{"BOM", "\xef\xbb\xbf" + set, []got{{"sync", 1, ""}}},
		{"timestamp prefix", "@;92545593;[vs_10];[tid_2];[fw4_2];" + set, []got{{"sync", 1, ""}}},
		{"fractional stamp", "@;882640557.8263;[vs_0];[tid_1];[fw4_1];" + set, []got{{"sync", 1, ""}}},
		{"cpu prefix", ";[cpu_3];[fw4_0];" + set, []got{{"sync", 1, ""}}},
		{"new op", "[vs_0];[fw4_1];SLINKS: connections (8158) keys(6)=<0,1,2,3,4,6> ttl=0;", []got{{"sync", 1, ""}}},
		{"delete without vals, spaced mask", "[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6> sync_mask=[ 0x0000000c];", []got{{"sync", 1, ""}}},
		{"other kernel line", "[kern];[tid_40];[fw4_0];fwha_something: hello;", []got{{"kdebug", 1, ""}}},
		{"wrapped entry", "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006;\n 0001c001, 40044080,\n 02008000; 00000001 ; 3394/3618>\n", []got{{"fwtab", 1, ""}}},
		{"dxl", "<172.16.61.2,172.16.61.66,dst_based,318>\nChassis 1: Blade(s):1_02,1_04\n", []got{{"dxl", 1, ""}, {"dxl-chassis", 2, ""}}},
		{"headers", "1_01:\n-*- 2 blades: 1_01 1_02 -*-\nlocalhost:\n-------- connections --------\n", []got{{"sgm-header", 1, ""}, {"sgm-header", 2, ""}, {"host-header", 3, ""}, {"table", 4, ""}}},
		{"unrecognized: ignored, not rejected (see TestUnrecognized)", "hello world", nil},
		{"non-hex value", "<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0001c001, zzzz0001; 3597/3600>", []got{{"error", 1, `t:1:72: value word "zzzz0001" is not hex (1 to 8 hex digits)`}}},
		{"non-hex key", "<00000000, 0a0d0777, 00g0851a, 0a0d0873, 00000016, 00000006; 0001c001; 3597/3600>", []got{{"error", 1, `t:1:22: key word "00g0851a" is not hex (1 to 8 hex digits)`}}},
		{"short key", "<00000000, 0a0d0777, 0000851a; 0001c001; 3597/3600>", []got{{"error", 1, "t:1: key has 3 words, expected 6 (dir, src, sport, dst, dport, proto)"}}},
		{"truncated entry", "<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0001c001, 0000", []got{{"error", 1, "t:1: truncated fw tab entry: no closing '>' (75 bytes over 1 line(s))"}}},
		{"truncated then next", "<00000000, 0a0d0777, 0000\n<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0001c001; 3597/3600>", []got{{"error", 1, "t:1: truncated fw tab entry: no closing '>' (25 bytes over 1 line(s))"}, {"fwtab", 2, ""}}},
		{"vals count", strings.Replace(set, "vals(3)", "vals(34)", 1), []got{{"error", 1, "t:1: vals(34) announced, 3 words found"}}},
		{"keys count", strings.Replace(set, "keys(6)", "keys(7)", 1), []got{{"error", 1, "t:1: keys(7) announced, 6 words found"}}},
		{"bad mask", strings.Replace(set, "0x0001800e", "0xZZ", 1), []got{{"error", 1, `t:1:102: sync_mask "0xZZ" is not hex`}}},
		{"port out of range", "<00000000, 0a0d0777, 1000851a, 0a0d0873, 00000016, 00000006; 0; 1/2>", []got{{"error", 1, "t:1: port word out of range: 0x1000851a, 0x16"}}},
		{"bad expiry", "<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; 0; x/2>", []got{{"error", 1, `t:1:65: expiry "x/2": expected remaining/timeout in seconds`}}},
		{"binary", "abc\x00def\n\x00\x01\n", []got{{"error", 1, "t:1: binary data (NUL bytes): not a text dump"}, {"error", 2, "t:2: binary data (NUL bytes): not a text dump"}}},
		{"gconn short row", "| 0 | 1.2.3.4 | 1 |", []got{{"error", 1, "t:1: gconn row has 3 cells, expected at least 12"}}},
		{"gconn bad id", "| 0 | 192.168.3.52 | 18192 | 192.168.3.240 | 46082 | 6 |FP .. ..| No | 0/0 | 1 | 32 | 99 | 0 | UNDEF |", []got{{"error", 1, `t:1: gconn row: clstr mem ID "99" is not an id 0..63`}}},
		{"-f missing key", "Direction: 0; Source: 1.2.3.4; Bits: 02008000000f9280;", []got{{"error", 1, "t:1: fw tab -f line lacks part of its key (Direction, Source, SPort, Dest, DPort, Protocol)"}}},
		{"-f bad bits", "Direction: 0; Source: 1.2.3.4; SPort: 1; Dest: 1.2.3.5; DPort: 2; Protocol: tcp; Bits: 0200;", []got{{"error", 1, `t:1:88: Bits: "0200" is not 16 hex digits (value words 13 and 14)`}}},
		{"bad banner", "-*- nothing here -*-", []got{{"error", 1, `t:1: banner "-*- nothing here -*-" names no SGM (expected e.g. -*- 1 blade: 1_01 -*-)`}}},
		{"syncstat", "Delta Sync Statistics\nSync status: Off - fullsync failed\nQueue sizes (num of updates):\nSending queue size........................... 512\nRate.........................................  46000 [Bps]\nReset on Sun Jun 3 14:37:26 2018 (triggered by fullsync).\n",
			[]got{{"syncstat", 1, ""}, {"syncstat-status", 2, ""}, {"syncstat-section", 3, ""}, {"syncstat-counter", 4, ""}, {"syncstat-counter", 5, ""}}},
		{"cpinfo structure", "==============================================\nCP components\n==============================================\nSPSHARED : Yes\n------------------------\nCP Status - FW\n------------------------\n+=========+  stderr +=========+\nIssuing 'hostname' :\ngw-ch01-02\n",
			[]got{{"section", 2, ""}, {"section", 6, ""}, {"section", 9, ""}, {"hostname", 10, ""}}}, // line 4: other cpinfo content

		{"states, panic, version", "| Chassis 1                     STANDBY                                     |\n| SGM ID         State          Process                   Policy Date       |\n| 3              DOWN           Inactive                  NA                |\n2          11.22.33.246    0%              DOWN           Member2\nMar 12 01:33:38 gw kernel: Kernel panic - not syncing: Fatal exception\n        HOTFIX_R81_10_JUMBO_HF_MAIN     Take:  78\n",
			[]got{{"site-state", 1, ""}, {"member-state", 3, ""}, {"member-state", 4, ""}, {"panic", 5, ""}, {"version", 6, ""}}},
		{"prompt and comment", "[Expert@gw:0]# fw tab -t connections -u\n# asg dxl calc 1.2.3.4 1.2.3.5 1\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _ := scanAll(t, tt.in, "t")
			if fmt.Sprint(out) != fmt.Sprint(tt.want) {
				t.Errorf("got  %v\nwant %v", out, tt.want)
			}
		})
	}
}

func TestLineTooLong(t *testing.T) {
	long := "<" + strings.Repeat("0", 200) + ">"
	in := "1_01:\n" + long + "\n2_01:\n"
	r := NewReader(strings.NewReader(in), "t")
	r.SetMaxLineLen(100)
	var out []got
	for r.Scan() {
		rec, err := r.Record()
		if err != nil {
			out = append(out, got{"error", 2, err.Error()})
			if !errors.Is(err, ErrLineTooLong) {
				t.Errorf("err %v is not ErrLineTooLong", err)
			}
			continue
		}
		out = append(out, got{rec.Kind.String(), rec.Pos.Line, ""})
	}
	want := []got{{"sgm-header", 1, ""}, {"error", 2, "t:2: line longer than 100 bytes skipped"}, {"sgm-header", 3, ""}}
	if fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", out, want)
	}
	if r.Stats().Rejected["line too long"] != 1 {
		t.Errorf("stats %v", r.Stats().Rejected)
	}
}

// TestLongLineAcrossBuffers reads a valid entry longer than the 64 KiB
// read buffer.
func TestLongLineAcrossBuffers(t *testing.T) {
	vals := strings.TrimSuffix(strings.Repeat("00000001, ", 20000), ", ")
	in := "<00000000, 0a0d0777, 0000851a, 0a0d0873, 00000016, 00000006; " + vals + "; 5/10>\n"
	_, recs, _ := scanAll(t, in, "t")
	if len(recs) != 1 || len(recs[0].Vals) != 20000 {
		t.Fatalf("got %d records", len(recs))
	}
}

type failReader struct{ n int }

func (f *failReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		f.n++
		return copy(p, "1_01:\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestIOError(t *testing.T) {
	r := NewReader(&failReader{}, "f")
	n := 0
	for r.Scan() {
		n++
	}
	if n != 1 || r.Err() == nil || r.Err().Error() != "f:2: disk on fire" {
		t.Errorf("records %d, Err() = %v", n, r.Err())
	}
}

func TestStatsAdd(t *testing.T) {
	const short = "| 0 | 1.2.3.4 | 1 |\n" // a gconn row cut short: rejected
	_, _, a := scanAll(t, "1_01:\nbad\n\n"+short, "a")
	_, _, b := scanAll(t, "bad\n"+short, "b")
	var s Stats
	s.Add(a.Stats())
	s.Add(b.Stats())
	if s.Lines != 6 || s.RejectedLines() != 2 || s.IgnoredLines() != 3 || s.RecognizedLines() != 1 || len(s.Examples) != 2 {
		t.Errorf("sum = %+v", s)
	}
	if s.Ignored[ReasonUnrecognized] != 2 || s.UnrecognizedLines() != 2 ||
		fmt.Sprint(s.Shapes()) != "[{bad 2 a:2}]" {
		t.Errorf("unrecognized %v, shapes %v", s.Ignored, s.Shapes())
	}
	if ks := s.Kinds(); len(ks) != 1 || ks[0] != KindSGMHeader {
		t.Errorf("Kinds = %v", ks)
	}
	if !IsRejected(s.Examples[0]) {
		t.Error("IsRejected")
	}
}

func TestSyncstatRecords(t *testing.T) {
	_, recs, _ := scanAll(t, "Rate.........................................  46000 [Bps]\nLost updates................................. 12\nName.........................................  SYNCBOND\n", "t")
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	if recs[0].Name != "Rate" || recs[0].Text != "46000 [Bps]" || !recs[0].HasNum || recs[0].Num != 46000 {
		t.Errorf("rate: %+v", recs[0])
	}
	if recs[1].Num != 12 || recs[2].HasNum || recs[2].Text != "SYNCBOND" {
		t.Errorf("records: %+v %+v", recs[1], recs[2])
	}
}

func TestPrefilter(t *testing.T) {
	in := "1_01:\n<00000000, 0a000001, 00001000, ac100001, 000001bb, 00000006; 0; 1/2>\n<00000000, 0a000002, 00001000, ac100001, 000001bb, 00000006; 0; 1/2>\ngarbage\n"
	r := NewReader(strings.NewReader(in), "t")
	r.SetPrefilter(func(line []byte) bool {
		return !bytes.HasPrefix(line, []byte("<")) || bytes.Contains(line, []byte("0a000002"))
	})
	var kinds []string
	for r.Scan() {
		if rec, err := r.Record(); err == nil {
			kinds = append(kinds, fmt.Sprint(rec.Kind, "@", rec.Pos.Line))
		}
	}
	if fmt.Sprint(kinds) != "[sgm-header@1 fwtab@3]" || r.Stats().Ignored["prefiltered"] != 1 || r.Stats().Ignored[ReasonUnrecognized] != 1 {
		t.Errorf("kinds %v, stats %+v", kinds, r.Stats())
	}
}

func TestStateAndVersionRecords(t *testing.T) {
	_, recs, _ := scanAll(t, "| Chassis 2                     ACTIVE                                      |\n| 3              DOWN           Inactive                  NA                |\n1 (local)  11.22.33.245    100%            ACTIVE(!)      Member1\nThis is Check Point's software version R81.10 - Build 040\n        HOTFIX_R81_10_JUMBO_HF_MAIN     Take:  78\n", "t")
	if len(recs) != 5 {
		t.Fatalf("%d records", len(recs))
	}
	if recs[0].Chassis != 2 || recs[0].State != "ACTIVE" || recs[1].Value != 3 || recs[1].State != "DOWN" ||
		recs[2].Value != 1 || recs[2].State != "ACTIVE(!)" || recs[3].Text != "R81.10" || recs[3].Value != -1 ||
		recs[4].Text != "R81.10" || recs[4].Value != 78 {
		t.Errorf("records: %+v", recs)
	}
}
