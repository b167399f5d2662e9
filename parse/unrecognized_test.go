package parse

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@;92545593;[cpu_3];[fw4_0];fwldbcast_recv: got 12 bytes from 0a0d0873", "@;N;[cpu_N];[fw4_N];fwldbcast_recv: ..."},
		{"Sep 30 02:30:00 mygw-ch01-01 kernel: e1000e: eth0 NIC Link is Up", "Sep N N:N:N mygw-ch01-N kernel: ..."},
		{"Sync      Link encap:Ethernet  HWaddr 00:1C:7F:01:01:01", "Sync Link encap:Ethernet HWaddr N:N:N:N:N:N"},
		{"SPSHARED : Yes", "SPSHARED : ..."},
		{"kernel:", "kernel:"},
		{"a deadbeef ffffffff 0x1F fade cafe add", "a N N N fade cafe add"},
		{"hello\x1b[31m world\u00e9\u00e8!", "hello?[31m world?!"},
		{"this line is much longer than the shape may be, so it is cut at a space", "this line is much longer than the shape may be, ..."},
		{strings.Repeat("x", 200), strings.Repeat("x", MaxShapeLen) + " ..."},
		{"1.2.3.4 -> 5.6.7.8", "N.N.N.N -> N.N.N.N"},
	}
	for _, tt := range tests {
		got, h := appendShape(nil, []byte(tt.in))
		if string(got) != tt.want {
			t.Errorf("shape of %q = %q, want %q", tt.in, got, tt.want)
		}
		if h != fnv([]byte(tt.want)) {
			t.Errorf("hash of %q is not the hash of its shape", tt.in)
		}
	}
}

// TestUnrecognized: a line no format recognizes is ignored, never
// rejected: "other cpinfo content" once the input has shown it is a
// cpinfo, "unrecognized" before and elsewhere; and counted by shape.
func TestUnrecognized(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		ignored map[string]int64
		shapes  string
	}{
		{"plain", "hello world\n1_01:\nhello world\nnumber 12\nnumber 13\n",
			map[string]int64{ReasonUnrecognized: 4}, "[{hello world 2 t:1} {number N 2 t:4}]"},
		{"cpinfo after a section title", "before\n==============================================\nCP components\n==============================================\nSPSHARED : Yes\nSPSHARED : No\n",
			map[string]int64{ReasonUnrecognized: 1, ReasonCpinfoOther: 2, "banner": 2}, "[{SPSHARED : ... 2 t:5} {before 1 t:1}]"},
		{"cpinfo after an Issuing line", "Issuing 'uptime' :\n 02:30:00 up 42 days,  21:57,  1 user\n",
			map[string]int64{ReasonCpinfoOther: 1}, "[{N:N:N up N days, N:N, N user 1 t:2}]"},
		{"cpinfo banner", "************************************************************************\n                    Check Point Support Information.\n                  CPinfo Build 914000227 for GAIA\n************************************************************************\nlo        Link encap:Local Loopback\n",
			map[string]int64{ReasonCpinfoOther: 1, "banner": 4}, "[{lo Link encap:Local Loopback 1 t:5}]"},
		{"a line a format would take, damaged: rejected", "-*- nothing here -*-\nok 1\n", map[string]int64{ReasonUnrecognized: 1}, "[{ok N 1 t:2}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, r := scanAll(t, tt.in, "t")
			s := r.Stats()
			var errs int64
			for _, o := range out {
				if o.kind == "error" {
					errs++
				}
			}
			if !maps.Equal(s.Ignored, tt.ignored) || s.RejectedLines() != errs {
				t.Errorf("ignored %v rejected %v, want ignored %v", s.Ignored, s.Rejected, tt.ignored)
			}
			if got := fmt.Sprint(s.Shapes()); got != tt.shapes {
				t.Errorf("shapes %s, want %s", got, tt.shapes)
			}
			if n := s.Ignored[ReasonUnrecognized] + s.Ignored[ReasonCpinfoOther]; s.UnrecognizedLines() != n {
				t.Errorf("UnrecognizedLines %d, ignored as unrecognized %d", s.UnrecognizedLines(), n)
			}
		})
	}
}

