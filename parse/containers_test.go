package parse

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// zipEntry is one entry of a zip archive built by zipOf: a member, and how
// to store it.
type zipEntry struct {
	member
	method uint16 // zip.Deflate when zero (set to zip.Store with store)
	store  bool
	flags  uint16 // extra general-purpose flags (bit 0: encrypted)
	raw    []byte // stored as is (CreateRaw) under method, when set
}

// zipOf builds a zip archive of ms: tar types are mapped to zip modes.
func zipOf(tb testing.TB, ms ...member) []byte {
	tb.Helper()
	es := make([]zipEntry, len(ms))
	for i, m := range ms {
		es[i] = zipEntry{member: m}
	}
	return zipOfEntries(tb, es...)
}

func zipOfEntries(tb testing.TB, es ...zipEntry) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zipZstd, func(w io.Writer) (io.WriteCloser, error) { return zstd.NewWriter(w) })
	// The zip writer makes the compressor before it writes the local
	// header, and the xz writer writes its stream header at once: wait.
	zw.RegisterCompressor(zipXZ, func(w io.Writer) (io.WriteCloser, error) { return &lazyXZ{w: w}, nil })
	for _, e := range es {
		h := &zip.FileHeader{Name: e.name, Method: e.method, Modified: time.Date(2025, 9, 30, 4, 18, 8, 0, time.UTC)}
		if h.Method == 0 && !e.store {
			h.Method = zip.Deflate
		}
		body := e.body
		switch e.typ {
		case tar.TypeDir:
			h.SetMode(fs.ModeDir | 0o755)
		case tar.TypeSymlink:
			h.SetMode(fs.ModeSymlink | 0o777)
			body = e.link
		case tar.TypeChar:
			h.SetMode(fs.ModeDevice | fs.ModeCharDevice | 0o644)
		case tar.TypeBlock:
			h.SetMode(fs.ModeDevice | 0o644)
		case tar.TypeFifo:
			h.SetMode(fs.ModeNamedPipe | 0o644)
		default:
			h.SetMode(0o644)
		}
		var w io.Writer
		var err error
		if e.raw != nil {
			h.Flags |= e.flags
			h.CompressedSize64, h.UncompressedSize64 = uint64(len(e.raw)), uint64(len(e.raw))
			w, err = zw.CreateRaw(h)
			body = string(e.raw)
		} else {
			w, err = zw.CreateHeader(h)
		}
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// lazyXZ is an xz writer made at the first write or close.
type lazyXZ struct {
	w  io.Writer
	zw *xz.Writer
}

func (l *lazyXZ) open() (err error) {
	if l.zw == nil {
		l.zw, err = xz.NewWriter(l.w)
	}
	return err
}

func (l *lazyXZ) Write(p []byte) (int, error) {
	if err := l.open(); err != nil {
		return 0, err
	}
	return l.zw.Write(p)
}

func (l *lazyXZ) Close() error {
	if err := l.open(); err != nil {
		return err
	}
	return l.zw.Close()
}

// xzOf compresses data with xz.
func xzOf(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw, err := xz.NewWriter(&b)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// zstdOf compresses data with zstd.
func zstdOf(tb testing.TB, data []byte) []byte {
	tb.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer zw.Close()
	return zw.EncodeAll(data, nil)
}

// command runs name with args over stdin and returns its output; it skips
// the test when the command is not installed.
func command(tb testing.TB, stdin []byte, name string, args ...string) []byte {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		tb.Skipf("no %s command: %v", name, err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// bzip2Of compresses data with the bzip2 command (the standard library has
// no bzip2 writer); it skips the test when the command is not installed.
func bzip2Of(tb testing.TB, data []byte) []byte {
	tb.Helper()
	return command(tb, data, "bzip2", "-c")
}

// tree is a small bundle: folders, SGMs in member paths, a nested tgz and
// a gzip member, a rejected line.
func tree(tb testing.TB) []member {
	tb.Helper()
	return []member{
		{name: "bundle/", typ: tar.TypeDir},
		{name: "bundle/1_01/", typ: tar.TypeDir},
		{name: "bundle/1_01/fwtab.txt", body: lines("localhost:", fwLine, fwLine)},
		{name: "bundle/2_03/kdebug.txt", body: lines(syncLine, badLine)},
		{name: "bundle/logs.tgz", body: string(tgz(tb, member{name: "1_02/fwtab.txt", body: lines(fwLine)}))},
		{name: "bundle/k/sync.gz", body: string(gz(tb, []byte(lines(syncLine))))},
		{name: "bundle/notes.txt", body: lines(fwLine)},
	}
}

// renamed is out with every name starting with from renamed to start with
// to.
func (out walkOut) renamed(from, to string) walkOut {
	re := func(ss []string) []string {
		r := make([]string, len(ss))
		for i, s := range ss {
			if strings.HasPrefix(s, from) {
				s = to + s[len(from):]
			}
			r[i] = s
		}
		return r
	}
	return walkOut{texts: re(out.texts), recs: re(out.recs), skipped: re(out.skipped)}
}

// TestWalkContainers reads the same tree packed in every container, alone
// and nested, to the same texts, records and positions as its .tgz.
func TestWalkContainers(t *testing.T) {
	ms := tree(t)
	plain := tarOf(t, ms...)
	text := []byte(lines("localhost:", fwLine, syncLine, badLine))
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		prefix string // what the names start with, for "t.tgz!"
		stdin  bool
	}{
		{"t.zip", func(t *testing.T) []byte { t.Helper(); return zipOf(t, ms...) }, "t.zip!", false},
		{"t.tar.xz", func(t *testing.T) []byte { t.Helper(); return xzOf(t, plain) }, "t.tar.xz!", false},
		{"t.tar.zst", func(t *testing.T) []byte { t.Helper(); return zstdOf(t, plain) }, "t.tar.zst!", false},
		{"t.tar.bz2", func(t *testing.T) []byte { t.Helper(); return bzip2Of(t, plain) }, "t.tar.bz2!", false},
		{"zip in tgz", func(t *testing.T) []byte {
			t.Helper()
			return tgz(t, member{name: "in/t.zip", body: string(zipOf(t, ms...))})
		}, "zip in tgz!in/t.zip!", false},
		{"tgz in zip", func(t *testing.T) []byte {
			t.Helper()
			return zipOf(t, member{name: "in/", typ: tar.TypeDir}, member{name: "in/t.tgz", body: string(tgz(t, ms...))})
		}, "tgz in zip!in/t.tgz!", false},
		{"zip in zip in tar.xz", func(t *testing.T) []byte {
			t.Helper()
			return xzOf(t, tarOf(t, member{name: "a.zip", body: string(zipOf(t, member{name: "b.zip", body: string(zipOf(t, ms...))}))}))
		}, "zip in zip in tar.xz!a.zip!b.zip!", false},
		{"zip methods", func(t *testing.T) []byte {
			t.Helper()
			es := make([]zipEntry, len(ms))
			for i, m := range ms {
				es[i] = zipEntry{member: m, method: []uint16{zipZstd, zipXZ, 0, zip.Deflate}[i%4], store: i%4 == 2}
			}
			return zipOfEntries(t, es...)
		}, "zip methods!", false},
		{"zip on stdin", func(t *testing.T) []byte { t.Helper(); return zipOf(t, ms...) }, "<stdin>!", true},
		{"tar.zst on stdin", func(t *testing.T) []byte { t.Helper(); return zstdOf(t, plain) }, "<stdin>!", true},
	}
	dir := t.TempDir()
	t.Chdir(dir)
	writeFiles(t, dir, map[string][]byte{"t.tgz": tgz(t, ms...), "t.txt": text})
	want := walk(t, Limits{}, nil, "t.tgz")
	if len(want.texts) != 5 || len(want.recs) != 8 || len(want.skipped) != 0 {
		t.Fatalf("the .tgz reads as %q", want)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			var out walkOut
			if tt.stdin {
				out = walk(t, Limits{}, data, "-")
			} else {
				writeFiles(t, dir, map[string][]byte{tt.name: data})
				out = walk(t, Limits{}, nil, tt.name)
			}
			got := out.renamed(tt.prefix, "t.tgz!")
			check(t, "texts", got.texts, want.texts)
			check(t, "records", got.recs, want.recs)
			check(t, "skipped", got.skipped, want.skipped)
		})
	}
	// Compressed text files read as the text.
	want = walk(t, Limits{}, nil, "t.txt")
	for name, data := range map[string]func(*testing.T) []byte{
		"t.txt.xz":  func(t *testing.T) []byte { t.Helper(); return xzOf(t, text) },
		"t.txt.zst": func(t *testing.T) []byte { t.Helper(); return zstdOf(t, text) },
		"t.txt.bz2": func(t *testing.T) []byte { t.Helper(); return bzip2Of(t, text) },
		"t.txt.zip": func(t *testing.T) []byte { t.Helper(); return zipOf(t, member{name: "t.txt", body: string(text)}) },
	} {
		t.Run(name, func(t *testing.T) {
			writeFiles(t, dir, map[string][]byte{name: data(t)})
			got := walk(t, Limits{}, nil, name)
			if name == "t.txt.zip" {
				got = got.renamed("t.txt.zip!t.txt", "t.txt")
			} else {
				got = got.renamed(name, "t.txt")
			}
			check(t, "texts", got.texts, want.texts)
			check(t, "records", got.recs, want.recs)
		})
	}
}

// TestWalkZipSGM: the SGM in a zip's name or in its member paths names the
// SGM of its records, as for a tgz; FILE@SGM wins over both.
func TestWalkZipSGM(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFiles(t, dir, map[string][]byte{"sgm-1_04.zip": zipOf(t,
		member{name: "fwtab.txt", body: lines(fwLine)},
		member{name: `2_05\kdebug.txt`, body: lines(syncLine)})})
	check(t, "by name", walk(t, Limits{}, nil, "sgm-1_04.zip").texts, []string{
		"sgm-1_04.zip!fwtab.txt 1_04 (file name) lines=1",
		"sgm-1_04.zip!2_05/kdebug.txt 2_05 (file name) lines=1",
	})
	check(t, "FILE@SGM", walk(t, Limits{}, nil, "sgm-1_04.zip@2_01").texts, []string{
		"sgm-1_04.zip!fwtab.txt 2_01 (command line (FILE@SGM)) lines=1",
		"sgm-1_04.zip!2_05/kdebug.txt 2_01 (command line (FILE@SGM)) lines=1",
	})
}

// TestWalkContainerLimits: depth, member count and decompressed size
// bound the new containers as they bound gzip and tar.
func TestWalkContainerLimits(t *testing.T) {
	one := member{name: "1.txt", body: lines(fwLine)}
	zeros := string(make([]byte, 3<<20))
	rng := rand.New(rand.NewPCG(5, 6))
	noise := make([]byte, 100<<10) // one line, stored: a zip this size is this big
	for i := range noise {
		noise[i] = 'a' + byte(rng.IntN(26))
	}
	bigZip := zipOfEntries(t, zipEntry{member: member{name: "noise", body: string(noise)}, store: true})
	tests := []struct {
		name    string
		files   map[string][]byte
		stdin   []byte
		args    []string
		lim     Limits
		texts   []string
		skipped []string
	}{{
		name: "depth: a tar in xz, zstd or bzip2 shares its level; a zip is one",
		files: map[string][]byte{
			"a.tar.xz":  xzOf(t, tarOf(t, one)),
			"a.tar.zst": zstdOf(t, tarOf(t, one)),
			"a.zip":     zipOf(t, one),
			"a.tgz.xz":  xzOf(t, tgz(t, one)),
			"b.zip":     zipOf(t, member{name: "c.zip", body: string(zipOf(t, one))}),
			"c.tgz":     tgz(t, member{name: "d.zip", body: string(zipOf(t, one))}),
		},
		args:  []string{"a.tar.xz", "a.tar.zst", "a.zip", "a.tgz.xz", "b.zip", "c.tgz"},
		lim:   Limits{MaxDepth: 1},
		texts: []string{"a.tar.xz!1.txt - () lines=1", "a.tar.zst!1.txt - () lines=1", "a.zip!1.txt - () lines=1"},
		skipped: []string{
			"a.tgz.xz: skipped: nested deeper than 1 archive level",
			"b.zip!c.zip: skipped: nested deeper than 1 archive level",
			"c.tgz!d.zip: skipped: nested deeper than 1 archive level",
		},
	}, {
		name:    "members: folders count, the zip stops at the limit",
		files:   map[string][]byte{"m.zip": zipOf(t, one, member{name: "d/", typ: tar.TypeDir}, member{name: "2.txt", body: lines(fwLine)}, member{name: "3.txt", body: lines(fwLine)})},
		args:    []string{"m.zip"},
		lim:     Limits{MaxMembers: 2},
		texts:   []string{"m.zip!1.txt - () lines=1"},
		skipped: []string{"m.zip: stopped: more than 2 archive members (the limit per input); rest of input not read"},
	}, {
		name:    "members: those of a tgz and of the zip in it count together",
		files:   map[string][]byte{"m.tgz": tgz(t, one, member{name: "z.zip", body: string(zipOf(t, member{name: "2.txt", body: lines(fwLine)}, member{name: "3.txt", body: lines(fwLine)}))})},
		args:    []string{"m.tgz"},
		lim:     Limits{MaxMembers: 3},
		texts:   []string{"m.tgz!1.txt - () lines=1", "m.tgz!z.zip!2.txt - () lines=1"},
		skipped: []string{"m.tgz!z.zip: stopped: more than 3 archive members (the limit per input); rest of input not read"},
	}, {
		name: "decompressed: bombs in every compression and zip method stopped, next input read",
		files: map[string][]byte{
			"bomb.xz":  xzOf(t, []byte(zeros)),
			"bomb.zst": zstdOf(t, []byte(zeros)),
			"bomb.zip": zipOfEntries(t, zipEntry{member: one}, zipEntry{member: member{name: "zeros", body: zeros}}, zipEntry{member: one}),
			"xz.zip":   zipOfEntries(t, zipEntry{member: member{name: "zeros", body: zeros}, method: zipXZ}),
			"z.txt":    []byte(lines(fwLine)),
		},
		args:  []string{"bomb.xz", "bomb.zst", "bomb.zip", "xz.zip", "z.txt"},
		lim:   Limits{MaxDecompressed: 1 << 20, MaxLineLen: 4096},
		texts: []string{"bomb.xz - () lines=0", "bomb.zst - () lines=0", "bomb.zip!1.txt - () lines=1", "bomb.zip!zeros - () lines=0", "xz.zip!zeros - () lines=0", "z.txt - () lines=1"},
		skipped: []string{
			"bomb.xz:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read",
			"bomb.zst:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read",
			"bomb.zip!zeros:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read",
			"xz.zip!zeros:1: stopped: more than 1048576 bytes decompressed (the limit per input); rest of input not read",
		},
	}, {
		name:    "decompressed: a zip in a tgz is copied within the budget, the gzip layer stops it",
		files:   map[string][]byte{"big.tgz": tgz(t, one, member{name: "big.zip", body: string(bigZip)}, member{name: "2.txt", body: lines(fwLine)})},
		args:    []string{"big.tgz"},
		lim:     Limits{MaxDecompressed: 64 << 10},
		texts:   []string{"big.tgz!1.txt - () lines=1"},
		skipped: []string{"big.tgz!big.zip: stopped: more than 65536 bytes decompressed (the limit per input); rest of input not read"},
	}, {
		name:  "decompressed: a zip in a plain tar is copied within the budget, the tar goes on",
		files: map[string][]byte{"big.tar": tarOf(t, one, member{name: "big.zip", body: string(bigZip)}, member{name: "2.txt", body: lines(fwLine)})},
		args:  []string{"big.tar"},
		lim:   Limits{MaxDecompressed: 64 << 10},
		texts: []string{"big.tar!1.txt - () lines=1", "big.tar!2.txt - () lines=1"},
		skipped: []string{"big.tar!big.zip: skipped: zip archive larger than the 65536 bytes left of the decompressed limit per input (65536); " +
			"a zip inside an archive or on stdin is copied to a temporary file to be read"},
	}, {
		name:  "decompressed: a zip on stdin too",
		stdin: bigZip,
		args:  []string{"-"},
		lim:   Limits{MaxDecompressed: 64 << 10},
		skipped: []string{"<stdin>: skipped: zip archive larger than the 65536 bytes left of the decompressed limit per input (65536); " +
			"a zip inside an archive or on stdin is copied to a temporary file to be read"},
	}, {
		name:  "decompressed: a zip file of its own is not copied",
		files: map[string][]byte{"big.zip": bigZip},
		args:  []string{"big.zip"},
		lim:   Limits{MaxDecompressed: 64 << 10, MaxLineLen: 200 << 10},
		texts: []string{"big.zip!noise - () lines=1"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			t.Chdir(dir)
			out := walk(t, tt.lim, tt.stdin, tt.args...)
			check(t, "texts", out.texts, tt.texts)
			check(t, "skipped", out.skipped, tt.skipped)
		})
	}
}

// TestWalkZipHostile skips zip members that are links, devices or pipes,
// leave the archive, are encrypted or compressed in a method not read, and
// reports damaged members and archives; 7z and RAR are refused by name.
func TestWalkZipHostile(t *testing.T) {
	ok := member{name: "ok.txt", body: lines(fwLine)}
	crcBad := zipOf(t, member{name: "a.txt", body: lines(fwLine, fwLine)}, ok)
	// The CRC-32 of a.txt is in its local header and in the central
	// directory; change the data instead (stored, so it stays readable).
	stored := zipOfEntries(t, zipEntry{member: member{name: "a.txt", body: lines(fwLine, fwLine)}, store: true}, zipEntry{member: ok})
	i := bytes.Index(stored, []byte(fwLine))
	stored = bytes.Clone(stored)
	stored[i+len(fwLine)+5] ^= 0x20 // in the second line
	tests := []struct {
		name    string
		data    []byte
		texts   []string
		recs    []string
		skipped []string
	}{{
		name: "h.zip",
		data: zipOfEntries(t,
			zipEntry{member: member{name: "../x.txt", body: lines(fwLine)}},
			zipEntry{member: member{name: "/etc/x", body: lines(fwLine)}},
			zipEntry{member: member{name: "a/../../y.txt", body: lines(fwLine)}},
			zipEntry{member: member{name: `..\win.txt`, body: lines(fwLine)}},
			zipEntry{member: member{name: "C:/boot.ini", body: lines(fwLine)}},
			zipEntry{member: member{name: "passwd", typ: tar.TypeSymlink, link: "/etc/passwd"}},
			zipEntry{member: member{name: "esc", typ: tar.TypeSymlink, link: "\x1b]0;title\x07"}},
			zipEntry{member: member{name: "tty", typ: tar.TypeChar}},
			zipEntry{member: member{name: "sda", typ: tar.TypeBlock}},
			zipEntry{member: member{name: "pipe", typ: tar.TypeFifo}},
			zipEntry{member: member{name: "secret.txt"}, raw: []byte("xxxxxxxxxxxx"), flags: 0x1},
			zipEntry{member: member{name: "big.txt"}, method: 9, raw: []byte("not really deflate64")},
			zipEntry{member: member{name: "odd.txt"}, method: 77, raw: []byte("?")},
			zipEntry{member: ok}),
		texts: []string{"h.zip!ok.txt - () lines=1"},
		recs:  []string{"h.zip!ok.txt:1 fwtab"},
		skipped: []string{
			`h.zip!../x.txt: skipped: path with ".." (leads outside the archive)`,
			"h.zip!/etc/x: skipped: absolute path",
			`h.zip!a/../../y.txt: skipped: path with ".." (leads outside the archive)`,
			`h.zip!..\win.txt: skipped: path with ".." (leads outside the archive)`,
			"h.zip!C:/boot.ini: skipped: absolute path",
			"h.zip!passwd: skipped: symbolic link to /etc/passwd (not followed)",
			`h.zip!esc: skipped: symbolic link to \x1b]0;title\x07 (not followed)`,
			"h.zip!tty: skipped: character device",
			"h.zip!sda: skipped: block device",
			"h.zip!pipe: skipped: named pipe (fifo)",
			"h.zip!secret.txt: skipped: encrypted (not read)",
			"h.zip!big.txt: skipped: compression method 9 (Deflate64) not supported; unpack the archive and give the folder",
			"h.zip!odd.txt: skipped: compression method 77 (unknown) not supported; unpack the archive and give the folder",
		},
	}, {
		name:    "crc.zip",
		data:    stored,
		texts:   []string{"crc.zip!a.txt - () lines=2", "crc.zip!ok.txt - () lines=1"},
		recs:    []string{"crc.zip!a.txt:1 fwtab", "crc.zip!a.txt:2:2: ", "crc.zip!ok.txt:1 fwtab"},
		skipped: []string{"crc.zip!a.txt:3: bad zip member: zip: checksum error"},
	}, {
		name:    "cut.zip",
		data:    crcBad[:len(crcBad)-30],
		skipped: []string{"cut.zip: bad zip archive: zip: not a valid zip file"},
	}, {
		name: "empty.zip",
		data: zipOf(t),
	}, {
		name:    "x.7z",
		data:    []byte("7z\xbc\xaf\x27\x1c\x00\x04 rest of a 7z archive"),
		skipped: []string{"x.7z: skipped: 7z archive: not supported; unpack it and give the folder"},
	}, {
		name:    "x.rar",
		data:    []byte("Rar!\x1a\x07\x00 a RAR 4 archive"),
		skipped: []string{"x.rar: skipped: RAR archive: not supported; unpack it and give the folder"},
	}, {
		name:    "y.rar",
		data:    []byte("Rar!\x1a\x07\x01\x00 a RAR 5 archive"),
		skipped: []string{"y.rar: skipped: RAR archive: not supported; unpack it and give the folder"},
	}, {
		name:  "in.tgz",
		data:  tgz(t, member{name: "a.7z", body: "7z\xbc\xaf\x27\x1c\x00\x04"}, member{name: "b.zip", body: string(zipOf(t, member{name: "c.rar", body: "Rar!\x1a\x07\x00"}))}, ok),
		texts: []string{"in.tgz!ok.txt - () lines=1"},
		recs:  []string{"in.tgz!ok.txt:1 fwtab"},
		skipped: []string{
			"in.tgz!a.7z: skipped: 7z archive: not supported; unpack it and give the folder",
			"in.tgz!b.zip!c.rar: skipped: RAR archive: not supported; unpack it and give the folder",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string][]byte{tt.name: tt.data})
			t.Chdir(dir)
			out := walk(t, Limits{}, nil, tt.name)
			check(t, "texts", out.texts, tt.texts)
			for i, r := range out.recs { // only the position of a rejected line
				if j := strings.Index(r, ": "); j >= 0 {
					out.recs[i] = r[:j+2]
				}
			}
			check(t, "records", out.recs, tt.recs)
			check(t, "skipped", out.skipped, tt.skipped)
		})
	}
}

