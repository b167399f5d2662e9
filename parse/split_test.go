package parse

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// transcript is everything a consumer of Pipe sees of an input: each record
// or rejection with its position, then the line accounting (with the
// shapes of the lines no format recognized) and the error.
func transcript(t *testing.T, path string, split bool) string {
	t.Helper()
	var sb strings.Builder
	used := false
	_, err := Walk([]string{path}, nil, Limits{}, func(_ Source, r *Reader) error {
		used = used || r.canSplit()
		return pipeTranscript(&sb, r)
	})
	if err != nil {
		fmt.Fprintf(&sb, "walk error %v\n", err)
	}
	if split && !used {
		t.Fatalf("%s was not parsed in chunks", path)
	}
	return sb.String()
}

// memTranscript is the transcript of data read as a plain file would be:
// in chunks when split (see withChunks), else serially. It reads from
// memory, without the file and the walk's buffers, for FuzzSplit's speed.
func memTranscript(tb testing.TB, data []byte, split bool) string {
	tb.Helper()
	var sb strings.Builder
	r := NewReader(bytes.NewReader(data), "in.txt")
	if split {
		r.split = &splitSource{f: bytes.NewReader(data), size: int64(len(data))}
		if len(data) > 0 && !r.canSplit() {
			tb.Fatal("not parsed in chunks")
		}
	}
	if err := pipeTranscript(&sb, r); err != nil {
		fmt.Fprintf(&sb, "error %v\n", err)
	}
	return sb.String()
}

// pipeTranscript writes to sb what Pipe hands out of r, then r's line
// accounting.
func pipeTranscript(sb *strings.Builder, r *Reader) error {
	err := Pipe(r, func(rec *Record, err error) error {
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				fmt.Fprintf(sb, "reject %s quiet=%v\n", se.Error(), se.Quiet)
			} else {
				fmt.Fprintf(sb, "error %v\n", err)
			}
			return nil
		}
		fmt.Fprintf(sb, "%s %s lines=%d key=%v/%v vals=%x extra=%x exp=%v mask=%v t=%v op=%s table=%s func=%s chassis=%d state=%s owner=%d sgms=%v name=%s text=%s num=%d over=%v\n",
			rec.Pos, rec.Kind, rec.Lines, rec.Key, rec.Link, rec.Vals, rec.Extra, rec.Expiry, rec.Mask, rec.Time,
			rec.Op, rec.Table, rec.Func, rec.Chassis, rec.State, rec.OwnerID, rec.SGMs, rec.Name, rec.Text, rec.Num, rec.NumOver)
		return nil
	})
	s := r.Stats()
	fmt.Fprintf(sb, "stats lines=%d recognized=%v ignored=%v rejected=%v\n", s.Lines, s.Recognized, s.Ignored, s.Rejected)
	for _, e := range s.Examples {
		fmt.Fprintf(sb, "example %s\n", e.Error())
	}
	// Every shape kept, not only those Shapes returns: the chunks'
	// tables must merge to the serial one.
	n, sampled := s.ShapeCount()
	fmt.Fprintf(sb, "shapes lines=%d kept=%d sampled=%v\n", s.UnrecognizedLines(), n, sampled)
	for _, e := range s.shapes.sorted(func(a, b *shapeEntry) int { return strings.Compare(a.shape, b.shape) }) {
		fmt.Fprintf(sb, "shape %q x%d first %s\n", e.shape, e.count, e.first)
	}
	return err
}

// withChunks cuts every file of at least one byte into chunks of about size
// bytes for the rest of the test, on at least two cores.
func withChunks(t *testing.T, size int64, scan int) {
	t.Helper()
	oldMin, oldSize, oldScan := splitMin, chunkSize, boundaryScan
	procs := runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	splitMin, chunkSize, boundaryScan = 1, size, scan
	t.Cleanup(func() {
		splitMin, chunkSize, boundaryScan = oldMin, oldSize, oldScan
		runtime.GOMAXPROCS(procs)
	})
}

// checkSplit asserts that parsing the file at path in chunks of each size
// gives exactly the serial transcript.
func checkSplit(t *testing.T, path string, sizes ...int64) {
	t.Helper()
	want := transcript(t, path, false)
	for _, size := range sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			withChunks(t, size, 4096)
			if got := transcript(t, path, true); got != want {
				t.Errorf("chunks of %d bytes: transcript differs from the serial one\n%s", size, firstDiff(want, got))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\nserial: %s\nsplit:  %s", i+1, x, y)
		}
	}
	return ""
}