// TestRejectUnrecognized: with SetRejectUnrecognized (decode), a line no
// format recognizes is rejected, with its position, as before.
func TestRejectUnrecognized(t *testing.T) {
	r := NewReader(strings.NewReader("1_01:\nhello world\n"), "t")
	r.SetRejectUnrecognized(true)
	var errs []string
	for r.Scan() {
		if _, err := r.Record(); err != nil {
			if !errors.Is(err, ErrUnrecognized) {
				t.Errorf("%v is not ErrUnrecognized", err)
			}
			errs = append(errs, err.Error())
		}
	}
	want := "[t:2: not a recognized entry (expected a fw tab -u/-f entry, a kernel-debug sync or correction line, a gconn row or asg dxl calc output)]"
	if fmt.Sprint(errs) != want {
		t.Errorf("errors %v, want %s", errs, want)
	}
	if s := r.Stats(); s.Rejected["unrecognized line"] != 1 || s.UnrecognizedLines() != 0 || len(s.Shapes()) != 0 {
		t.Errorf("stats %+v", s)
	}
}

// shapeLines makes n lines of distinct shapes ("word<i> 12").
func shapeLines(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s%s 12\n", prefix, strings.Repeat("q", i%7+1)+string(rune('g'+i/7%20)))
	}
	return b.String()
}

// TestShapesBounded: past shapesKept distinct shapes the table keeps a
// sample chosen by key, with exact counts, and the stats of parts add up to
// those of the whole whatever the cut.
func TestShapesBounded(t *testing.T) {
	old := shapesKept
	shapesKept = 5
	t.Cleanup(func() { shapesKept = old })
	in := shapeLines("", 60) + strings.Repeat("qg 1\n", 10) + shapeLines("", 60)
	_, _, whole := scanAll(t, in, "t")
	ws := whole.Stats()
	if n, sampled := ws.ShapeCount(); n != 5 || !sampled || ws.UnrecognizedLines() != 130 {
		t.Fatalf("ShapeCount %d %v, lines %d", n, sampled, ws.UnrecognizedLines())
	}
	var listed int64
	for _, sh := range ws.Shapes() {
		listed += sh.Count
		if want := int64(strings.Count("\n"+in, "\n"+strings.TrimSuffix(sh.Shape, "N")+"12\n")); sh.Shape != "qg N" && sh.Count != want {
			t.Errorf("shape %q counted %d, want %d", sh.Shape, sh.Count, want)
		}
	}
	if listed > ws.UnrecognizedLines() {
		t.Errorf("%d lines listed, %d unrecognized", listed, ws.UnrecognizedLines())
	}
	lines := strings.SplitAfter(in, "\n")
	for _, cut := range []int{1, 17, 60, 65, 100} {
		_, _, a := scanAll(t, strings.Join(lines[:cut], ""), "t")
		_, _, b := scanAll(t, strings.Join(lines[cut:], ""), "t")
		var sum Stats
		sum.addChunk(a.Stats(), 0, false)
		sum.addChunk(b.Stats(), cut, false)
		if got, want := shapeDump(&sum), shapeDump(ws); got != want {
			t.Errorf("cut at %d: parts add to\n%s\nwhole:\n%s", cut, got, want)
		}
	}
}

func shapeDump(s *Stats) string {
	n, sampled := s.ShapeCount()
	out := fmt.Sprintf("lines=%d kept=%d sampled=%v\n", s.UnrecognizedLines(), n, sampled)
	for _, e := range s.shapes.sorted(func(a, b *shapeEntry) int { return strings.Compare(a.shape, b.shape) }) {
		out += fmt.Sprintf("%q x%d %s\n", e.shape, e.count, e.first)
	}
	return out
}

// TestSplitUnrecognized: a split file gives the serial reasons (a chunk
// cannot see that the file is a cpinfo) and the serial shapes, also when
// there are more than can be kept.
func TestSplitUnrecognized(t *testing.T) {
	old := shapesKept
	shapesKept = 7
	t.Cleanup(func() { shapesKept = old })
	cpinfo := "==============================================\nSystem Information\n==============================================\n" +
		"Issuing 'uptime' :\n" + shapeLines("up ", 40) + "Sep 30 02:30:00 gw kernel: Kernel panic - not syncing\n" + shapeLines("", 80)
	cases := map[string]string{
		"no cpinfo":        shapeLines("", 300),
		"cpinfo late":      shapeLines("pre ", 120) + cpinfo + shapeLines("post ", 100),
		"cpinfo at start":  cpinfo + strings.Repeat(cpinfo, 3),
		"banner then rest": strings.Repeat("hello 1\n", 200) + "CPinfo Build 914000227 for GAIA\n" + shapeLines("", 200),
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.txt")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			checkSplit(t, path, 1, 40, 333, 2000)
		})
	}
}