// TestWalkZipSpool: a zip that is not a file of its own is copied to a
// private temporary file (mode 0600; on Linux, gone from the folder while
// it is read, which /proc/self/fd shows) that is gone when the walk is;
// without a temporary folder it is skipped with the reason.
func TestWalkZipSpool(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	in := tgz(t, member{name: "a.zip", body: string(zipOf(t, member{name: "1_02/x.txt", body: lines(fwLine)}))})
	var inFolder, open []string
	skipped, err := Walk([]string{"-"}, bytes.NewReader(in), Limits{}, func(src Source, r *Reader) error {
		ents, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			inFolder = append(inFolder, e.Name())
		}
		fds, _ := os.ReadDir("/proc/self/fd")
		for _, fd := range fds {
			p := filepath.Join("/proc/self/fd", fd.Name())
			target, err := os.Readlink(p)
			if err != nil || !strings.HasPrefix(target, filepath.Join(tmp, "maestro-analyze-")) {
				continue
			}
			if info, err := os.Stat(p); err == nil {
				open = append(open, strings.TrimPrefix(target, tmp+"/")+" "+info.Mode().String())
			}
		}
		for r.Scan() {
		}
		if src.Name != "<stdin>!a.zip!1_02/x.txt" || src.SGM.String() != "1_02" {
			t.Errorf("source %+v", src)
		}
		return r.Err()
	})
	if err != nil || len(skipped) > 0 {
		t.Fatalf("Walk: %v, %v", err, skipped)
	}
	if runtime.GOOS == "linux" {
		if len(inFolder) > 0 {
			t.Errorf("temporary files in the folder while reading: %q", inFolder)
		}
		if len(open) != 1 || !regexp.MustCompile(`^maestro-analyze-[0-9]+\.zip \(deleted\) -rw-------$`).MatchString(open[0]) {
			t.Errorf("temporary files open while reading: %q", open)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("temporary files left: %v", ents)
	}
	t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
	out := walk(t, Limits{}, in, "-")
	if len(out.skipped) != 1 || !strings.HasPrefix(out.skipped[0], "<stdin>!a.zip: skipped: zip archive: no temporary file to copy it to: ") {
		t.Errorf("skipped %q", out.skipped)
	}
}

