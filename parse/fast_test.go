package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// The differential tests of the fast paths: the same bytes read with them
// and without must give the same records, every field, the same
// rejections and the same accounting.

// fullTranscript is every field of every record, each rejection, and the
// accounting, as Pipe hands them out of r.
func fullTranscript(sb *strings.Builder, r *Reader) error {
	err := Pipe(r, func(rec *Record, err error) error {
		if err != nil {
			writeErr(sb, err)
			return nil
		}
		c := *rec
		c.shape = KindNone // bookkeeping of the fast path, not a field of the record
		// The keys' Dir too: %v prints a Key by its Tuple's String.
		fmt.Fprintf(sb, "%+v dir=%d link dir=%d\n", c, c.Key.Dir, c.Link.Dir)
		return nil
	})
	s := r.Stats()
	fmt.Fprintf(sb, "stats lines=%d recognized=%v ignored=%v rejected=%v\n", s.Lines, s.Recognized, s.Ignored, s.Rejected)
	return err
}

// writeErr writes a rejection, or another error, of a transcript.
func writeErr(sb *strings.Builder, err error) {
	var se *SyntaxError
	if errors.As(err, &se) {
		fmt.Fprintf(sb, "reject %s\n", se.Error())
	} else {
		fmt.Fprintf(sb, "error %v\n", err)
	}
}

// wordModes are the value words the differential tests read: all, as
// storms and owners read (the owner word alone: 14 words, the first 13
// counted, not decoded), the first 14 decoded, and few.
var wordModes = []struct{ n, skip int }{{0, 0}, {14, 13}, {14, 0}, {3, 0}, {3, 2}}

// fastDiff reads data both ways and returns the first difference, or "".
func fastDiff(tb testing.TB, data []byte, valWords, skip int) string {
	tb.Helper()
	read := func(on bool) string {
		var sb strings.Builder
		r := NewReader(bytes.NewReader(data), "in.txt")
		r.SetFastPaths(on)
		r.SetValueWords(valWords)
		r.SetSkipWords(skip)
		if err := fullTranscript(&sb, r); err != nil {
			fmt.Fprintf(&sb, "error %v\n", err)
		}
		return sb.String()
	}
	full, fast := read(false), read(true)
	if full == fast {
		return ""
	}
	return firstDiff(full, fast)
}

// walkTranscript reads path (a file, folder or archive) the way the
// commands do.
func walkTranscript(t *testing.T, path string, on bool) string {
	t.Helper()
	var sb strings.Builder
	_, err := Walk([]string{path}, nil, Limits{}, func(src Source, r *Reader) error {
		r.SetFastPaths(on)
		fmt.Fprintf(&sb, "input %s\n", src.Name)
		return fullTranscript(&sb, r)
	})
	if err != nil {
		fmt.Fprintf(&sb, "walk error %v\n", err)
	}
	return sb.String()
}

// TestFastMatchesFullCorpus reads every fixture and shipped sample both
// ways.
func TestFastMatchesFullCorpus(t *testing.T) {
	var paths []string
	for _, glob := range []string{"testdata/*", "testdata/bad/*", "testdata/containers/*", "../samples/*.txt",
		"../samples/switchover", "../samples/bundle/bundle.tgz", "../report/testdata/*", "../report/trace/testdata/*"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("only %d corpus paths found: %v", len(paths), paths)
	}
	for _, p := range paths {
		full, fast := walkTranscript(t, p, false), walkTranscript(t, p, true)
		if full != fast {
			t.Errorf("%s: the fast path differs from the full parser\n%s", p, firstDiff(full, fast))
		}
	}
}

