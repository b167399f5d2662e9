package parse

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Lines of the inputs the walk tests build.
const (
	fwLine   = "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280; 00000001 ; 3394/3618>"
	syncLine = "[vs_0];[tid_7];[fw4_7];SET: connections (8158) keys(6)=<0,ac103d02,77d3,ac103d42,b3,6> vals(34)=<1c001,40044080,f,b,0,68c7d7a2,0,7c718362,c36bddf7,ffffffff,ffffffff,4e,ffffffff,2000800,f9280,80000000,340,0,cec4bb88,7fba,0,0,0,0,0,0,0,0,0,0,0,0,0,0> sync_mask=[0x0001800e] ttl=0;"
	badLine  = "this is not a dump line"
)

// lines joins lines with a newline after each.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// member is one entry of a tar archive built by tarOf.
type member struct {
	name string
	body string
	typ  byte // tar.TypeReg when zero
	link string
}

// tarOf builds a tar archive of ms.
func tarOf(tb testing.TB, ms ...member) []byte {
	tb.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Typeflag: m.typ, Linkname: m.link, Mode: 0o644,
			ModTime: time.Date(2025, 9, 30, 4, 18, 8, 0, time.UTC), Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// gz compresses data with gzip.
func gz(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// tgz is a gzipped tar of ms.
func tgz(tb testing.TB, ms ...member) []byte { tb.Helper(); return gz(tb, tarOf(tb, ms...)) }

// bomb is a gzip stream of n concatenated members, each 1 MiB of zeros:
// n MiB decompressed from about n KiB.
func bomb(tb testing.TB, n int) []byte {
	tb.Helper()
	one := gz(tb, make([]byte, 1<<20))
	return bytes.Repeat(one, n)
}

// walkOut summarizes a walk: each text Walk handed to fn ("name sgm (rule)
// lines=N"), each record and rejected line ("name:line kind" or the error)
// then the first line of each shape no format recognized ("name:line:
// unrecognized "shape""), and each skipped entry.
type walkOut struct {
	texts, recs, skipped []string
}

// writeFiles writes files into dir, creating folders.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// walk runs Walk over args and summarizes what fn saw; it checks the line
// accounting of every text.
func walk(t *testing.T, lim Limits, stdin []byte, args ...string) walkOut {
	t.Helper()
	var out walkOut
	skipped, err := Walk(args, bytes.NewReader(stdin), lim, func(src Source, r *Reader) error {
		if r.Name() != src.Name {
			t.Errorf("reader named %q, source %q", r.Name(), src.Name)
		}
		for r.Scan() {
			rec, err := r.Record()
			if err != nil {
				if !IsQuiet(err) {
					out.recs = append(out.recs, err.Error())
				}
				continue
			}
			out.recs = append(out.recs, rec.Pos.String()+" "+rec.Kind.String())
		}
		s := r.Stats()
		if got := s.RecognizedLines() + s.IgnoredLines() + s.RejectedLines(); got != s.Lines {
			t.Errorf("%s: accounting %d != %d lines", src.Name, got, s.Lines)
		}
		for _, sh := range s.Shapes() {
			out.recs = append(out.recs, fmt.Sprintf("%s: unrecognized %q", sh.First, sh.Shape))
		}
		sgm := "-"
		if !src.SGM.IsZero() {
			sgm = src.SGM.String()
		}
		out.texts = append(out.texts, fmt.Sprintf("%s %s (%s) lines=%d", src.Name, sgm, src.Rule, s.Lines))
		return r.Err()
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	for _, s := range skipped {
		out.skipped = append(out.skipped, s.String())
	}
	return out
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// TestWalk reads archives, nested archives and hostile archives, with the
// exact positions and messages Walk gives.
func TestWalk(t *testing.T) {
	nested := tgz(t, member{name: "b.tgz", body: string(tgz(t,
		member{name: "1_02/", typ: tar.TypeDir},
		member{name: "1_02/fwtab.txt", body: lines("", "localhost:", fwLine)}))})
	// A gzip stream with a sync flush after two lines, cut before its end:
	// the two lines are read, then the cut is reported.
	var cut bytes.Buffer
	zw := gzip.NewWriter(&cut)
	_, _ = zw.Write([]byte(lines(fwLine, fwLine)))
	_ = zw.Flush()
	_, _ = zw.Write([]byte(lines(fwLine, fwLine, fwLine)))
	_ = zw.Close()
	truncGz := cut.Bytes()[:cut.Len()-20]
	full := tarOf(t, member{name: "f.txt", body: lines(fwLine, fwLine, fwLine)}, member{name: "g.txt", body: lines(fwLine)})
	esc := "\x1b[31mred\x1b[0m.txt"
	// A tgz cut before its end blocks, and one cut in its first member
	// (with a flush after each line, so the lines before the cut come out).
	var zb bytes.Buffer
	zw = gzip.NewWriter(&zb)
	firstLine := 0
	for i, c := range bytes.SplitAfter(full, []byte("\n")) {
		_, _ = zw.Write(c)
		if i < 3 {
			_ = zw.Flush()
		}
		if i == 0 {
			firstLine = zb.Len()
		}
	}
	_ = zw.Close()
	cutTgz := zb.Bytes()[:zb.Len()-30]
	// A tar whose last member is a gzip stream that does not compress
	// (random words), so cutting the tar cuts the gzip data too.
	rng := rand.New(rand.NewPCG(3, 4))
	var noise strings.Builder
	noise.WriteString(fwLine + "\n")
	for range 200 {
		fmt.Fprintf(&noise, "# %016x\n", rng.Uint64()) // ignored as prompts
	}
	gzMember := tarOf(t, member{name: "a.txt", body: lines(fwLine)}, member{name: "x.gz", body: string(gz(t, []byte(noise.String())))})

	tests := []struct {
		name    string
		files   map[string][]byte
		args    []string
		lim     Limits
		texts   []string
		recs    []string
		skipped []string
	}{{
		name:  "gz by content, not name",
		files: map[string][]byte{"x.txt": gz(t, []byte(lines(fwLine, badLine)))},
		args:  []string{"x.txt"},
		texts: []string{"x.txt - () lines=2"},
		recs:  []string{"x.txt:1 fwtab", `x.txt:2: unrecognized "this is not a dump line"`},
	}, {
		name: "tgz members, SGM from member paths",
		files: map[string][]byte{"diag.tgz": tgz(t,
			member{name: "./1_01/fwtab.txt", body: lines(fwLine)},
			member{name: "2_03/", typ: tar.TypeDir},
			member{name: "2_03/kdebug.txt", body: lines(syncLine)},
			member{name: "notes.txt", body: lines(fwLine)})},
		args: []string{"diag.tgz"},
		texts: []string{
			"diag.tgz!1_01/fwtab.txt 1_01 (file name) lines=1",
			"diag.tgz!2_03/kdebug.txt 2_03 (file name) lines=1",
			"diag.tgz!notes.txt - () lines=1",
		},
		recs: []string{"diag.tgz!1_01/fwtab.txt:1 fwtab", "diag.tgz!2_03/kdebug.txt:1 sync", "diag.tgz!notes.txt:1 fwtab"},
	}, {
		name:  "FILE@SGM names every member",
		files: map[string][]byte{"diag.tgz": tgz(t, member{name: "1_01/fwtab.txt", body: lines(fwLine)}, member{name: "x.txt", body: lines(fwLine)})},
		args:  []string{"diag.tgz@2_05"},
		texts: []string{"diag.tgz!1_01/fwtab.txt 2_05 (command line (FILE@SGM)) lines=1", "diag.tgz!x.txt 2_05 (command line (FILE@SGM)) lines=1"},
		recs:  []string{"diag.tgz!1_01/fwtab.txt:1 fwtab", "diag.tgz!x.txt:1 fwtab"},
	}, {
		name:  "archive name names the SGM of its members",
		files: map[string][]byte{"sgm-1_04.tgz": tgz(t, member{name: "fwtab.txt", body: lines(fwLine)})},
		args:  []string{"sgm-1_04.tgz"},
		texts: []string{"sgm-1_04.tgz!fwtab.txt 1_04 (file name) lines=1"},
		recs:  []string{"sgm-1_04.tgz!fwtab.txt:1 fwtab"},
	}, {
		name:  "tgz in tgz",
		files: map[string][]byte{"a.tgz": nested},
		args:  []string{"a.tgz"},
		texts: []string{"a.tgz!b.tgz!1_02/fwtab.txt 1_02 (file name) lines=3"},
		recs:  []string{"a.tgz!b.tgz!1_02/fwtab.txt:2 host-header", "a.tgz!b.tgz!1_02/fwtab.txt:3 fwtab"},
	}, {
		name:  "gz in tar, tar in gz in tar",
		files: map[string][]byte{"a.tar": tarOf(t, member{name: "x/1_03.gz", body: string(gz(t, []byte(lines(fwLine))))}, member{name: "y.tgz", body: string(tgz(t, member{name: "z.txt", body: lines(syncLine)}))})},
		args:  []string{"a.tar"},
		texts: []string{"a.tar!x/1_03.gz 1_03 (file name) lines=1", "a.tar!y.tgz!z.txt - () lines=1"},
		recs:  []string{"a.tar!x/1_03.gz:1 fwtab", "a.tar!y.tgz!z.txt:1 sync"},
	}, {
		name:  "depth limit",
		files: map[string][]byte{"a.tgz": nested, "c.gz": gz(t, gz(t, gz(t, []byte(lines(fwLine)))))},
		args:  []string{"a.tgz", "c.gz"},
		lim:   Limits{MaxDepth: 1},
		skipped: []string{
			"a.tgz!b.tgz: skipped: nested deeper than 1 archive level",
			"c.gz: skipped: nested deeper than 1 archive level",
		},
	}, {
		name:  "depth limit 2 opens a tgz in a tgz",
		files: map[string][]byte{"a.tgz": nested, "c.gz": gz(t, gz(t, gz(t, []byte(lines(fwLine)))))},
		args:  []string{"a.tgz", "c.gz"},
		lim:   Limits{MaxDepth: 2},
		texts: []string{"a.tgz!b.tgz!1_02/fwtab.txt 1_02 (file name) lines=3"},
		recs:  []string{"a.tgz!b.tgz!1_02/fwtab.txt:2 host-header", "a.tgz!b.tgz!1_02/fwtab.txt:3 fwtab"},
		skipped: []string{
			"c.gz: skipped: nested deeper than 2 archive levels",
		},
	}, {
		name: "traversal and absolute paths",
		files: map[string][]byte{"t.tar": tarOf(t,
			member{name: "../x.txt", body: lines(fwLine)},
			member{name: "/etc/x", body: lines(fwLine)},
			member{name: "a/../../y.txt", body: lines(fwLine)},
			member{name: `..\win.txt`, body: lines(fwLine)},
			member{name: "C:/boot.ini", body: lines(fwLine)},
			member{name: "ok.txt", body: lines(fwLine)})},
		args:  []string{"t.tar"},
		texts: []string{"t.tar!ok.txt - () lines=1"},
		recs:  []string{"t.tar!ok.txt:1 fwtab"},
		skipped: []string{
			`t.tar!../x.txt: skipped: path with ".." (leads outside the archive)`,
			"t.tar!/etc/x: skipped: absolute path",
			`t.tar!a/../../y.txt: skipped: path with ".." (leads outside the archive)`,
			`t.tar!..\win.txt: skipped: path with ".." (leads outside the archive)`,
			"t.tar!C:/boot.ini: skipped: absolute path",
		},
	}, {
		name: "links, devices and pipes",
		files: map[string][]byte{"s.tgz": tgz(t,
			member{name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"},
			member{name: "hard", typ: tar.TypeLink, link: "ok.txt"},
			member{name: "tty", typ: tar.TypeChar},
			member{name: "sda", typ: tar.TypeBlock},
			member{name: "pipe", typ: tar.TypeFifo},
			member{name: "ok.txt", body: lines(fwLine)})},
		args:  []string{"s.tgz"},
		texts: []string{"s.tgz!ok.txt - () lines=1"},
		recs:  []string{"s.tgz!ok.txt:1 fwtab"},
		skipped: []string{
			"s.tgz!passwd: skipped: symbolic link to /etc/passwd (not followed)",
			"s.tgz!hard: skipped: hard link to ok.txt (not followed)",
			"s.tgz!tty: skipped: character device",
			"s.tgz!sda: skipped: block device",
			"s.tgz!pipe: skipped: named pipe (fifo)",
		},
	}, {
		name: "control characters in names are escaped",
		files: map[string][]byte{"e.tar": tarOf(t,
			member{name: esc, body: lines(badLine)},
			member{name: "link\x07", typ: tar.TypeSymlink, link: "\x1b]0;title\x07"},
			member{name: "bad\xff\u202e.txt", typ: tar.TypeFifo})},
		args:  []string{"e.tar"},
		texts: []string{`e.tar!\x1b[31mred\x1b[0m.txt - () lines=1`},
		recs:  []string{`e.tar!\x1b[31mred\x1b[0m.txt:1: unrecognized "this is not a dump line"`},
		skipped: []string{
			`e.tar!link\x07: skipped: symbolic link to \x1b]0;title\x07 (not followed)`,
			`e.tar!bad\xff\u{202e}.txt: skipped: named pipe (fifo)`,
		},
	}, {
		name:    "truncated gzip keeps the lines before the cut",
		files:   map[string][]byte{"t.gz": truncGz, "next.txt": []byte(lines(fwLine))},
		args:    []string{"t.gz", "next.txt"},
		texts:   []string{"t.gz - () lines=2", "next.txt - () lines=1"},
		recs:    []string{"t.gz:1 fwtab", "t.gz:2 fwtab", "next.txt:1 fwtab"},
		skipped: []string{"t.gz:3: truncated gzip data: unexpected EOF"},
	}, {
		name:    "gzip header cut",
		files:   map[string][]byte{"h.gz": gz(t, []byte(fwLine))[:6]},
		args:    []string{"h.gz"},
		skipped: []string{"h.gz: truncated gzip data: unexpected EOF"},
	}, {
		name:    "tar cut in a member",
		files:   map[string][]byte{"t.tar": full[:512+len(fwLine)+10]},
		args:    []string{"t.tar"},
		texts:   []string{"t.tar!f.txt - () lines=1"},
		recs:    []string{"t.tar!f.txt:1 fwtab"},
		skipped: []string{"t.tar!f.txt:2: truncated tar member: unexpected EOF"},
	}, {
		name:    "tar cut in a header",
		files:   map[string][]byte{"t.tgz": gz(t, full[:512+(3*len(fwLine)+3+511)/512*512+100])},
		args:    []string{"t.tgz"},
		texts:   []string{"t.tgz!f.txt - () lines=3"},
		recs:    []string{"t.tgz!f.txt:1 fwtab", "t.tgz!f.txt:2 fwtab", "t.tgz!f.txt:3 fwtab"},
		skipped: []string{"t.tgz: truncated tar archive after 1 member: unexpected EOF"},
	}, {
		name:    "tgz cut: reported once, where the cut is met",
		files:   map[string][]byte{"t.tgz": cutTgz, "u.tgz": cutTgz[:firstLine+5]},
		args:    []string{"t.tgz", "u.tgz"},
		texts:   []string{"t.tgz!f.txt - () lines=3", "u.tgz!f.txt - () lines=2"},
		recs:    []string{"t.tgz!f.txt:1 fwtab", "t.tgz!f.txt:2 fwtab", "t.tgz!f.txt:3 fwtab", "u.tgz!f.txt:1 fwtab", "u.tgz!f.txt:2 fwtab"},
		skipped: []string{"t.tgz: truncated gzip data after 1 member: unexpected EOF", "u.tgz!f.txt:3: truncated gzip data: unexpected EOF"},
	}, {
		name:    "tar cut in a gz member: the tar is at fault",
		files:   map[string][]byte{"t.tar": gzMember[:len(gzMember)-1024-512-200]},
		args:    []string{"t.tar"},
		texts:   []string{"t.tar!a.txt - () lines=1", "t.tar!x.gz - () lines=178"},
		recs:    []string{"t.tar!a.txt:1 fwtab", "t.tar!x.gz:1 fwtab"},
		skipped: []string{"t.tar!x.gz:179: truncated tar member: unexpected EOF"},
	}, {
		name: "truncated gz in a tar: the tar goes on",
		files: map[string][]byte{"t.tar": tarOf(t,
			member{name: "1.gz", body: string(truncGz)},
			member{name: "2.txt", body: lines(syncLine)})},
		args:    []string{"t.tar"},
		texts:   []string{"t.tar!1.gz - () lines=2", "t.tar!2.txt - () lines=1"},
		recs:    []string{"t.tar!1.gz:1 fwtab", "t.tar!1.gz:2 fwtab", "t.tar!2.txt:1 sync"},
		skipped: []string{"t.tar!1.gz:3: truncated gzip data: unexpected EOF"},
	}, {
		name: "gzip bomb stopped at the limit, next input read",
		files: map[string][]byte{
			"bomb.gz":  bomb(t, 1024),
			"bomb.tgz": tgz(t, member{name: "a.txt", body: lines(fwLine)}, member{name: "zeros", body: string(make([]byte, 3<<20))}, member{name: "c.txt", body: lines(fwLine)}),
			"z.txt":    []byte(lines(fwLine)),
		},
		args:  []string{"bomb.gz", "bomb.tgz", "z.txt"},
		lim:   Limits{MaxDecompressed: 1 << 20, MaxLineLen: 4096},
		texts: []string{"bomb.gz - () lines=0", "bomb.tgz!a.txt - () lines=1", "bomb.tgz!zeros - () lines=0", "z.txt - () lines=1"},
		recs:  []string{"bomb.tgz!a.txt:1 fwtab", "z.txt:1 fwtab"},
		skipped: []string{
			"bomb.gz:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read",
			"bomb.tgz!zeros:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read",
		},
	}, {
		name:    "too many members",
		files:   map[string][]byte{"m.tar": tarOf(t, member{name: "1.txt", body: lines(fwLine)}, member{name: "d/", typ: tar.TypeDir}, member{name: "2.txt", body: lines(fwLine)}, member{name: "3.txt", body: lines(fwLine)})},
		args:    []string{"m.tar"},
		lim:     Limits{MaxMembers: 2},
		texts:   []string{"m.tar!1.txt - () lines=1"},
		recs:    []string{"m.tar!1.txt:1 fwtab"},
		skipped: []string{"m.tar: stopped: more than 2 archive members (the limit per input); rest of input not read"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			t.Chdir(dir)
			out := walk(t, tt.lim, nil, tt.args...)
			check(t, "texts", out.texts, tt.texts)
			check(t, "records", out.recs, tt.recs)
			check(t, "skipped", out.skipped, tt.skipped)
		})
	}
}

// TestWalkStdin reads archives from stdin, alone and among files.
func TestWalkStdin(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"f.txt": []byte(lines(fwLine))})
	t.Chdir(dir)
	in := tgz(t, member{name: "1_02/fwtab.txt", body: lines(fwLine)})
	for _, args := range [][]string{nil, {"-"}, {"f.txt", "-@2_01"}} {
		out := walk(t, Limits{}, in, args...)
		want := []string{"<stdin>!1_02/fwtab.txt 1_02 (file name) lines=1"}
		if len(args) == 2 {
			want = []string{"f.txt - () lines=1", "<stdin>!1_02/fwtab.txt 2_01 (command line (FILE@SGM)) lines=1"}
		}
		check(t, fmt.Sprint(args), out.texts, want)
	}
}

// TestWalkFolder walks folders in lexical order, opening the archives in
// them, and skips links and special files without following them.
func TestWalkFolder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"d/b.txt":         []byte(lines(fwLine)),
		"d/a/2.txt":       []byte(lines(fwLine)),
		"d/a/10.txt":      []byte(lines(fwLine)),
		"d/1_03/c.tgz":    tgz(t, member{name: "x.txt", body: lines(fwLine)}, member{name: "2_01/y.txt", body: lines(fwLine)}),
		"d/sgm-1_02.gz":   gz(t, []byte(lines(fwLine))),
		"outside/secret":  []byte(lines(fwLine)),
		"d/Z.txt":         []byte(lines(fwLine)),
		"d/a/.hidden.txt": []byte(lines(fwLine)),
	})
	t.Chdir(dir)
	if err := os.Symlink("../outside/secret", "d/link"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo("d/pipe", 0o644); err != nil {
		t.Fatal(err)
	}
	out := walk(t, Limits{}, nil, "d")
	check(t, "texts", out.texts, []string{
		"d/1_03/c.tgz!x.txt 1_03 (file name) lines=1", // archive order
		"d/1_03/c.tgz!2_01/y.txt 2_01 (file name) lines=1",
		"d/Z.txt - () lines=1",
		"d/a/.hidden.txt - () lines=1",
		"d/a/10.txt - () lines=1",
		"d/a/2.txt - () lines=1",
		"d/b.txt - () lines=1",
		"d/sgm-1_02.gz 1_02 (file name) lines=1",
	})
	check(t, "skipped", out.skipped, []string{
		"d/link: skipped: symbolic link (not followed)",
		"d/pipe: skipped: named pipe (fifo)",
	})
	// A link to a folder named on the command line is followed.
	if err := os.Symlink("d/a", "alink"); err != nil {
		t.Fatal(err)
	}
	out = walk(t, Limits{}, nil, "alink")
	check(t, "link to a folder", out.texts, []string{"alink/.hidden.txt - () lines=1", "alink/10.txt - () lines=1", "alink/2.txt - () lines=1"})
	// A folder named with @SGM gives it to all its files.
	out = walk(t, Limits{}, nil, "d/a@2_14")
	check(t, "texts", out.texts, []string{
		"d/a/.hidden.txt 2_14 (command line (FILE@SGM)) lines=1",
		"d/a/10.txt 2_14 (command line (FILE@SGM)) lines=1",
		"d/a/2.txt 2_14 (command line (FILE@SGM)) lines=1",
	})
}

// TestWalkErrors: a missing argument is fatal before anything is read; an
// error of fn stops the walk; the Reader's own error fn returns is not.
func TestWalkErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"a.txt": []byte(lines(fwLine)), "b.tgz": tgz(t, member{name: "x", body: lines(fwLine)}, member{name: "y", body: lines(fwLine)})})
	t.Chdir(dir)
	calls := 0
	_, err := Walk([]string{"a.txt", "missing.txt"}, nil, Limits{}, func(Source, *Reader) error { calls++; return nil })
	if err == nil || err.Error() != "missing.txt: no such file or directory" || !errors.Is(err, os.ErrNotExist) || calls != 0 {
		t.Errorf("missing file: err %v, %d calls", err, calls)
	}
	stop := errors.New("stop")
	var seen []string
	skipped, err := Walk([]string{"b.tgz", "a.txt"}, nil, Limits{}, func(src Source, _ *Reader) error {
		seen = append(seen, src.Name)
		return stop
	})
	if !errors.Is(err, stop) || len(skipped) != 0 || !slices.Equal(seen, []string{"b.tgz!x"}) {
		t.Errorf("fn error: err %v, skipped %v, seen %v", err, skipped, seen)
	}
	// fn may stop reading early: the rest of the member is skipped over.
	seen = nil
	skipped, err = Walk([]string{"b.tgz"}, nil, Limits{}, func(src Source, _ *Reader) error {
		seen = append(seen, src.Name)
		return nil
	})
	if err != nil || len(skipped) != 0 || !slices.Equal(seen, []string{"b.tgz!x", "b.tgz!y"}) {
		t.Errorf("fn reads nothing: err %v, skipped %v, seen %v", err, skipped, seen)
	}
	if err := os.Chmod("a.txt", 0); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open("a.txt"); err == nil { // running as root
		_ = f.Close()
		return
	}
	out := walk(t, Limits{}, nil, "a.txt")
	check(t, "unreadable", out.skipped, []string{"a.txt: skipped: permission denied"})
}