// TestWalkZipProgress reports every byte of a zip file read at random
// access, once.
func TestWalkZipProgress(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	rng := rand.New(rand.NewPCG(7, 8))
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = 'a' + byte(rng.IntN(26))
	}
	data := zipOf(t, member{name: "a.txt", body: lines(fwLine)}, member{name: "b", body: string(big)})
	writeFiles(t, dir, map[string][]byte{"p.zip": data})
	total := 0
	out := walk(t, Limits{Progress: func(n int) { total += n }, MaxLineLen: 4 << 20}, nil, "p.zip")
	if len(out.texts) != 2 || total != len(data) {
		t.Errorf("texts %q, %d bytes reported of %d", out.texts, total, len(data))
	}
}

// TestSniff tells each container from its first bytes, and not from text
// that starts alike.
func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want container
	}{
		{"\x1f\x8b\x08", gzipData},
		{"\xfd7zXZ\x00\x00\x04", xzData},
		{"\xfd7zXZ", notContainer},
		{"\x28\xb5\x2f\xfd\x00", zstdData},
		{"\x50\x2a\x4d\x18\x04\x00\x00\x00", zstdData},
		{"\x5f\x2a\x4d\x18", zstdData},
		{"\x60\x2a\x4d\x18", notContainer},
		{"BZh91AY&SY", bzip2Data},
		{"BZh1\x17rE8P\x90", bzip2Data},
		{"BZh0" + "1AY&SY", notContainer},
		{"BZh91AY&SX", notContainer},
		{"BZh9 is text", notContainer},
		{"PK\x03\x04", zipArchive},
		{"PK\x05\x06", zipArchive},
		{"PK\x07\x08", notContainer},
		{"7z\xbc\xaf\x27\x1c", sevenZip},
		{"Rar!\x1a\x07\x00", rarArchive},
		{"Rar!\x1a\x07\x01\x00", rarArchive},
		{"Rar! is text", notContainer},
		{"localhost:\n", notContainer},
		{"", notContainer},
	}
	for _, tt := range tests {
		if got := sniff([]byte(tt.head)); got != tt.want {
			t.Errorf("sniff(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}
