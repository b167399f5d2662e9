package parse

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badFiles builds the committed collection of damaged inputs, one per kind
// of damage, in testdata/bad (small enough to commit; the overlong line and
// the gzip bomb are built by TestBadCollection itself).
func badFiles(t *testing.T) map[string][]byte {
	t.Helper()
	var cut bytes.Buffer
	zw := gzip.NewWriter(&cut)
	_, _ = zw.Write([]byte(lines(fwLine, syncLine)))
	_ = zw.Flush()
	_, _ = zw.Write([]byte(lines(fwLine, fwLine, fwLine)))
	_ = zw.Close()
	wrongCount := strings.Replace(syncLine, "vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0>",
		"vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba>", 1)
	return map[string][]byte{
		"empty.txt":           nil,
		"binary.bin":          []byte("\x7fELF\x02\x01\x01\x00\x00\x00\n\x00\x00\x03\x00>\x00\x01\x00\n\x00\x00\x00\x00\x00\x00\x00\x00\n"),
		"truncated-entry.txt": []byte(lines(fwLine, fwLine[:200], " 00000000, 00000001")),
		"non-hex.txt":         []byte(lines(strings.Replace(fwLine, "ac103d42", "zzzzzzzz", 1), fwLine)),
		"wrong-count.txt":     []byte(lines(syncLine, wrongCount)),
		"crlf.txt":            []byte(strings.ReplaceAll(lines("localhost:", fwLine, "", syncLine), "\n", "\r\n")),
		"utf16le.txt":         encodeUTF16("\ufeff"+strings.ReplaceAll(lines("localhost:", fwLine, syncLine), "\n", "\r\n"), false),
		"escape-names.txt": []byte(lines(
			strings.Replace(fwLine, "ac103d42", "\x1b[31mac10", 1),
			strings.Replace(syncLine, "sync_mask=[0x0001800e]", "sync_mask=[0x\x1b]0;owned\x07]", 1))),
		"truncated.gz": cut.Bytes()[:cut.Len()-20],
		"traversal.tar": tarOf(t,
			member{name: "../../etc/cron.d/evil", body: lines(fwLine)},
			member{name: "/etc/passwd", body: lines(fwLine)},
			member{name: "1_01/fwtab.txt", body: lines(fwLine)}),
		"symlink.tar": tarOf(t,
			member{name: "1_01/passwd", typ: tar.TypeSymlink, link: "/etc/passwd"},
			member{name: "1_01/hard", typ: tar.TypeLink, link: "/etc/shadow"},
			member{name: "1_01/null", typ: tar.TypeChar},
			member{name: "1_01/fifo", typ: tar.TypeFifo},
			member{name: "1_01/fwtab.txt", body: lines(fwLine)}),
	}
}

// badResult is what walking one damaged input gives: the line accounting,
// the reported rejected lines and the skipped entries.
type badResult struct {
	lines, recognized, ignored int64
	rejected                   map[string]int64
	messages                   []string
	skipped                    []string
}