// TestJumboHotfixTake reads the three public shapes of the take in
// `cpinfo -y all` (DOMAIN.md 3.9).
func TestJumboHotfixTake(t *testing.T) {
	type version struct {
		line       int
		name, text string
		take       int
	}
	tests := []struct {
		name    string
		in      string
		want    []version
		listing int64 // lines ignored as "hotfix listing"
	}{
		{"R81.20: Take: column, a heading without it, BUNDLE",
			"[Expert@gw-ch01-01:0]# cpinfo -y all\n" +
				"\n" +
				"This is Check Point CPinfo Build 914000240 for GAIA\n" +
				"[MGMT]\n" +
				"\tHOTFIX_R81_20_JUMBO_HF_MAIN\tTake:  122\n" +
				"\n" +
				"[FW1]\n" +
				"\tHOTFIX_R81_20_JUMBO_HF_MAIN\tTake:  122\n" +
				"\tHOTFIX_GOT_TPAPI_AUTOUPDATE\n" +
				"\n" +
				"[VSEC]\n" +
				"\tHOTFIX_R81_20_JUMBO_HF_MAIN\n" +
				"\n" +
				"[Reporting Module]\n" +
				"        BUNDLE_R81_20_JUMBO_HF_MAIN  Take:  122\n" +
				"[CPFC]\n" +
				"        No hotfixes..\n",
			[]version{
				{5, "HOTFIX_R81_20_JUMBO_HF_MAIN", "R81.20", 122},
				{8, "HOTFIX_R81_20_JUMBO_HF_MAIN", "R81.20", 122},
				{12, "HOTFIX_R81_20_JUMBO_HF_MAIN", "R81.20", -1}, // [VSEC]: not shown
				{15, "BUNDLE_R81_20_JUMBO_HF_MAIN", "R81.20", 122},
			}, 7},
		{"R80.20: the take in the name, other numbers are not takes",
			"This is Check Point CPinfo Build 914000191 for GAIA\n" +
				"[IDA]\n" +
				"\tNo hotfixes..\n" +
				"\n" +
				"[FW1]\n" +
				"\tHOTFIX_R80_20_JHF_T118_EQ_251_MAIN\n" +
				"\tHOTFIX_GOT_TPAPI_AUTOUPDATE\n" +
				"\n" +
				"FW1 build number:\n" +
				"This is Check Point's software version R80.20 - Build 047\n" +
				"kernel: R80.20 - Build 117\n",
			[]version{
				{6, "HOTFIX_R80_20_JHF_T118_EQ_251_MAIN", "R80.20", 118},
				{10, "", "R80.20", -1},
			}, 4},
		{"R77.30: no take anywhere",
			"This is Check Point CPinfo Build 914000182 for GAIA\n" +
				"[IDA]\n" +
				"\tNo hotfixes..\n" +
				"[FW1]\n" +
				"\tNo hotfixes..\n" +
				"FW1 build number:\n" +
				"This is Check Point's software version R77.30 - Build 286\n" +
				"kernel: R77.30 - Build 237\n",
			[]version{{7, "", "R77.30", -1}}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, recs, r := scanAll(t, tt.in, "t")
			var got []version
			for _, rec := range recs {
				switch rec.Kind {
				case KindVersion:
					got = append(got, version{rec.Pos.Line, rec.Name, rec.Text, rec.Value})
				case KindKdebug:
					t.Errorf("line %d read as kernel debug", rec.Pos.Line)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("versions %v\nwant     %v\n(all: %v)", got, tt.want, out)
			}
			s := r.Stats()
			if s.Ignored["hotfix listing"] != tt.listing || s.RejectedLines() != 0 {
				t.Errorf("ignored %v, rejected %v", s.Ignored, s.Rejected)
			}
		})
	}
}

// BenchmarkReaderUnrecognized reads syslog lines, which no format
// recognizes: what counting them by shape costs.
func BenchmarkReaderUnrecognized(b *testing.B) {
	benchRead(b, benchInput(func(i int) string {
		return fmt.Sprintf("Sep 30 02:%02d:%02d mygw-ch01-0%d sshd[%d]: Accepted publickey for admin from 192.0.2.%d port %d ssh2", i/60%60, i%60, i%4+1, 4000+i, i%250, 40000+i%20000)
	}))
}
