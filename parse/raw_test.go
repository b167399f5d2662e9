package parse

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawRead reads data through Pipe (in chunks when split, see withChunks)
// and returns the concatenated Raw of everything handed out, the number
// of lines the records say they span, the transcript of the records that
// are not KindNone and the Reader's line count. keep turns SetKeepRaw on.
func rawRead(tb testing.TB, data []byte, split, keep bool) (raw []byte, lines int64, recs string, read int64) {
	tb.Helper()
	var sb strings.Builder
	r := NewReader(bytes.NewReader(data), "in.txt")
	r.SetKeepRaw(keep)
	if split {
		r.split = &splitSource{f: bytes.NewReader(data), size: int64(len(data))}
		if len(data) > 0 && !r.canSplit() {
			tb.Fatal("not parsed in chunks")
		}
	}
	err := Pipe(r, func(rec *Record, err error) error {
		if keep {
			if rec.Kind != KindNone && err != nil {
				tb.Fatalf("rejection at %s handed out with a record of kind %s", rec.Pos, rec.Kind)
			}
			raw = append(raw, rec.Raw...)
			lines += int64(rec.Lines)
		}
		if err != nil {
			fmt.Fprintf(&sb, "reject %v\n", err)
			return nil
		}
		if rec.Kind != KindNone {
			fmt.Fprintf(&sb, "%s %s lines=%d key=%v/%v vals=%x mask=%v t=%v op=%s\n",
				rec.Pos, rec.Kind, rec.Lines, rec.Key, rec.Link, rec.Vals, rec.Mask, rec.Time, rec.Op)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(&sb, "error %v\n", err)
	}
	return raw, lines, sb.String(), r.Stats().Lines
}

// checkRaw asserts what SetKeepRaw promises on data: the Raw of every
// record, ignored line and rejection, in order, is the input (without a
// leading byte-order mark), they span every line read, and the records
// are those read without it.
func checkRaw(t *testing.T, data []byte, split bool) {
	t.Helper()
	raw, lines, recs, read := rawRead(t, data, split, true)
	if want := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")); !bytes.Equal(raw, want) {
		t.Fatalf("split=%v: raw lines differ from the input\n%s", split, firstDiff(string(want), string(raw)))
	}
	if lines != read {
		t.Errorf("split=%v: records span %d lines, %d read", split, lines, read)
	}
	_, _, plain, _ := rawRead(t, data, split, false)
	if recs != plain {
		t.Errorf("split=%v: keeping raw lines changed the records\n%s", split, firstDiff(plain, recs))
	}
}

// TestKeepRaw checks SetKeepRaw on the fixtures and on the inputs whose
// state a chunk cannot know (see TestSplitState), serially and in chunks.
func TestKeepRaw(t *testing.T) {
	entry := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 00000022, 0000000b, 00000000, 68daeedb, 00000000, 9fb2ce04, 07928306, 00000033, ffffffff, ffffffff, ffffffff, 02000000; 00000001 ; 3394/3618>"
	wrapped := strings.Replace(entry, "0000000b, ", "0000000b,\n   ", 1)
	sync := "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(3)=<1c001,40044080,1c> sync_mask=[0x0002800b] refresh time=3602;\n"
	wrappedSync := strings.Replace(sync, "vals(3)=<1c001,", "vals(3)=<1c001,\n", 1)
	gconn := "| Segm | Src IP | S.port | Dst IP | D.port | Proto | Flags | PP |Ref Cnt(I/O)|Inst|PPAK ID|clstr mem ID|Rec. ref|Rec. Type|\n| 0 | 192.168.3.53 | 18192 | 192.168.3.240 | 64216 | 6 |FP .. ..| No | 0/0 | 1 | 32 |\n 15 | 0 | UNDEF |\n"
	cases := map[string]string{
		"mixed":     strings.Repeat("localhost:\n"+entry+"\n"+wrapped+"\n\n"+sync+wrappedSync+"junk line\n<00000000, zz>\n"+gconn, 30),
		"bom-crlf":  "\xef\xbb\xbf" + strings.ReplaceAll(strings.Repeat(entry+"\n"+wrapped+"\n"+sync, 20), "\n", "\r\n"),
		"no-eol":    strings.Repeat(sync, 30) + strings.TrimSuffix(wrappedSync, "\n"),
		"json":      "{\n" + strings.Repeat(sync, 50) + "}\n",
		"binary":    strings.Repeat(sync, 10) + "\x00\x01junk\n" + strings.Repeat(sync+"a\x00b\n", 30),
		"truncated": strings.Repeat(sync, 10) + strings.TrimSuffix(wrapped, ">") + "\n" + sync,
	}
	var all []byte
	for _, glob := range []string{"testdata/*.txt", "testdata/bad/*.txt", "../samples/switchover/*/*.txt"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
	}
	cases["fixtures"] = string(all)
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			checkRaw(t, []byte(text), false)
			for _, size := range []int64{1, 97, 4096} {
				withChunks(t, size, 4096)
				checkRaw(t, []byte(text), true)
			}
		})
	}
}

// FuzzKeepRaw checks SetKeepRaw on any input, serially and in chunks.
func FuzzKeepRaw(f *testing.F) {
	f.Add([]byte("@;5;[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(16)=<1c001,40044080,f,b,0,68da50ae,0,412afd3c,e6fc6e36,54,ffffffff,ffffffff,ffffffff,2000800,\nf9280,80000000>\n sync_mask=[0x0001800e] ttl=0 no n6addrs;\n[fw4_1];DELETE: connections (8158) keys(6)=<0,1,2,3,4,6>\n"), uint16(40))
	f.Add([]byte("<00000000, ac103d42, 000047df,\n ac103d02, 000000b3, 00000006; 0001c001>\r\nx\n\n"), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		checkRaw(t, data, false)
		withChunks(t, int64(size%512)+1, 64)
		checkRaw(t, data, true)
	})
}