// simCapture is a simulated kernel-debug capture of the given scenario.
func simCapture(tb testing.TB, cfg sim.Config) []byte {
	tb.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteKdebug(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// simDump is a simulated `fw tab -t connections -u` dump of every SGM.
func simDump(tb testing.TB, cfg sim.Config) []byte {
	tb.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteFwTabAll(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestFastMatchesFullSim reads the simulator's captures and dumps both
// ways, with the value words the analyses ask for and with all of them.
func TestFastMatchesFullSim(t *testing.T) {
	cfgs := map[string]sim.Config{"switchover": sim.DefaultConfig(), "quiet": sim.QuietConfig()}
	for name, cfg := range cfgs {
		cfg.Conns = 3000
		data := append(simCapture(t, cfg), simDump(t, cfg)...)
		if !bytes.Contains(data, []byte("SET: connections")) || !bytes.Contains(data, []byte("> -> <")) {
			t.Fatalf("%s: no SET line or no link line in the simulated inputs", name)
		}
		for _, w := range wordModes {
			if d := fastDiff(t, data, w.n, w.skip); d != "" {
				t.Errorf("%s, %+v value words: the fast path differs from the full parser\n%s", name, w, d)
			}
		}
	}
}

// syncVariants are lines near the fast path's shape: each must be read
// as the full parser reads it, whether the fast path takes it or not.
var syncVariants = []string{
	"@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(34)=<1c001,40044080,1c,b,0,68daf999,0,c72f5ee5,c4bfaa92,2a,ffffffff,ffffffff,ffffffff,2000800,f9280,80000000,340,0,4f8b230f,7f25,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0002800b] refresh time=3602 aggressive time=518 ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;",
	"@;5;[fw4_7];REFRESH: connections (8158) keys(6)=<1,a845cea,8922,ac102381,1bb,6> vals(15)=<1,2,3,4,5,6,7,8,9,a,b,c,d,2000800,f> sync_mask=[0x3];",
	"@;5;[fw4_7];DELETE: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6>;",
	"@;5;[fw4_7];DELETE: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> sync_mask=[0x3];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(3)=<1,2,3> sync_mask=[0x3] x;",
	// Counts that do not match, words that are not hex, out-of-range keys.
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb> vals(1)=<1>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(2)=<1>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,18922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,106> vals(1)=<1>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(2)=<1,zz>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(2)=<1,123456789>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0, a845cea,8922,ac102381,1bb,6> vals(2)=<1, 2>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(16)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,f,>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(17)=<1,2,3,4,5,6,7,8,9,a,b,c,d,e,f, sync_mask=[0x5]> sync_mask=[0x3];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0xzz];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[3];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[00000000];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0X0x5];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[ 0x5 ];",
	"@;5;[fw4_7];DELETE: connections (8158) keys(6)=<0,ac529b3,97ae,ac102a36,19,6> sync_mask=[ 0x00000002] ttl=0 sync time=1;",
	"@;5;[fw4_7];DELETE: connections (8158) keys(6)=<0,ac529b3,97ae,ac102a36,19,6> sync_mask=[\t0x 2];",
	"@;5;[fw4_7];DELETE: connections (8158) keys(6)=<0,ac529b3,97ae,ac102a36,19,6> sync_mask=[ ];",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> junk vals(2)=<1,2>;",
	// SET tails in other orders and shapes.
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3] aggressive time=5 refresh time=7 op_code=1;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3] refresh time=x aggressive time=9 op_code=;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3] refresh time=99999999999 aggressive time=1 aggressive time=2 op_code=3 op_code=4;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3]refresh time=1 aggressive time=2;",
	// Stamps, tags and tables the fast path leaves to the full parser.
	"@;5.25;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;1234567890123456789;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[admin@gw];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw4_7;SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw_3][fw4_x] SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw4_7];SET: cphwd_tmp (8159) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw4_7];SET: connections (x) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw4_7];SET: connections (8158) keys(5)=<a845cea,8922,ac102381,1bb,6> vals(1)=<1>;",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3]",
	"@;5;[fw4_7];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1> sync_mask=[0x3]\n    refresh time=3;",
}

