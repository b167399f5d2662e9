package parse

import (
	"fmt"
	"strings"
	"testing"
)

// pstatVendor is the vendor's example output of DOMAIN.md §3.12: the
// memory lines of ATRG and the Sync section of the ClusterXL guide.
const pstatVendor = `Hash kernel memory (hmem) statistics:
  Total memory bytes used: 201600 unused: 3992704 (95%) peak: 205872
  Allocations: 61671 alloc, 0 failed alloc, 59509 free

System kernel memory (smem) statistics:
  Allocations: 61671 alloc, 0 failed alloc, 59509 free, 0 failed free

Kernel memory (kmem) statistics:
  Allocations: 61671 alloc, 0 failed alloc, 59509 free, 0 failed free

Inspct: 2563 packets, 363870 operations
Cookies: 2563 total, 0 alloc, 0 free
Fragments: 272 fragments, 0 expired, 100 packets
NAT: 0/0 forw, 0/0 bckw, 0 tcpudp, 0 icmp, 0-0 alloc

Sync:
Version: new
Status: Able to Send/Receive sync packets
Sync packets sent:
total : 466729198, retransmitted : 241305, retrans reqs : 6089, acks : 809
Sync packets received:
total : 77283541, were queued : 6715, dropped by net : 6079
retrans reqs : 37462, received 175 acks
retrans reqs for illegal seq : 0
dropped updates as a result of sync overload: 0
Delta Sync memory usage: currently using 12 KB mem
Callback statistics: handled 138 cb, average delay : 2, max delay : 34
Number of Pending packets currently held: 1
Packets released due to timeout: 18
`

// pstatString renders a record as "line kind block|name|text|pairs".
func pstatString(rec *Record) string {
	var ps []string
	for _, p := range rec.Pairs {
		s := fmt.Sprintf("%s=%d", p.Name, p.Num)
		if p.Text != fmt.Sprint(p.Num) {
			s += "(" + p.Text + ")"
		}
		ps = append(ps, s)
	}
	return fmt.Sprintf("%d %s %s|%s|%s|%s", rec.Pos.Line, rec.Kind, rec.Table, rec.Name, rec.Text, strings.Join(ps, ","))
}

func scanPstat(t *testing.T, in string) ([]string, *Reader) {
	t.Helper()
	gots, recs, r := scanAll(t, in, "pstat.txt")
	var out []string
	i := 0
	for _, g := range gots {
		if g.err != "" {
			out = append(out, fmt.Sprintf("%d error %s", g.line, g.err))
			continue
		}
		out = append(out, pstatString(&recs[i]))
		i++
	}
	return out, r
}

func TestPstatVendorExample(t *testing.T) {
	want := []string{
		"1 pstat-block Hash kernel memory||hmem|",
		"2 pstat-counter Hash kernel memory|Total memory bytes used||Total memory bytes used=201600,unused=3992704,peak=205872",
		"3 pstat-counter Hash kernel memory|Allocations||alloc=61671,failed alloc=0,free=59509",
		"5 pstat-block System kernel memory||smem|",
		"6 pstat-counter System kernel memory|Allocations||alloc=61671,failed alloc=0,free=59509,failed free=0",
		"8 pstat-block Kernel memory||kmem|",
		"9 pstat-counter Kernel memory|Allocations||alloc=61671,failed alloc=0,free=59509,failed free=0",
		"11 pstat-counter Inspct|Inspct||packets=2563,operations=363870",
		"12 pstat-counter Cookies|Cookies||total=2563,alloc=0,free=0",
		"13 pstat-counter Fragments|Fragments||fragments=272,expired=0,packets=100",
		"14 pstat-counter NAT|NAT||forw=0(0/0),bckw=0(0/0),tcpudp=0,icmp=0,alloc=0(0-0)",
		"16 pstat-block Sync|||",
		"17 pstat-status Sync|Version|new|",
		"18 pstat-status Sync|Status|Able to Send/Receive sync packets|",
		"19 pstat-block Sync|Sync packets sent||",
		"20 pstat-counter Sync|Sync packets sent||total=466729198,retransmitted=241305,retrans reqs=6089,acks=809",
		"21 pstat-block Sync|Sync packets received||",
		"22 pstat-counter Sync|Sync packets received||total=77283541,were queued=6715,dropped by net=6079",
		"23 pstat-counter Sync|Sync packets received||retrans reqs=37462,received acks=175",
		"24 pstat-counter Sync|Sync packets received||retrans reqs for illegal seq=0",
		"25 pstat-counter Sync|Sync packets received||dropped updates as a result of sync overload=0",
		"26 pstat-counter Sync|Delta Sync memory usage||currently using KB mem=12",
		"27 pstat-counter Sync|Callback statistics||handled cb=138,average delay=2,max delay=34",
		"28 pstat-counter Sync|Callback statistics||Number of Pending packets currently held=1",
		"29 pstat-counter Sync|Callback statistics||Packets released due to timeout=18",
	}
	for _, in := range []string{pstatVendor, strings.ReplaceAll(pstatVendor, "\n", "\r\n")} {
		got, r := scanPstat(t, in)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("records\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if s := r.Stats(); s.RejectedLines() != 0 || s.Ignored["blank"] != 4 || s.IgnoredLines() != 4 {
			t.Errorf("ignored %v, rejected %v", s.Ignored, s.Rejected)
		}
	}
}