// TestSplitMatchesSerial concatenates every text fixture, so that chunk
// boundaries fall inside and between all formats, and checks that chunked
// parsing gives the serial records, rejections, positions and accounting.
// fixtures is every file the globs find, one after another, each ended by
// a newline.
func fixtures(tb testing.TB, globs ...string) []byte {
	tb.Helper()
	var all []byte
	for _, glob := range globs {
		files, err := filepath.Glob(glob)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			all = append(all, b...)
			all = append(all, '\n')
		}
	}
	return all
}

func TestSplitMatchesSerial(t *testing.T) {
	all := fixtures(t, "testdata/*.txt", "testdata/bad/*.txt", "../samples/*.txt", "../samples/switchover/*/*.txt")
	if len(all) < 100_000 {
		t.Fatalf("only %d bytes of fixtures: the globs no longer find the samples", len(all))
	}
	path := filepath.Join(t.TempDir(), "all.txt")
	if err := os.WriteFile(path, all, 0o600); err != nil {
		t.Fatal(err)
	}
	checkSplit(t, path, 1, 100, 4096, 65536)
}

// TestSplitState covers what a chunk cannot know from its own lines: an
// entry wrapped across the nominal boundary, gconn columns set by a header
// in an earlier chunk, a JSON document, binary lines, a byte-order mark,
// CRLF line ends and a last line without a newline. Each must read as it
// does serially (the state cases by parsing the chunk again); and a last
// line, cut short of its newline, that continues a wrapped entry.
func TestSplitState(t *testing.T) {
	entry := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000; 00000001 ; 3394/3618>"
	wrapped := strings.Replace(entry, "0000000b, ", "0000000b,\n   ", 1)
	wrapped = strings.Replace(wrapped, "ffffffff, 02000000", "ffffffff,\n02000000", 1)
	gconnHeader := "| Src            | Sport | Dst            | Dport | Proto | Inst | Flags |     Type      |\n"
	gconnRow := "| 172.16.61.66   | 18399 | 172.16.61.2    | 179   | 6     | 1    | 0     | local |\n"
	sync := "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(3)=<1c001,40044080,1c> sync_mask=[0x0002800b] refresh time=3602;\n"
	cases := map[string]string{
		"wrapped":  strings.Repeat(entry+"\n"+wrapped+"\n", 40),
		"gconn":    gconnHeader + strings.Repeat(gconnRow, 60) + sync + strings.Repeat(gconnRow, 20),
		"json":     "{\n" + strings.Repeat(sync, 50) + "}\n",
		"binary":   strings.Repeat(sync, 10) + "\x00\x01junk\n" + strings.Repeat(sync+"a\x00b\n", 30),
		"bom":      "\xef\xbb\xbf" + strings.Repeat(sync, 30) + "\xef\xbb\xbf" + sync,
		"crlf":     strings.ReplaceAll(strings.Repeat(entry+"\n"+wrapped+"\n"+sync, 20), "\n", "\r\n"),
		"no-eol":   strings.Repeat(sync, 30) + strings.TrimSuffix(sync, "\n"),
		"blank":    strings.Repeat("\n", 500) + strings.Repeat(sync, 5),
		"only-hex": strings.Repeat("0001c001, 40044080,\n", 400) + entry + "\n",
		// The last line, without a newline, continues an entry wrapped
		// with CRLF line ends.
		"crlf-last": strings.Repeat(sync, 30) + strings.ReplaceAll(strings.TrimSuffix(wrapped, ">")+">", "\n", "\r\n") + "\r",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name+".txt")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			checkSplit(t, path, 1, 37, 300, 1000)
		})
	}
}