// fwtabVariants are fw tab -u lines near the fixed shape of words8.
var fwtabVariants = []string{
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000, 000f9280, 80000000; 00000001 ; 2151/3600>",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
	"<00000000,0af18768,000005ce,ac10200c,000001bb,00000006;0001c001,40044080;2151/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006, 00000007; 0001c001; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb; 0001c001; 1/2>",
	"<00000000, 0af18768, 000105ce, ac10200c, 000001bb, 00000006; 0001c001; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000106; 0001c001; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 0000000g; 0001c001; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006 ; 0001c001 , 00000002; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 00000002, 00000003, 00000004, 00000005, 00000006, 00000007, 00000008, 00000009, 0000000a, 0000000b, 0000000c, 0000000d, 0000000e, ; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 00000002, 00000003, 00000004, 00000005, 00000006, 00000007, 00000008, 00000009, 0000000a, 0000000b, 0000000c, 0000000d, 0000000e, zz; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 00000002, 00000003, 00000004, 00000005, 00000006, 00000007, 00000008, 00000009, 0000000a, 0000000b, 0000000c, 0000000d, 0000000e,0000000f; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 0000002,  00000003; 00000001; 1/x>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006;  0001c001, 00000002 ; 00000001 ; 00000002 ; 5/6>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; ; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006> -> <00000000, 0af18768, 000005ce, ac10200c, 000001bb, 0000000x> (00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006>", // no flags
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080>",                                             // no expiry
	// Near the shape fastFwTab takes whole: a NUL, a comma, a ';' or an
	// upper-case digit in a word it does not decode, other spacing, a CR.
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 4004\x0080, 00000022; 00000001 ; 2151/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 4004,080, 00000022; 00000001 ; 2151/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 4004;080, 00000022; 00000001 ; 2151/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001C001, 40044080, 00000022; 00000001 ; 2151/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 2151/3600>\r",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 2151/3600> ",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 2151 /3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 99999999999/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; /3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 1/2/3>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 0000000x ; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001, 00000002 ; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 00000002 ;>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 1234/678 ; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022;1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 1/2>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001,40044080, 00000022; 1/2>",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (0000000x)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00010050, 00000006> (00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006>(00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (\x0000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (5)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006>-> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000106> (00000005)",
	// Expiries around the 7 digits read 8 bytes at a time.
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 1234567/7654321>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 12345678/3600>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 3600/12345678>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 0002151/0>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 4294967295/4294967296>",
	"<00000000, 0af18768, 000005ce, ac10200c, 000001bb, 00000006; 0001c001, 40044080, 00000022; 00000001 ; 2151/3600>>",
	// A link whose own key is out of range (ScanSinks checks it undecoded).
	"<00000001, ac1027ce, 00010050, 0a377274, 00003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 10003a1c, 00000006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00000106> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
	"<00000001, ac1027ce, 00000050, 0a377274, 00003a1c, 00001006> -> <00000000, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
	"<00000005, ac1027ce, 00000050, 0a377274, 00003a1c, 000000ff> -> <00000003, 0a377274, 00003a1c, ac1027ce, 00000050, 00000006> (00000005)",
}

func TestFastMatchesFullVariants(t *testing.T) {
	for i, line := range fwtabVariants {
		for _, w := range wordModes {
			if d := fastDiff(t, []byte(line+"\n"), w.n, w.skip); d != "" {
				t.Errorf("fw tab variant %d, %+v value words: %s\n%s", i, w, line, d)
			}
		}
	}
	for i, line := range syncVariants {
		for _, w := range wordModes {
			if d := fastDiff(t, []byte(line+"\n"), w.n, w.skip); d != "" {
				t.Errorf("variant %d, %+v value words: %s\n%s", i, w, line, d)
			}
		}
	}
	// The fast paths do take the common shapes (else the test proves
	// nothing about them).
	for _, line := range fwtabVariants[:2] {
		for _, w := range wordModes {
			r := NewReader(strings.NewReader(line), "in.txt")
			r.SetValueWords(w.n)
			r.SetSkipWords(w.skip)
			if !r.fastFwTab([]byte(line), Pos{}) {
				t.Fatalf("the fast path refuses the common fw tab line (%+v value words): %s", w, line)
			}
		}
	}
	for _, skip := range []int{0, 13} {
		r := NewReader(strings.NewReader(syncVariants[0]), "in.txt")
		r.SetValueWords(14)
		r.SetSkipWords(skip)
		if !r.fastSync([]byte(syncVariants[0]), Pos{}) {
			t.Fatalf("the fast path refuses the common SET line (%d words skipped)", skip)
		}
		if rec, _ := r.Record(); rec == nil || rec.Skipped != skip {
			t.Fatalf("the common SET line read with %d words skipped: %+v", skip, rec)
		}
	}
}

