package parse

import (
	"bytes"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateContainers = flag.Bool("update-containers", false, "rewrite testdata/containers/tree.tar.bz2 (needs the bzip2 command)")

// TestWalkXZ reads what the xz command writes (every check, several
// blocks, several streams with padding) and refuses the dictionaries
// and filters the decoder must not be given.
func TestWalkXZ(t *testing.T) {
	text := []byte(strings.Repeat(lines(fwLine, syncLine), 40))
	dir := t.TempDir()
	t.Chdir(dir)
	writeFiles(t, dir, map[string][]byte{"t.txt": text})
	want := walk(t, Limits{}, nil, "t.txt")
	// The dictionary sizes of the first block header set by hand (§5.3.1:
	// 28 is 64 MiB, as xz -9 writes, 30 is 128 MiB, 31 is 192 MiB, 40 is
	// 4 GiB - 1), the header's CRC-32 made right again.
	withDict := func(d byte) []byte {
		data := bytes.Clone(xzOf(t, text))
		h := data[12 : 12+(int(data[12])+1)*4]
		i := bytes.Index(h, []byte{0x21, 0x01})
		h[i+2] = d
		crc := crc32.ChecksumIEEE(h[:len(h)-4])
		h[len(h)-4], h[len(h)-3], h[len(h)-2], h[len(h)-1] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
		return data
	}
	t.Run("dictionaries", func(t *testing.T) {
		writeFiles(t, dir, map[string][]byte{"64m.xz": withDict(28), "huge.xz": withDict(40)})
		out := walk(t, Limits{}, nil, "64m.xz", "huge.xz")
		check(t, "texts", out.texts, []string{"64m.xz - () lines=80", "huge.xz - () lines=0"})
		check(t, "skipped", out.skipped, []string{"huge.xz:1: bad xz data: xz: block asks for a 4095 MiB dictionary, over the limit of 128 MiB"})
		for d, want := range map[byte]string{30: "", 31: "xz: block asks for a 192 MiB dictionary, over the limit of 128 MiB"} {
			data := withDict(d)
			err := xzCheckBlockHeader(data[12 : 12+(int(data[12])+1)*4])
			if got := fmt.Sprint(err); (err == nil) != (want == "") || (err != nil && got != want) {
				t.Errorf("dictionary byte %d: %v, want %q", d, err, want)
			}
		}
	})
	t.Run("truncated", func(t *testing.T) {
		full := xzOf(t, text)
		writeFiles(t, dir, map[string][]byte{"cut.xz": full[:len(full)/2]})
		out := walk(t, Limits{}, nil, "cut.xz")
		if len(out.skipped) != 1 || !strings.Contains(out.skipped[0], ": truncated xz data: unexpected EOF") {
			t.Errorf("skipped %q", out.skipped)
		}
	})
	for _, tt := range []struct {
		name    string
		args    []string
		skipped string
	}{
		{"none", []string{"--check=none"}, ""},
		{"crc32", []string{"--check=crc32"}, ""},
		{"crc64", []string{"--check=crc64"}, ""},
		{"sha256", []string{"--check=sha256"}, ""},
		{"blocks", []string{"--block-size=1KiB"}, ""},
		{"streams", nil, ""},
		{"bcj", []string{"--x86", "--lzma2"}, "bcj.xz:1: bad xz data: xz: filter 0x04 (BCJ or delta) not supported, only LZMA2; decompress it with xz and give the result"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := command(t, text, "xz", append([]string{"-c"}, tt.args...)...)
			if tt.name == "streams" {
				half := command(t, text[:len(text)/2], "xz", "-c")
				rest := command(t, text[len(text)/2:], "xz", "-c", "--check=sha256")
				data = append(append(half, make([]byte, 8)...), rest...)
			}
			name := tt.name + ".xz"
			writeFiles(t, dir, map[string][]byte{name: data})
			out := walk(t, Limits{}, nil, name)
			if tt.skipped != "" {
				check(t, "skipped", out.skipped, []string{tt.skipped})
				return
			}
			got := out.renamed(name, "t.txt")
			check(t, "records", got.recs, want.recs)
			check(t, "skipped", got.skipped, nil)
		})
	}
}

// TestWalkZstdWindow refuses a zstd frame that asks for a window over the
// limit before allocating it.
func TestWalkZstdWindow(t *testing.T) {
	// A frame header with a 1 GiB window (exponent 20, RFC 8878
	// §3.1.1.1.2), then a last raw block of 6 bytes.
	frame := append([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 1 | 6<<3, 0, 0}, "hello\n"...)
	dir := t.TempDir()
	t.Chdir(dir)
	writeFiles(t, dir, map[string][]byte{"w.zst": frame})
	out := walk(t, Limits{}, nil, "w.zst")
	if len(out.skipped) != 1 || !strings.HasPrefix(out.skipped[0], "w.zst:1: bad zstd data: ") || !strings.HasSuffix(out.skipped[0], ": frame asks for a window over the limit of 128 MiB (window size exceeded)") {
		t.Errorf("skipped %q, texts %q", out.skipped, out.texts)
	}
	// The same frame with a 1 MiB window is read.
	frame[5] = 10 << 3
	writeFiles(t, dir, map[string][]byte{"ok.zst": frame})
	out = walk(t, Limits{}, nil, "ok.zst")
	check(t, "texts", out.texts, []string{"ok.zst - () lines=1"})
	check(t, "skipped", out.skipped, nil)
}

// TestWalkBzip2Fixture reads the committed .tar.bz2 (so bzip2 is tested
// without the bzip2 command), and bzip2 streams cat together, as pbzip2
// writes them.
func TestWalkBzip2Fixture(t *testing.T) {
	ms := []member{{name: "1_01/fwtab.txt", body: lines(fwLine)}, {name: "notes.txt", body: lines(syncLine, badLine)}}
	fixture := filepath.Join("testdata", "containers", "tree.tar.bz2")
	if *updateContainers {
		if err := os.WriteFile(fixture, bzip2Of(t, tarOf(t, ms...)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := bzip2Fixture(t)
	dir := t.TempDir()
	t.Chdir(dir)
	writeFiles(t, dir, map[string][]byte{"t.tar.bz2": data, "t.tgz": tgz(t, ms...)})
	want := walk(t, Limits{}, nil, "t.tgz")
	got := walk(t, Limits{}, nil, "t.tar.bz2").renamed("t.tar.bz2!", "t.tgz!")
	check(t, "texts", got.texts, want.texts)
	check(t, "records", got.recs, want.recs)
	check(t, "skipped", got.skipped, nil)

	text := []byte(lines(fwLine, syncLine))
	cat := append(bzip2Of(t, text), bzip2Of(t, text)...)
	writeFiles(t, dir, map[string][]byte{"cat.bz2": cat, "cut.bz2": cat[:len(cat)/2+10], "empty.bz2": bzip2Of(t, nil)})
	out := walk(t, Limits{}, nil, "cat.bz2", "cut.bz2", "empty.bz2")
	check(t, "texts", out.texts, []string{"cat.bz2 - () lines=4", "cut.bz2 - () lines=2", "empty.bz2 - () lines=0"})
	if len(out.skipped) != 1 || !strings.HasPrefix(out.skipped[0], "cut.bz2:") || !strings.Contains(out.skipped[0], "bzip2 data") {
		t.Errorf("skipped %q", out.skipped)
	}
}

// bzip2Fixture is the committed .tar.bz2, for seeds.
func bzip2Fixture(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "containers", "tree.tar.bz2"))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