// TestSplitStops checks that an error returned by fn stops a chunked read
// at once and is returned, and that every goroutine is gone by then.
func TestSplitStops(t *testing.T) {
	withChunks(t, 64, 4096)
	path := filepath.Join(t.TempDir(), "k.txt")
	line := "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(1)=<1c001> sync_mask=[0x0002800b];\n"
	if err := os.WriteFile(path, []byte(strings.Repeat(line, 5000)), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	before := runtime.NumGoroutine()
	seen := 0
	_, err := Walk([]string{path}, nil, Limits{}, func(_ Source, r *Reader) error {
		return Pipe(r, func(rec *Record, _ error) error {
			if seen++; rec.Pos.Line != seen {
				t.Fatalf("record %d at line %d", seen, rec.Pos.Line)
			}
			if seen == 1234 {
				return stop
			}
			return nil
		})
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Walk returned %v, want the callback's error", err)
	}
	if seen != 1234 {
		t.Errorf("fn called %d times after returning an error at 1234", seen)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the read, %d before", n, before)
	}
}

// FuzzSplit checks chunked parsing against serial parsing on any input and
// any chunk size.
func FuzzSplit(f *testing.F) {
	for _, name := range []string{"testdata/seed-entries.txt", "testdata/gconn-r81.txt", "testdata/bad/truncated-entry.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(50))
	}
	// A SET wrapped inside vals and before sync_mask, and a gconn row
	// wrapped before its clstr mem ID.
	f.Add([]byte("@;5;[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(16)=<1c001,40044080,f,b,0,68da50ae,0,412afd3c,e6fc6e36,54,ffffffff,ffffffff,ffffffff,2000800,\nf9280,80000000>\n sync_mask=[0x0001800e] ttl=0 no n6addrs;\n[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6>\n"), uint16(40))
	f.Add([]byte("| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|Inst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|\n| 0 | 192.168.3.53 | 18192 | 192.168.3.240 | 64216 | 6 |FP .. ..| No | 0/0 | 1 | 32 |\n 15 | 0 | UNDEF |\n| 0 | 0.0.0.0 | 8116 | 192.168.3.53 | 8116 | 17 |FP .. ..| No | 0/0 | 1 | 32 | 1\n| 0 | UNDEF |\n"), uint16(60))
	f.Add([]byte("text 1\n==============================================\nCP\n==============================================\nIssuing 'ls' :\nfile 2\nfile 3\n[FW1]\n"), uint16(20))
	// Each chunked read allocates its workers' file buffers (1 MiB each),
	// garbage at once: with the default GOGC and a test's small heap
	// nearly every exec was a collection, 4 to 10 times its own cost.
	// The inputs are read from memory (memTranscript) for the same reason.
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		want := memTranscript(t, data, false)
		withChunks(t, int64(size%512)+1, 64)
		if got := memTranscript(t, data, true); got != want {
			t.Errorf("transcript differs\n%s", firstDiff(want, got))
		}
	})
}

// TestSplitPurePrefilter: a big file read with a pure prefilter is read in
// chunks, and the chunks give the serial transcript, the dropped lines
// counted the same, even when a chunk keeps no line at all; and the
// serial read with a pure prefilter is the one with a plain prefilter.
func TestSplitPurePrefilter(t *testing.T) {
	all := fixtures(t, "testdata/*.txt", "../samples/*.txt", "../samples/switchover/*/*.txt")
	sync := "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(3)=<1c001,40044080,1c> sync_mask=[0x0002800b] refresh time=3602;\n"
	entry := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000; 00000001 ; 3394/3618>\n"
	inputs := map[string][]byte{
		"fixtures":    all,
		"none kept":   []byte(strings.Repeat(sync, 400)),
		"kept at end": []byte(strings.Repeat(sync, 400) + strings.Repeat(entry, 30)),
	}
	keep := func(line []byte) bool {
		t := bytes.TrimLeft(line, " \t")
		return len(t) > 0 && t[0] == '<'
	}
	read := func(data []byte, split, pure bool) string {
		var sb strings.Builder
		r := NewReader(bytes.NewReader(data), "in.txt")
		if pure {
			r.SetPurePrefilter(keep)
		} else {
			r.SetPrefilter(keep)
		}
		if split {
			r.split = &splitSource{f: bytes.NewReader(data), size: int64(len(data))}
			if !r.canSplit() {
				t.Fatal("a pure prefilter keeps the file from being read in chunks")
			}
		}
		if err := pipeTranscript(&sb, r); err != nil {
			fmt.Fprintf(&sb, "error %v\n", err)
		}
		return sb.String()
	}
	for name, data := range inputs {
		want := read(data, false, false)
		if !strings.Contains(want, "prefiltered") {
			t.Fatalf("%s: no line was prefiltered: the test proves nothing", name)
		}
		if got := read(data, false, true); got != want {
			t.Errorf("%s: the serial read with a pure prefilter differs\n%s", name, firstDiff(want, got))
		}
		for _, size := range []int64{300, 4096, 65536} {
			withChunks(t, size, 4096)
			again := chunksAgain.Load()
			got := read(data, true, true)
			if n := chunksAgain.Load() - again; name == "none kept" && n > 0 {
				t.Errorf("%s, chunks of %d bytes: %d chunks parsed again serially", name, size, n)
			}
			if got != want {
				t.Errorf("%s, chunks of %d bytes: transcript differs from the serial one\n%s", name, size, firstDiff(want, got))
			}
		}
	}
}