// TestPstatInCpinfo: inside a cpinfo command block, with a kmem line
// continued on the next, lines a newer release added and the end of the
// block at the next command.
func TestPstatInCpinfo(t *testing.T) {
	in := `Issuing 'fw ctl pstat' :

System Capacity Summary:
  Memory used: 8% (728 MB out of 8490 MB) - below watermark
  Aggressive Aging is enabled, not active

Kernel memory (kmem) statistics:
  Allocations: 2113749914 alloc, 3 failed alloc
               2113074000 free, 0 failed free
  Brand new counter: 7 widgets, 2 gadgets
  a line no release documents
Sync: off
Issuing 'date' :
Sync packets sent:
`
	want := []string{
		"1 section ||command|",
		"3 pstat-block System Capacity Summary|||",
		"4 pstat-counter System Capacity Summary|System Capacity Summary||Memory used=8(8%)",
		"7 pstat-block Kernel memory||kmem|",
		"8 pstat-counter Kernel memory|Allocations||alloc=2113749914,failed alloc=3",
		"9 pstat-counter Kernel memory|Allocations||free=2113074000,failed free=0",
		"10 pstat-counter Kernel memory|Brand new counter||widgets=7,gadgets=2",
		"12 pstat-status Sync|Sync|off|",
		"13 section ||command|",
	}
	got, r := scanPstat(t, in)
	for i := range got {
		got[i] = strings.Replace(got[i], "fw ctl pstat", "", 1)
		got[i] = strings.Replace(got[i], "|date|", "||", 1)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := r.Stats()
	if s.RejectedLines() != 0 || s.Ignored[ReasonPstatOther] != 2 || s.UnrecognizedLines() != 1 {
		t.Errorf("ignored %v, rejected %v, unrecognized %d", s.Ignored, s.Rejected, s.UnrecognizedLines())
	}
}

// TestPstatNotPstat: lines that only look like pstat outside a block,
// and damaged counter lines inside one.
func TestPstatNotPstat(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"label with text", "NAT: enabled\n", "1 unrecognized"},
		{"indented outside a block", "  total : 3, acks : 4\n", "1 unrecognized"},
		{"unindented end", "Fragments:\n 1 fragments\nHello world\n", "1 pstat-block|2 pstat-counter|1 unrecognized"},
		{"no number", "Fragments:\n  Allocations: lots\n", "1 pstat-block|2 error pstat.txt:2: pstat counter \"Allocations: lots\" holds no number"},
		{"too big", "Sync:\n total : 12345678901234567890\n", "1 pstat-block|2 error pstat.txt:2: pstat counter \"total : 12345678901234567890\": number 12345678901234567890 out of range"},
		{"after a rule", "------------------------\nFragments:\n------------------------\n", "2 section"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gots, _, r := scanAll(t, tt.in, "pstat.txt")
			var out []string
			for _, g := range gots {
				if g.err != "" {
					out = append(out, fmt.Sprintf("%d error %s", g.line, g.err))
				} else {
					out = append(out, fmt.Sprintf("%d %s", g.line, g.kind))
				}
			}
			if n := r.Stats().UnrecognizedLines(); n > 0 {
				out = append(out, fmt.Sprintf("%d unrecognized", n))
			}
			if got := strings.Join(out, "|"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPstatPairsAreCopies(t *testing.T) {
	_, recs, _ := scanAll(t, "Fragments: 1 a, 2 b\nNAT: 3 c\n", "x")
	if len(recs) != 2 || recs[0].Pairs[0].Name != "a" || recs[1].Pairs[0].Name != "c" {
		t.Errorf("records %+v", recs)
	}
}
