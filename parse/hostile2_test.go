package parse

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The second battery of hostile inputs (issue 18), the parse-level items:
// endless stdin, malformed stamps and counters, data after a tar's end, a
// bad PAX member, zero padding after gzip, UTF-16 without a byte-order
// mark. FIFOs and devices are in hostile2_unix_test.go.

// endless reads zeros forever.
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestWalkEndlessStdin: stdin that never ends (a pipe from /dev/zero)
// stops at the per-input limit with a message, and so does Open.
func TestWalkEndlessStdin(t *testing.T) {
	lim := Limits{MaxDecompressed: 1 << 20, MaxLineLen: 4096}
	var skipped []Skipped
	var err error
	within(t, "Walk of endless stdin", func() {
		skipped, err = Walk(nil, endless{}, lim, func(_ Source, r *Reader) error {
			for r.Scan() {
			}
			return r.Err()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "<stdin>:1: stopped: more than 1048576 bytes read from a stream that is not a regular file (the limit per input); rest of input not read"
	if len(skipped) != 1 || skipped[0].String() != want {
		t.Errorf("skipped %v, want %s", skipped, want)
	}
	in, err := OpenLimits("-", endless{}, lim)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, in); n != 1<<20 || err == nil {
		t.Errorf("OpenLimits(-): read %d bytes, %v", n, err)
	}
}

// TestBadStamp: a malformed `@;N;` stamp rejects its line with the reason
// "bad timestamp" and its position, never leaving the line without a
// stamp to take the one before; 18 digits and a fraction are read.
func TestBadStamp(t *testing.T) {
	corr := ";[fw4_0];fwha_ccl_is_stateful_corr_needed: <172.16.61.2(33183) -> 172.16.61.66(31435) IPP6>: chassis 0 is STANDBY in VS0, will not correct;"
	const want = `expected @;N; with N of 1 to 18 decimal digits, and a fraction of up to 15 after a '.'`
	tests := []struct {
		stamp string
		time  float64 // when read
		msg   string  // when rejected
	}{
		{stamp: "92545593", time: 92545593},
		{stamp: "882640557.8263", time: 882640557.8263},
		{stamp: "999999999999999999", time: 999999999999999999},
		{stamp: "5.", time: 5},
		{stamp: "1.000000000000001", time: 1.000000000000001},
		{stamp: "123456789012345678901234567890", msg: `t:2:3: bad timestamp "123456789012345678901234567890": ` + want},
		{stamp: "1000000000000000000", msg: `t:2:3: bad timestamp "1000000000000000000": ` + want},
		{stamp: "-5", msg: `t:2:3: bad timestamp "-5": ` + want},
		{stamp: "0x10", msg: `t:2:3: bad timestamp "0x10": ` + want},
		{stamp: "1e9", msg: `t:2:3: bad timestamp "1e9": ` + want},
		{stamp: "1.5.2", msg: `t:2:3: bad timestamp "1.5.2": ` + want},
		{stamp: "1.0000000000000001", msg: `t:2:3: bad timestamp "1.0000000000000001": ` + want},
		{stamp: " 5", msg: `t:2:3: bad timestamp " 5": ` + want},
	}
	for _, tt := range tests {
		for _, body := range []string{corr, ";[fw4_7];" + strings.TrimPrefix(syncLine, "[vs_0];[tid_7];[fw4_7];")} {
			in := lines("@;10"+corr, "@;"+tt.stamp+body, "@;20"+corr)
			_, recs, r := scanAll(t, in, "t")
			s := r.Stats()
			if tt.msg == "" {
				if len(recs) != 3 || !recs[1].HasTime || recs[1].Time != tt.time || s.RejectedLines() != 0 {
					t.Errorf("@;%s;: %d records, time %v, rejected %v", tt.stamp, len(recs), recs[1].Time, s.Rejected)
				}
				continue
			}
			if len(recs) != 2 || recs[0].Time != 10 || recs[1].Time != 20 || !maps.Equal(s.Rejected, map[string]int64{"bad timestamp": 1}) {
				t.Errorf("@;%s;: %d records, rejected %v", tt.stamp, len(recs), s.Rejected)
			}
			if len(s.Examples) != 1 || s.Examples[0].Error() != tt.msg {
				t.Errorf("@;%s;: examples %v, want %s", tt.stamp, s.Examples, tt.msg)
			}
			if got := s.RecognizedLines() + s.IgnoredLines() + s.RejectedLines(); got != s.Lines {
				t.Errorf("@;%s;: accounting %d != %d lines", tt.stamp, got, s.Lines)
			}
		}
	}
	// A wrapped sync line with a bad stamp is rejected whole: its second
	// line is not read as a line of its own.
	wrapped := "@;0x10;" + strings.Replace(syncLine, "2000800,", "2000800,\n", 1)
	_, recs, r := scanAll(t, lines(wrapped, "@;20"+corr), "t")
	if s := r.Stats(); len(recs) != 1 || s.Lines != 3 || !maps.Equal(s.Rejected, map[string]int64{"bad timestamp": 2}) {
		t.Errorf("wrapped: %d records, %d lines, rejected %v", len(recs), s.Lines, s.Rejected)
	}
}

// TestBadCounter: a syncstat counter that is a number but not a count is
// rejected with the reason "bad counter"; one of 2^63 or more is read as
// such (NumOver), not as a blank; text values and units are kept.
func TestBadCounter(t *testing.T) {
	tests := []struct {
		val     string
		num     int64
		hasNum  bool
		numOver bool
		msg     string
	}{
		{val: "0", hasNum: true},
		{val: "46000 [Bps]", num: 46000, hasNum: true},
		{val: "376827[KB]", num: 376827, hasNum: true},
		{val: "0%", hasNum: true},
		{val: "SYNCBOND"},
		{val: "1000Mb/s", num: 1000, hasNum: true},
		{val: "9223372036854775807", num: math.MaxInt64, hasNum: true},
		{val: "009223372036854775807", num: math.MaxInt64, hasNum: true},
		{val: "9223372036854775808", numOver: true},
		{val: "18446744073709551617", numOver: true},
		{val: "123456789012345678901234567890 [KB]", numOver: true},
		{val: "1.5"},
		{val: "-"},
		{val: "N/A"},
		{val: ""},
		{val: "-5", msg: `s:2:46: counter "Lost updates": "-5" has a sign: expected a count (0 or more)`},
		{val: "+5", msg: `s:2:46: counter "Lost updates": "+5" has a sign: expected a count (0 or more)`},
		{val: "NaN", msg: `s:2:46: counter "Lost updates": "NaN" is not a number: expected a count`},
		{val: "-Inf", msg: `s:2:46: counter "Lost updates": "-Inf" is not a number: expected a count`},
		{val: "infinity [KB]", msg: `s:2:46: counter "Lost updates": "infinity [KB]" is not a number: expected a count`},
		{val: "0x10", msg: `s:2:46: counter "Lost updates": "0x10" is hex: expected a decimal count`},
	}
	for _, tt := range tests {
		in := lines("Delta Sync Statistics", "Lost updates................................ "+tt.val)
		_, recs, r := scanAll(t, in, "s")
		s := r.Stats()
		if tt.msg != "" {
			if len(recs) != 1 || !maps.Equal(s.Rejected, map[string]int64{"bad counter": 1}) ||
				len(s.Examples) != 1 || s.Examples[0].Error() != tt.msg {
				t.Errorf("%q: %d records, rejected %v, examples %v; want %s", tt.val, len(recs), s.Rejected, s.Examples, tt.msg)
			}
			continue
		}
		if len(recs) != 2 || s.RejectedLines() != 0 {
			t.Fatalf("%q: %d records, rejected %v", tt.val, len(recs), s.Rejected)
		}
		rec := recs[1]
		if rec.Text != tt.val || rec.Num != tt.num || rec.HasNum != tt.hasNum || rec.NumOver != tt.numOver {
			t.Errorf("%q: text %q num %d has %v over %v; want %d %v %v", tt.val, rec.Text, rec.Num, rec.HasNum, rec.NumOver, tt.num, tt.hasNum, tt.numOver)
		}
	}
}

// paxNUL is a tar archive whose first member's PAX path holds a NUL
// (archive/tar refuses the header), then a good member.
func paxNUL(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	mod := time.Date(2025, 9, 30, 4, 18, 8, 0, time.UTC)
	// A non-ASCII name makes the writer put the path in a PAX record.
	if err := tw.WriteHeader(&tar.Header{Name: "café/XXXX.txt", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644, ModTime: mod, Format: tar.FormatPAX}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte("abc\n"))
	body := lines(fwLine)
	if err := tw.WriteHeader(&tar.Header{Name: "1_02/fwtab.txt", Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644, ModTime: mod}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte(body))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	// The records are the data of the first block's 'x' header: put the
	// NUL there, where no checksum covers it.
	if raw[156] != tar.TypeXHeader || !bytes.Contains(raw[512:1024], []byte("path=café/XXXX.txt")) {
		t.Fatalf("unexpected layout: %q", raw[:1024])
	}
	copy(raw[512:1024], bytes.Replace(raw[512:1024], []byte("XXXX"), []byte("X\x00XX"), 1))
	return raw
}

// TestTarHostile: data after the end-of-archive blocks (a second archive
// appended) is reported as not read; zeros there are record padding; a
// member whose PAX records are refused stops only itself; a bad header
// archive/tar cannot step over says that the rest is not read.
func TestTarHostile(t *testing.T) {
	a := tarOf(t, member{name: "1_01/fwtab.txt", body: lines(fwLine)})
	b := tarOf(t, member{name: "1_02/fwtab.txt", body: lines(fwLine)})
	two := append(append([]byte{}, a...), b...)
	junk := append(append([]byte{}, a...), "not a tar"...)
	padded := append(append([]byte{}, a...), make([]byte, 10240-len(a)%10240)...)
	bad := append(append([]byte{}, a[:len(a)-1024]...), b...)
	bad[len(a)-1024+148] ^= 1 // the second member's checksum
	nul := paxNUL(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"two.tar": two, "two.tgz": gz(t, two), "junk.tar": junk, "padded.tar": padded,
		"bad.tar": bad, "nul.tar": nul, "nul.tgz": gz(t, nul),
	})
	another := " (another tar archive: extract them with tar --ignore-zeros and give the folder)"
	tests := []struct {
		name          string
		recs, skipped []string
	}{
		{"two.tar", []string{"two.tar!1_01/fwtab.txt:1 fwtab"},
			[]string{fmt.Sprintf("two.tar: skipped: %d bytes after the end of the archive: not read%s", len(b), another)}},
		{"two.tgz", []string{"two.tgz!1_01/fwtab.txt:1 fwtab"},
			[]string{fmt.Sprintf("two.tgz: skipped: %d bytes after the end of the archive: not read%s", len(b), another)}},
		{"junk.tar", []string{"junk.tar!1_01/fwtab.txt:1 fwtab"},
			[]string{"junk.tar: skipped: 9 bytes after the end of the archive: not read"}},
		{"padded.tar", []string{"padded.tar!1_01/fwtab.txt:1 fwtab"}, nil},
		{"bad.tar", []string{"bad.tar!1_01/fwtab.txt:1 fwtab"},
			[]string{"bad.tar: bad tar archive after 1 member: archive/tar: invalid tar header; rest of the archive not read (archive/tar cannot go on past a bad header)"}},
		{"nul.tar", []string{"nul.tar!1_02/fwtab.txt:1 fwtab"},
			[]string{"nul.tar!caf/XXXX.txt: skipped: malformed PAX records (23 bytes; a NUL in a path, a bad length): archive/tar: invalid tar header; the members after it are read"}},
		{"nul.tgz", []string{"nul.tgz!1_02/fwtab.txt:1 fwtab"},
			[]string{"nul.tgz!caf/XXXX.txt: skipped: malformed PAX records (23 bytes; a NUL in a path, a bad length): archive/tar: invalid tar header; the members after it are read"}},
	}
	for _, tt := range tests {
		out := walk(t, Limits{}, nil, filepath.Join(dir, tt.name)).renamed(dir+string(filepath.Separator), "")
		check(t, tt.name+" recs", out.recs, tt.recs)
		check(t, tt.name+" skipped", out.skipped, tt.skipped)
	}
}

// TestGzipPadding: zero bytes after a complete gzip stream (tar.gz files
// from some tools) are accepted with a note, not "invalid header"; other
// bytes there are counted and reported; Open accepts the padding too.
func TestGzipPadding(t *testing.T) {
	text := lines(fwLine, syncLine)
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"z.gz":    append(gz(t, []byte(text)), make([]byte, 1000)...),
		"z.tgz":   append(tgz(t, member{name: "1_01/fwtab.txt", body: text}), make([]byte, 512)...),
		"two.gz":  append(append(gz(t, []byte(lines(fwLine))), gz(t, []byte(lines(syncLine)))...), 0),
		"junk.gz": append(gz(t, []byte(text)), "\x00\x00junk"...),
	})
	tests := []struct {
		name          string
		recs, skipped []string
	}{
		{"z.gz", []string{"z.gz:1 fwtab", "z.gz:2 sync"},
			[]string{"z.gz: note: 1000 zero bytes after the end of the gzip data (padding): ignored"}},
		{"z.tgz", []string{"z.tgz!1_01/fwtab.txt:1 fwtab", "z.tgz!1_01/fwtab.txt:2 sync"},
			[]string{"z.tgz: note: 512 zero bytes after the end of the gzip data (padding): ignored"}},
		{"two.gz", []string{"two.gz:1 fwtab", "two.gz:2 sync"},
			[]string{"two.gz: note: 1 zero byte after the end of the gzip data (padding): ignored"}},
		{"junk.gz", []string{"junk.gz:1 fwtab", "junk.gz:2 sync"},
			[]string{"junk.gz:3: bad gzip data: 6 bytes after the end of the gzip data, not gzip: not read"}},
	}
	for _, tt := range tests {
		out := walk(t, Limits{}, nil, filepath.Join(dir, tt.name)).renamed(dir+string(filepath.Separator), "")
		check(t, tt.name+" recs", out.recs, tt.recs)
		check(t, tt.name+" skipped", out.skipped, tt.skipped)
	}
	in, err := Open(filepath.Join(dir, "z.gz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got, err := io.ReadAll(in); err != nil || string(got) != text {
		t.Errorf("Open(z.gz): %q, %v", got, err)
	}
}

// TestUTF16NoBOM: UTF-16 text without a byte-order mark (alternate NUL
// bytes) is read as UTF-16, in either byte order, through Walk and Open;
// binary data with NULs is still binary.
func TestUTF16NoBOM(t *testing.T) {
	text := strings.ReplaceAll(lines("localhost:", fwLine, syncLine), "\n", "\r\n")
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"le.txt":   encodeUTF16(text, false),
		"be.txt":   encodeUTF16(text, true),
		"le.gz":    gz(t, encodeUTF16(text, false)),
		"tiny.txt": encodeUTF16("ab\n", false),
		"bin.dat":  []byte("\x01\x00\x02\x00\x03\x00\x04\x00\n"),
	})
	for _, name := range []string{"le.txt", "be.txt", "le.gz"} {
		out := walk(t, Limits{}, nil, filepath.Join(dir, name)).renamed(dir+string(filepath.Separator), "")
		check(t, name, out.recs, []string{name + ":1 host-header", name + ":2 fwtab", name + ":3 sync"})
		in, err := Open(filepath.Join(dir, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(in)
		_ = in.Close()
		if err != nil || string(got) != text {
			t.Errorf("Open(%s): %q, %v", name, got, err)
		}
	}
	out := walk(t, Limits{}, nil, filepath.Join(dir, "tiny.txt")).renamed(dir+string(filepath.Separator), "")
	check(t, "tiny", out.texts, []string{"tiny.txt - () lines=1"})
	out = walk(t, Limits{}, nil, filepath.Join(dir, "bin.dat")).renamed(dir+string(filepath.Separator), "")
	check(t, "bin", out.recs, []string{"bin.dat:1: binary data (NUL bytes): not a text dump"})
}
