package parse

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// checkReader reads data and checks the invariants every input must keep:
// no panic, every error a *SyntaxError at a line that was read, and every
// line accounted for.
func checkReader(t *testing.T, data string) {
	r := NewReader(strings.NewReader(data), "fuzz")
	r.SetMaxLineLen(4096)
	for r.Scan() {
		rec, err := r.Record()
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if se.Pos.Line < 1 || int64(se.Pos.Line) > r.Stats().Lines || se.Err == nil {
				t.Fatalf("error %v at line %d of %d, cause %v", err, se.Pos.Line, r.Stats().Lines, se.Err)
			}
			continue
		}
		if rec == nil || rec.Kind == KindNone || rec.Pos.Line < 1 || rec.Lines < 1 {
			t.Fatalf("bad record %+v", rec)
		}
		if rec.Kind == KindFwTabF && len(rec.Vals) < 15 {
			t.Fatalf("-f record with %d value slots", len(rec.Vals))
		}
		_, _ = rec.Owner()
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v on an in-memory reader", err)
	}
	s := r.Stats()
	if s.RecognizedLines()+s.IgnoredLines()+s.RejectedLines() != s.Lines {
		t.Fatalf("accounting: %d + %d + %d != %d", s.RecognizedLines(), s.IgnoredLines(), s.RejectedLines(), s.Lines)
	}
	if want := int64(strings.Count(data, "\n")); s.Lines != want && s.Lines != want+1 {
		t.Fatalf("counted %d lines, input has %d newlines", s.Lines, want)
	}
	// The lines no format recognized are ignored, all of them by shape.
	if n := s.Ignored[ReasonUnrecognized] + s.Ignored[ReasonCpinfoOther]; s.UnrecognizedLines() != n {
		t.Fatalf("%d lines by shape, %d ignored as unrecognized", s.UnrecognizedLines(), n)
	}
	var listed int64
	for _, sh := range s.Shapes() {
		listed += sh.Count
		if sh.Count < 1 || sh.First.Line < 1 || int64(sh.First.Line) > s.Lines || sh.Shape == "" || len(sh.Shape) > MaxShapeLen+4 {
			t.Fatalf("bad shape %+v", sh)
		}
	}
	if listed > s.UnrecognizedLines() {
		t.Fatalf("shapes list %d lines, %d unrecognized", listed, s.UnrecognizedLines())
	}
}

func seedLines(f *testing.F, path string) {
	f.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	for line := range strings.SplitSeq(string(data), "\n") {
		f.Add(line)
	}
}

func FuzzReader(f *testing.F) {
	seedLines(f, "testdata/seed-entries.txt")
	f.Add("<0,1\n 2>\n<a> -> <b>\n-*- -*-\n|||\n@;;[;\n")
	f.Add("Issuing 'cpinfo -y all' :\n[FW1]\n\tHOTFIX_R81_20_JUMBO_HF_MAIN\tTake:  122\n\tHOTFIX_R80_20_JHF_T118_EQ_251_MAIN\nNo hotfixes..\nSep 30 02:30:00 gw kernel: e1000e: eth0 up\n")
	// fw ctl pstat: memory blocks, one-line counters, Sync, unknown and damaged lines.
	f.Add("Issuing 'fw ctl pstat' :\n\nSystem kernel memory (smem) statistics:\n  Total memory bytes used: 201600 unused: 3992704 (95%) peak: 205872\n  Allocations: 61671 alloc, 1342 failed alloc, 59509 free, 0 failed free\n  a new line\nKernel memory (kmem) statistics:\n  Allocations: 9 alloc, 0 failed alloc\n     8 free, 0 failed free\n\nFragments: 272 fragments, 0 expired, 100 packets\nNAT: 12999/0 forw, 5021-65531 alloc\nCookies:\n   3 total, 0 alloc,\n")
	f.Add("Sync:\n Version: new\n Status: Unable to receive sync packets\n Sync packets received:\n  total : 23,  were queued : 0, dropped by net : 6079\n  retrans reqs : 0, received 114 acks\n  dropped updates as a result of sync overload: 57\n Callback statistics: handled 97 cb, average delay : 1,  max delay : 2\n Allocations: none\n x: 99999999999999999999\nSync: off\n")
	f.Fuzz(checkReader)
}