// TestFastMatchesFullWarm reads each variant after lines whose prefixes
// the fast path has kept (see pfxCache), and lines whose prefixes differ
// from a kept one by one byte: a kept prefix must never stand for bytes
// that are not its own.
func TestFastMatchesFullWarm(t *testing.T) {
	base := syncVariants[0]
	edits := [][2]string{
		{"[tid_2]", "[tid_3]"}, {"[fw4_2]", "[fw4_3]"}, {"[fw4_2]", "[fw4_x]"}, {"[fw4_2]", "[fw4@2]"}, {"[fw4_2];", "[fw4_2 "},
		{"SET:", "SEt:"}, {"SET:", "SETS:"}, {"SET: ", "SET:  "}, {"(8158)", "(8159)"}, {"(8158)", "(815x)"}, {"keys(6)", "keys(5)"},
		{"keys(6)=<", "keys(6)=["}, {"[vs_0];", "[vs_0]; "}, {"[vs_0];[tid_2];", "[vs_0];[tid_2];[x];"}, {";[tid_2];", ";[tid_2]];"}, {";[vs_0]", ";(vs_0]"},
	}
	var in strings.Builder
	for _, e := range edits {
		edited := strings.Replace(base, e[0], e[1], 1)
		if edited == base {
			t.Fatalf("edit %q changes nothing", e)
		}
		fmt.Fprintf(&in, "%s\n%s\n%s\n", base, edited, edited)
	}
	for _, v := range syncVariants {
		fmt.Fprintf(&in, "%s\n%s\n%s\n", base, v, v)
	}
	for _, w := range wordModes {
		if d := fastDiff(t, []byte(in.String()), w.n, w.skip); d != "" {
			t.Errorf("%+v value words: the fast path differs from the full parser with kept prefixes\n%s", w, d)
		}
	}
	// The prefixes are kept and found again (else the test proves nothing
	// about them).
	r := NewReader(strings.NewReader(""), "in.txt")
	line := []byte(base)
	if !r.fastSync(line, Pos{}) || r.pfx == nil {
		t.Fatal("the common SET line is not read by the fast path")
	}
	if r.pfx.lookup(line, len("@;500069;")) == nil {
		t.Fatal("the prefix of the line read last is not kept")
	}
	other := []byte(strings.Replace(base, "[tid_2]", "[tid_3]", 1))
	if r.pfx.lookup(other, len("@;500069;")) != nil {
		t.Fatal("a prefix one byte off is taken for the kept one")
	}
}

// TestFastMatchesFullFwTabRuns reads the fw tab variants one after another
// in one input, each after every other, so that a record is made over the
// one before it (see Record.resetShaped): none may keep a field of it.
func TestFastMatchesFullFwTabRuns(t *testing.T) {
	var in strings.Builder
	for _, a := range fwtabVariants {
		for _, b := range fwtabVariants {
			fmt.Fprintf(&in, "%s\n%s\n", a, b)
		}
	}
	for _, w := range wordModes {
		if d := fastDiff(t, []byte(in.String()), w.n, w.skip); d != "" {
			t.Errorf("%+v value words: the fast path differs from the full parser on runs of entries\n%s", w, d)
		}
	}
}