func walkBad(t *testing.T, lim Limits, stdin []byte, arg string) badResult {
	t.Helper()
	var res badResult
	var total Stats
	skipped, err := Walk([]string{arg}, bytes.NewReader(stdin), lim, func(_ Source, r *Reader) error {
		for r.Scan() {
			if _, err := r.Record(); err != nil && !IsQuiet(err) {
				res.messages = append(res.messages, err.Error())
			}
		}
		total.Add(r.Stats())
		return r.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := total.RecognizedLines() + total.IgnoredLines() + total.RejectedLines(); got != total.Lines {
		t.Errorf("%s: accounting %d != %d lines", arg, got, total.Lines)
	}
	res.lines, res.recognized, res.ignored, res.rejected = total.Lines, total.RecognizedLines(), total.IgnoredLines(), total.Rejected
	for _, s := range skipped {
		res.skipped = append(res.skipped, s.String())
	}
	return res
}

// TestBadCollection walks every damaged input of testdata/bad, and an
// overlong line and a gzip bomb built here, and checks exactly what is
// counted, rejected and skipped.
func TestBadCollection(t *testing.T) {
	files := badFiles(t)
	for name, data := range files {
		p := filepath.Join("testdata", "bad", name)
		if *updateBad {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(p); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s differs from what badFiles builds (%v): go test ./parse -run TestBadCollection -update-bad", p, err)
		}
	}
	tests := []struct {
		arg   string
		stdin []byte
		lim   Limits
		want  badResult
	}{{
		arg: "empty.txt",
	}, {
		arg: "binary.bin",
		want: badResult{lines: 3, rejected: map[string]int64{"binary data": 3},
			messages: []string{"testdata/bad/binary.bin:1: binary data (NUL bytes): not a text dump"}},
	}, {
		arg: "truncated-entry.txt",
		want: badResult{lines: 3, recognized: 1, rejected: map[string]int64{"truncated entry": 2},
			messages: []string{"testdata/bad/truncated-entry.txt:2: truncated fw tab entry: no closing '>' (219 bytes over 2 line(s))"}},
	}, {
		arg: "non-hex.txt",
		want: badResult{lines: 2, recognized: 1, rejected: map[string]int64{"non-hex word": 1},
			messages: []string{`testdata/bad/non-hex.txt:1:12: key word "zzzzzzzz" is not hex (1 to 8 hex digits)`}},
	}, {
		arg: "wrong-count.txt",
		want: badResult{lines: 2, recognized: 1, rejected: map[string]int64{"wrong value count": 1},
			messages: []string{"testdata/bad/wrong-count.txt:2: vals(34) announced, 20 words found"}},
	}, {
		arg:  "crlf.txt",
		want: badResult{lines: 4, recognized: 3, ignored: 1},
	}, {
		arg:  "utf16le.txt",
		want: badResult{lines: 3, recognized: 3},
	}, {
		arg: "escape-names.txt",
		want: badResult{lines: 2, rejected: map[string]int64{"non-hex word": 2},
			messages: []string{
				`testdata/bad/escape-names.txt:1:12: key word "\x1b[31mac10" is not hex (1 to 8 hex digits)`,
				`testdata/bad/escape-names.txt:2:261: sync_mask "0x\x1b" is not hex`,
			}},
	}, {
		arg:  "truncated.gz",
		want: badResult{lines: 2, recognized: 2, skipped: []string{"testdata/bad/truncated.gz:3: truncated gzip data: unexpected EOF"}},
	}, {
		arg: "traversal.tar",
		want: badResult{lines: 1, recognized: 1, skipped: []string{
			`testdata/bad/traversal.tar!../../etc/cron.d/evil: skipped: path with ".." (leads outside the archive)`,
			"testdata/bad/traversal.tar!/etc/passwd: skipped: absolute path",
		}},
	}, {
		arg: "symlink.tar",
		want: badResult{lines: 1, recognized: 1, skipped: []string{
			"testdata/bad/symlink.tar!1_01/passwd: skipped: symbolic link to /etc/passwd (not followed)",
			"testdata/bad/symlink.tar!1_01/hard: skipped: hard link to /etc/shadow (not followed)",
			"testdata/bad/symlink.tar!1_01/null: skipped: character device",
			"testdata/bad/symlink.tar!1_01/fifo: skipped: named pipe (fifo)",
		}},
	}, {
		arg:   "-",
		stdin: []byte(lines(fwLine, strings.Repeat("a", 20<<20), syncLine)),
		want: badResult{lines: 3, recognized: 2, rejected: map[string]int64{"line too long": 1},
			messages: []string{"<stdin>:2: line longer than 16777216 bytes skipped"}},
	}, {
		arg:   "-",
		stdin: bomb(t, 1024),
		lim:   Limits{MaxDecompressed: 1 << 20},
		want:  badResult{skipped: []string{"<stdin>:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read"}},
	}}
	for _, tt := range tests {
		arg := tt.arg
		if arg != "-" {
			arg = filepath.Join("testdata", "bad", arg)
			if _, ok := files[tt.arg]; !ok {
				t.Errorf("%s is not in badFiles", tt.arg)
			}
		}
		got := walkBad(t, tt.lim, tt.stdin, arg)
		if got.lines != tt.want.lines || got.recognized != tt.want.recognized || got.ignored != tt.want.ignored ||
			!maps.Equal(got.rejected, tt.want.rejected) {
			t.Errorf("%s: lines %d recognized %d ignored %d rejected %v; want %d %d %d %v", arg,
				got.lines, got.recognized, got.ignored, got.rejected, tt.want.lines, tt.want.recognized, tt.want.ignored, tt.want.rejected)
		}
		check(t, arg+" messages", got.messages, tt.want.messages)
		check(t, arg+" skipped", got.skipped, tt.want.skipped)
	}
}

// BenchmarkWalkTgz walks a .tgz of four dumps; MB/s are of the text in it.
func BenchmarkWalkTgz(b *testing.B) {
	var ms []member
	var size int64
	rng := rand.New(rand.NewPCG(1, 2)) // addresses, ports and stamps vary as in real dumps
	for i := range 4 {
		text := benchInput(func(j int) string {
			src, dst, port, stamp := rng.Uint32(), rng.Uint32(), rng.IntN(65536), rng.Uint32()
			if j%2 == 1 {
				return fmt.Sprintf("[vs_0];[tid_7];[fw4_7];REFRESH: connections (8158) keys(6)=<0,%x,%x,%x,b3,6> vals(34)=<1c001,40044080,f,b,0,%x,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0001800e] ttl=0;", src, port, dst, stamp)
			}
			return fmt.Sprintf("<00000000, %08x, %08x, %08x, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, %08x, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280; 00000001 ; %d/3618>", src, port, dst, stamp, port%3600)
		})
		size += int64(len(text))
		ms = append(ms, member{name: fmt.Sprintf("1_0%d/fwtab.txt", i+1), body: string(text)})
	}
	p := filepath.Join(b.TempDir(), "diag.tgz")
	if err := os.WriteFile(p, tgz(b, ms...), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		skipped, err := Walk([]string{p}, nil, Limits{}, func(_ Source, r *Reader) error {
			for r.Scan() {
				if _, err := r.Record(); err != nil {
					return err
				}
			}
			return r.Err()
		})
		if err != nil || len(skipped) > 0 {
			b.Fatal(err, skipped)
		}
	}
}

// Walk reads an archive whose hostile members are skipped and reported.
func ExampleWalk() {
	skipped, err := Walk([]string{"testdata/bad/traversal.tar"}, nil, DefaultLimits(), func(src Source, r *Reader) error {
		for r.Scan() {
			if rec, err := r.Record(); err == nil {
				fmt.Println(rec.Pos, rec.Kind, "from", src.SGM, "by", src.Rule)
			}
		}
		return r.Err()
	})
	if err != nil {
		fmt.Println(err)
	}
	for _, s := range skipped {
		fmt.Println(s)
	}
	// Output:
	// testdata/bad/traversal.tar!1_01/fwtab.txt:1 fwtab from 1_01 by file name
	// testdata/bad/traversal.tar!../../etc/cron.d/evil: skipped: path with ".." (leads outside the archive)
	// testdata/bad/traversal.tar!/etc/passwd: skipped: absolute path
}