func FuzzFwTab(f *testing.F) {
	seedLines(f, "testdata/fwtab-2014-gateway.txt")
	f.Add("<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006;\n 0001c001,\n 02008000; 00000001 ; 3394/3618>")
	f.Fuzz(checkReader)
}

func FuzzSync(f *testing.F) {
	f.Add("[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(3)=<1c001,2000800,0> sync_mask=[0x0001800e] ttl=0;")
	f.Add("@;882640557.8263;[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6> sync_mask=[ 0x0000000c];")
	f.Add("[kern];[tid_40];[fw4_0];fwha_ccl_is_stateful_corr_needed: <172.16.61.2(33183) -> 172.16.61.66(31435) IPP6>: chassis 0 is STANDBY in VS0, will not correct;")
	// Wrapped: inside vals, before sync_mask, inside the mask, before keys.
	f.Add("@;5;[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(16)=<1c001,40044080,f,b,0,68da50ae,0,412afd3c,e6fc6e36,54,ffffffff,ffffffff,ffffffff,2000800,\nf9280,80000000> sync_mask=[0x0001800e] refresh time=3608 aggressive time=509 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;\n")
	f.Add("[fw4_1];REFRESH: connections (8158) keys(6)=<0,1,2,3,4,6> vals(1)=<2>\n sync_mask=[0x0001\n800e] ttl=0\n;\n[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6>\n[fw4_1];SET: connecti\nons (8158) keys(6)=<0,1,\n\n2,3,4,6>;\n")
	f.Add("[]\n[fw4_1];X: \n[vs_0];")
	// Malformed stamps (rejected), and the longest read.
	f.Add("@;123456789012345678901234567890;[fw4_1];X: a;\n@;-5;[fw4_0];x\n@;0x10;x\n@;999999999999999999.123456789012345;[fw4_1];DELETE: connections (8158) keys(1)=<0>;\n")
	f.Fuzz(checkReader)
}

func FuzzFwTabF(f *testing.F) {
	f.Add("04:18:08 5 N/A : -(+); Direction: 0; Source: 172.16.61.66; SPort: 18399; Dest: 172.16.61.2; DPort: 179; Protocol: tcp; CPTFMT_sep_1: ;; Type: 114689; Rule: 15; Ifncout: -1; Bits: 02008000000f9280; Expires: 3394/3618; LastUpdateTime: 30Sep2025 04:18:08;")
	f.Fuzz(checkReader)
}

func FuzzSyncstat(f *testing.F) {
	seedLines(f, "testdata/syncstat-r80.20.txt")
	seedLines(f, "testdata/syncstat-r81.10.txt")
	// Counters that are not counts (rejected) and one over 2^63.
	f.Add("Delta Sync Statistics\nLost updates.......... -5\nTotal....... 18446744073709551617\nRate..... NaN\nX.... 0x10\nY.... 1.5 [KB]\n")
	f.Fuzz(checkReader)
}

func FuzzGconnDxl(f *testing.F) {
	seedLines(f, "testdata/gconn-r81.txt")
	f.Add("<172.16.61.2,172.16.61.66,dst_based,318>\nChassis 1: Blade(s):1_02,1_04\n")
	f.Add("| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|In\nst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|\n| 0 | 192.168.3.53 | 18192 | 192.168.3.240 | 64216 | 6 |FP .. ..| No | 0/0 | 1 | 32 |\n 15 | 0 | UNDEF |\n| 0 | 0.0.0.0 | 8116 | 192.168.3.53 | 8116 | 17 |FP .. ..| No | 0/0 | 1 | 32 | 1\n| 0 | UNDEF |\n")
	f.Fuzz(checkReader)
}