// TestFastDiffCatches breaks the fast path on purpose: the differential
// check must see it.
func TestFastDiffCatches(t *testing.T) {
	data := simCapture(t, func() sim.Config { c := sim.DefaultConfig(); c.Conns = 200; return c }())
	for name, breakIt := range map[string]func(*Record){
		"owner word": func(rec *Record) {
			if len(rec.Vals) > 13 {
				rec.Vals[13] ^= 1
			}
		},
		"mask":     func(rec *Record) { rec.Mask ^= 1 << 20 },
		"stamp":    func(rec *Record) { rec.Time++ },
		"instance": func(rec *Record) { rec.Instance = -1 },
		"skipped":  func(rec *Record) { rec.Skipped-- },
	} {
		fastBreak = breakIt
		d := fastDiff(t, data, 14, 13)
		fastBreak = nil
		if d == "" {
			t.Errorf("breaking the %s in the fast path went unseen", name)
		}
	}
	// And the fw tab dumps: what fastFwTab fills, and the words it decodes.
	dump := simDump(t, func() sim.Config { c := sim.DefaultConfig(); c.Conns = 200; return c }())
	for name, breakIt := range map[string]func(*Record){
		"expiry":      func(rec *Record) { rec.Expiry.Remaining++ },
		"link target": func(rec *Record) { rec.Link.DPort++ },
		"link flags":  func(rec *Record) { rec.Flags++ },
		"extra":       func(rec *Record) { rec.Extra = append(rec.Extra, 1) },
		"key":         func(rec *Record) { rec.Key.Src++ },
		"direction":   func(rec *Record) { rec.Key.Dir ^= 1 },
		"link dir":    func(rec *Record) { rec.Link.Dir ^= 1 },
	} {
		fastBreak = breakIt
		d := fastDiff(t, dump, 14, 13)
		fastBreak = nil
		if d == "" {
			t.Errorf("breaking the %s in the fw tab fast path went unseen", name)
		}
	}
	for _, c := range []struct {
		name    string
		skip    int
		breakIt func(int, uint32) uint32
	}{
		{"word 13", 0, func(i int, w uint32) uint32 {
			if i == 13 {
				w++
			}
			return w
		}},
		{"word 13, the words before it counted", 13, func(i int, w uint32) uint32 {
			if i == 13 {
				w++
			}
			return w
		}},
		{"first word", 0, func(i int, w uint32) uint32 {
			if i == 0 {
				w ^= 1 << 31
			}
			return w
		}},
	} {
		fastBreakWord = c.breakIt
		d := fastDiff(t, dump, 14, c.skip)
		fastBreakWord = nil
		if d == "" {
			t.Errorf("breaking the %s in the fast path went unseen", c.name)
		}
	}
}

// FuzzFast holds the fast paths to the full parser on arbitrary lines.
func FuzzFast(f *testing.F) {
	for _, l := range append(syncVariants, fwtabVariants...) {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) > 4096 {
			return
		}
		// And the line after a line: the second is read from what the
		// line reader has read ahead (Reader.fastAhead).
		twice := append(append(append([]byte(nil), line...), '\n'), line...)
		for _, w := range wordModes {
			if d := fastDiff(t, line, w.n, w.skip); d != "" {
				t.Fatalf("%+v value words: %q\n%s", w, line, d)
			}
			if d := fastDiff(t, twice, w.n, w.skip); d != "" {
				t.Fatalf("%+v value words, twice: %q\n%s", w, line, d)
			}
		}
	})
}

