package parse

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

// encodeUTF16 encodes s in UTF-16 with the given byte order; s carries its
// own byte-order mark if it should have one.
func encodeUTF16(s string, bigEndian bool) []byte {
	return encodeUTF16Units(utf16.Encode([]rune(s)), bigEndian)
}

func TestQuoteName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"samples/sgm-1_03.txt", "samples/sgm-1_03.txt"},
		{"a.tgz!b.tgz!1_02/fwtab.txt", "a.tgz!b.tgz!1_02/fwtab.txt"},
		{"données/é.txt", "données/é.txt"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"tab\there\nnl\rcr\x00nul\x7fdel", `tab\x09here\x0anl\x0dcr\x00nul\x7fdel`},
		{"bad\xff\xfeutf8", `bad\xff\xfeutf8`},
		{"cut\xe2\x82", `cut\xe2\x82`},
		{"c1\u0085\u009b", `c1\u{0085}\u{009b}`},
		{"rtl\u202eevil\u2066", `rtl\u{202e}evil\u{2066}`},
		{"sep\u2028\u2029", `sep\u{2028}\u{2029}`},
		{`back\slash`, `back\slash`},
	}
	for _, tt := range tests {
		if got := QuoteName(tt.in); got != tt.want {
			t.Errorf("QuoteName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestUTF16Reader decodes byte by byte and whole, so surrogate pairs and
// code units are split across reads.
func TestUTF16Reader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte // after the byte-order mark
		be   bool
		want string
	}{
		{"ascii le", encodeUTF16("a\r\nb\n", false), false, "a\r\nb\n"},
		{"ascii be", encodeUTF16("a\r\nb\n", true), true, "a\r\nb\n"},
		{"bmp and pair le", encodeUTF16("é€\U0001F600z", false), false, "é€\U0001F600z"},
		{"bmp and pair be", encodeUTF16("é€\U0001F600z", true), true, "é€\U0001F600z"},
		{"odd trailing byte", append(encodeUTF16("ab", false), 'c'), false, "ab\ufffd"},
		{"lone high surrogate at end", encodeUTF16Units([]uint16{'a', 0xd83d}, false), false, "a\ufffd"},
		{"lone high surrogate then odd byte", append(encodeUTF16Units([]uint16{0xd83d}, false), 'x'), false, "\ufffd\ufffd"},
		{"high surrogate then non-low", encodeUTF16Units([]uint16{0xd83d, 'a'}, true), true, "\ufffda"},
		{"lone low surrogate", encodeUTF16Units([]uint16{0xde00, 'a'}, true), true, "\ufffda"},
		{"empty", nil, false, ""},
		{"one byte", []byte{'x'}, false, "\ufffd"},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(tt.in)
			if slow {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(newUTF16Reader(r, tt.be))
			if err != nil || string(got) != tt.want {
				t.Errorf("%s (byte by byte %v): %q, %v; want %q", tt.name, slow, got, err, tt.want)
			}
		}
	}
	// A long input crosses the reader's buffer many times.
	long := strings.Repeat("x\U0001F600é\n", 20000)
	got, err := io.ReadAll(newUTF16Reader(bytes.NewReader(encodeUTF16(long, false)), false))
	if err != nil || string(got) != long {
		t.Errorf("long input: %d bytes, %v", len(got), err)
	}
	if err := iotest.TestReader(newUTF16Reader(bytes.NewReader(encodeUTF16(long, true)), true), []byte(long)); err != nil {
		t.Error(err)
	}
}

func encodeUTF16Units(us []uint16, bigEndian bool) []byte {
	var b []byte
	for _, u := range us {
		if bigEndian {
			b = binary.BigEndian.AppendUint16(b, u)
		} else {
			b = binary.LittleEndian.AppendUint16(b, u)
		}
	}
	return b
}

// TestOpen opens gzip by content and UTF-16 by byte-order mark.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	text := lines(fwLine, syncLine)
	files := map[string][]byte{
		"plain.txt":  []byte(text),
		"z.txt":      gz(t, []byte(text)),
		"le.txt":     encodeUTF16("\ufeff"+text, false),
		"be.gz":      gz(t, encodeUTF16("\ufeff"+text, true)),
		"u8-bom.txt": []byte("\ufeff" + text),
	}
	writeFiles(t, dir, files)
	for name := range files {
		in, err := Open(filepath.Join(dir, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(in)
		_ = in.Close()
		if name == "u8-bom.txt" {
			got = bytes.TrimPrefix(got, []byte("\ufeff"))
		}
		if err != nil || string(got) != text {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	in, err := Open("-", strings.NewReader(string(encodeUTF16("\ufeffstdin\n", true))))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(in); err != nil || string(got) != "stdin\n" || in.Name != StdinName {
		t.Errorf("stdin %s: %q, %v", in.Name, got, err)
	}
	if _, err := Open(filepath.Join(dir, "missing"), nil); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}