// TestWalkSkippedCap lists at most maxSkippedPerInput entries per input.
func TestWalkSkippedCap(t *testing.T) {
	var ms []member
	for i := range maxSkippedPerInput + 5 {
		ms = append(ms, member{name: fmt.Sprintf("l%d", i), typ: tar.TypeSymlink, link: "x"})
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"l.tar": tarOf(t, ms...)})
	t.Chdir(dir)
	out := walk(t, Limits{}, nil, "l.tar")
	if len(out.skipped) != maxSkippedPerInput+1 {
		t.Fatalf("%d skipped entries", len(out.skipped))
	}
	check(t, "last", out.skipped[maxSkippedPerInput:], []string{"l.tar: 5 more skipped (only the first 100 are listed)"})
}

// TestWalkUTF16 reads UTF-16 files, with either byte order, to the same
// records as their UTF-8 original.
func TestWalkUTF16(t *testing.T) {
	text := "\ufefflocalhost:\r\n" + fwLine + "\r\n" + syncLine + "\r\n" + badLine + " \U0001F600\r\n"
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"u8.txt":    []byte(text),
		"le.txt":    encodeUTF16(text, false),
		"be.txt":    encodeUTF16(text, true),
		"le.tgz":    tgz(t, member{name: "le.txt", body: string(encodeUTF16(text, false))}),
		"be-gz.txt": gz(t, encodeUTF16(text, true)),
	})
	t.Chdir(dir)
	want := walk(t, Limits{}, nil, "u8.txt").recs
	if len(want) != 4 {
		t.Fatalf("UTF-8 records %q", want)
	}
	for _, name := range []string{"le.txt", "be.txt", "le.tgz", "be-gz.txt"} {
		out := walk(t, Limits{}, nil, name)
		got := slices.Clone(out.recs)
		prefix := name
		if name == "le.tgz" {
			prefix = "le.tgz!le.txt"
		}
		for i := range got {
			got[i] = strings.Replace(got[i], prefix, "u8.txt", 1)
		}
		check(t, name, got, want)
	}
}

var updateBad = flag.Bool("update-bad", false, "rewrite testdata/bad from badFiles")