// TestFastAheadMatchesFull: fw tab lines taken straight from the line
// reader's buffer (Reader.fastAhead) give what the full parser gives, in
// the cases it must leave to the line reader: "\r\n" endings, a length
// limit that cuts entries, a first line with a byte-order mark, a last line
// without its newline, and buffer ends that cut lines (a small buffer).
func TestFastAheadMatchesFull(t *testing.T) {
	// 2000 connections: some 1 MB, lines cut at a dozen ends of the line
	// reader's buffer.
	dump := simDump(t, func() sim.Config { c := sim.DefaultConfig(); c.Conns = 2000; return c }())
	first := bytes.IndexByte(dump, '<')
	cases := map[string]struct {
		data    []byte
		max     int
		oneByte bool // reads of one byte: the buffer ends inside most lines
	}{
		"plain":            {dump, 0, false},
		"one-byte reads":   {dump, 0, true},
		"crlf":             {bytes.ReplaceAll(dump, []byte("\n"), []byte("\r\n")), 0, false},
		"limit 200":        {dump, 200, false},
		"limit 135":        {dump, fwLinkLen, false},
		"limit 134":        {dump, fwLinkLen - 1, false},
		"bom, entry first": {append([]byte("\xef\xbb\xbf"), dump[first:]...), 0, false},
		"no last newline":  {bytes.TrimSuffix(dump, []byte("\n")), 0, false},
	}
	for name, c := range cases {
		read := func(on bool) string {
			var sb strings.Builder
			var in io.Reader = bytes.NewReader(c.data)
			if c.oneByte {
				in = iotest.OneByteReader(in)
			}
			r := NewReader(in, "in.txt")
			r.SetFastPaths(on)
			r.SetValueWords(14)
			r.SetSkipWords(13)
			if c.max > 0 {
				r.SetMaxLineLen(c.max)
			}
			if err := fullTranscript(&sb, r); err != nil {
				fmt.Fprintf(&sb, "error %v\n", err)
			}
			return sb.String()
		}
		if full, fast := read(false), read(true); full != fast {
			t.Errorf("%s: the fast path differs from the full parser\n%s", name, firstDiff(full, fast))
		}
	}
}

// TestFastCount holds fastCount's one-load reading of a count to a plain
// one, on counts of 0 to 12 digits followed by ")=<" or something near it,
// at every distance from the end of the bytes.
func TestFastCount(t *testing.T) {
	plain := func(b []byte, i int) (uint32, int, bool) {
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == i || j-i > 9 || j+2 >= len(b) || string(b[j:j+3]) != ")=<" {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(string(b[i:j]), 10, 32)
		if err != nil {
			t.Fatalf("%q: %v", b[i:j], err)
		}
		return uint32(v), j + 3, true
	}
	rng := rand.New(rand.NewPCG(13, 14))
	tails := []string{")=<", ")=<1c001", ")=", ")<", "x=<", ")=<<<<<<<<", " )=<", ""}
	for range 50000 {
		b := []byte(strings.Repeat("k", rng.IntN(3)))
		i := len(b)
		for range rng.IntN(13) {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		b = append(b, tails[rng.IntN(len(tails))]...)
		b = b[:len(b)-rng.IntN(min(len(b), 3)+1)]
		gn, gj, gok := fastCount(b, i)
		wn, wj, wok := plain(b, i)
		if gn != wn || gj != wj || gok != wok {
			t.Fatalf("fastCount(%q, %d) = %d, %d, %v; want %d, %d, %v", b, i, gn, gj, gok, wn, wj, wok)
		}
	}
}

// TestFwEntryExpiry holds fwEntryExpiry's 8-byte reads to the byte-at-a-time
// reader on expiries of every length near both ends of a line.
func TestFwEntryExpiry(t *testing.T) {
	var cases []string
	for _, rem := range []string{"", "0", "7", "2151", "1234567", "12345678", "123456789", "4294967295", "4294967296", "12a", "-1"} {
		for _, to := range []string{"", "0", "3600", "1234567", "12345678", "99999999999", "36 0"} {
			for _, end := range []string{">", ">\n<00000000, 0", "", " >", ">;"} {
				cases = append(cases, " "+rem+"/"+to+end, " "+rem+"/"+to+end+"\n<00000000, 0af18768, 000005ce>", "x"+rem+"/"+to+end, " "+rem+to+end)
			}
		}
	}
	for _, c := range cases {
		for _, lead := range []string{"", "00000001 ;"} {
			line := []byte(lead + c)
			for _, cut := range []int{len(line), len(lead) + 12, len(lead) + 19, len(lead) + 20} {
				if cut > len(line) {
					continue
				}
				l := line[:cut]
				n0, e0 := fwEntryExpiryBytes(l, len(lead))
				n, e := fwEntryExpiry(l, len(lead))
				if n != n0 || e != e0 {
					t.Errorf("%q: fwEntryExpiry %d %+v, byte at a time %d %+v", l, n, e, n0, e0)
				}
			}
		}
	}
}
