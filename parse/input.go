package parse

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// StdinName is how standard input is named in positions.
const StdinName = "<stdin>"

// bufSize is the size of the read buffers of every input layer. It is the
// size the line reader asks for, so it reuses the buffer it is given.
const bufSize = 64 << 10

// fileBufSize is the read size of the outermost layer, the file itself.
const fileBufSize = 1 << 20

// Input is one opened input: a name for positions and a reader of its
// (decompressed, UTF-8) text.
type Input struct {
	Name string
	io.Reader
	closers []io.Closer
}

// Close releases the input.
func (in *Input) Close() error {
	var first error
	for i := len(in.closers) - 1; i >= 0; i-- {
		if err := in.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Open opens path ("-" for stdin, read from stdin) as one text stream: it
// transparently decompresses gzip, xz, zstd and bzip2, recognized by their
// magic bytes rather than their names, up to [DefaultMaxDecompressed] bytes, and transcodes UTF-16
// text that starts with a byte-order mark to UTF-8. It does not look inside
// tar archives: [Walk] does. It is [OpenLimits] with [DefaultLimits].
func Open(path string, stdin io.Reader) (*Input, error) {
	return OpenLimits(path, stdin, DefaultLimits())
}

// OpenLimits is [Open] within lim: [Limits.MaxDecompressed] bounds the
// decompressed bytes, and the bytes read of stdin when it is not a regular
// file and of a FIFO or a device; a FIFO, a device or a socket named by
// path is refused with an error naming its type (without opening it)
// unless [Limits.AllowDevices]. The other fields do not apply.
func OpenLimits(path string, stdin io.Reader, lim Limits) (*Input, error) {
	lim = lim.withDefaults()
	in := &Input{Name: QuoteName(path)}
	var r io.Reader
	if path == "-" {
		in.Name = StdinName
		r = stdin
		if r == nil {
			r = strings.NewReader("")
		}
		if isStream(r) {
			r = &streamReader{r: r, left: lim.MaxDecompressed, limit: lim.MaxDecompressed}
		}
	} else {
		st, err := os.Stat(path)
		switch {
		case err != nil:
			return nil, err
		case st.IsDir():
			return nil, fmt.Errorf("%s: is a directory (folders are read by triage)", in.Name)
		case !st.Mode().IsRegular() && !lim.AllowDevices:
			return nil, fmt.Errorf("%s: %s", in.Name, refused(st.Mode().Type()))
		}
		f, err := openFile(path, lim.AllowDevices)
		if err != nil {
			return nil, err
		}
		in.closers = append(in.closers, f)
		r = f
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			if err == nil && !lim.AllowDevices {
				_ = in.Close()
				return nil, fmt.Errorf("%s: %s", in.Name, refused(st.Mode().Type()))
			}
			r = &streamReader{r: f, left: lim.MaxDecompressed, limit: lim.MaxDecompressed}
		}
	}
	br := bufio.NewReaderSize(r, bufSize)
	if head, _ := br.Peek(10); sniff(head).compressed() {
		c := sniff(head)
		zr, closer, err := openCompressed(c, br)
		if err != nil {
			_ = in.Close()
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		in.closers = append(in.closers, closer)
		left := lim.MaxDecompressed
		br = bufio.NewReaderSize(&budgetReader{r: zr, left: &left, limit: left, what: c.String()}, bufSize)
	}
	in.Reader = textReader(br)
	return in, nil
}

// isGzip reports whether head starts with the gzip magic bytes.
func isGzip(head []byte) bool {
	return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b
}

// textReader returns br, or a reader transcoding it to UTF-8 when it is
// UTF-16: it starts with a UTF-16 byte-order mark (which is dropped), or,
// without one, with ASCII text in UTF-16 (see utf16Order). A UTF-8
// byte-order mark is left to the line reader, which strips it.
func textReader(br *bufio.Reader) io.Reader {
	bom, _ := br.Peek(2)
	if len(bom) < 2 {
		return br
	}
	switch {
	case bom[0] == 0xff && bom[1] == 0xfe:
		_, _ = br.Discard(2)
		return newUTF16Reader(br, false)
	case bom[0] == 0xfe && bom[1] == 0xff:
		_, _ = br.Discard(2)
		return newUTF16Reader(br, true)
	}
	head, _ := br.Peek(2 * utf16Units)
	if be, ok := utf16Order(head); ok {
		return newUTF16Reader(br, be)
	}
	return br
}

// utf16Units is how many code units of UTF-16 text without a byte-order
// mark utf16Order looks at.
const utf16Units = 32

// utf16Order reports whether head, the start of an input without a
// byte-order mark, is UTF-16 (as Windows tools write it, BOM or not), and
// in which byte order: each of its first utf16Units code units (all of
// them when the input is shorter, at least 2) is printable ASCII or a tab,
// CR or LF, with its other byte zero. Text in UTF-8 never has those NULs;
// binary data seldom starts with 32 such units in a row.
func utf16Order(head []byte) (bigEndian, ok bool) {
	n := len(head) / 2 // fewer than utf16Units only when that is all the input
	if n < 2 {
		return false, false
	}
	text := func(c byte) bool { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n' }
	le, be := true, true
	for i := range n {
		lo, hi := head[2*i], head[2*i+1]
		le = le && hi == 0 && text(lo)
		be = be && lo == 0 && text(hi)
	}
	switch {
	case le:
		return false, true
	case be:
		return true, true
	}
	return false, false
}

// utf16Reader transcodes a UTF-16 stream to UTF-8 as it is read. Unpaired
// surrogates and an odd trailing byte become U+FFFD, as in [utf16.Decode].
type utf16Reader struct {
	r   io.Reader
	be  bool
	in  []byte // undecoded input: in[:n]
	n   int
	out []byte // decoded output not yet returned: out[off:]
	off int
	err error
}

func newUTF16Reader(r io.Reader, bigEndian bool) *utf16Reader {
	const inSize = 32 << 10
	return &utf16Reader{r: r, be: bigEndian, in: make([]byte, inSize), out: make([]byte, 0, inSize*3/2+utf8.UTFMax)}
}

// Read implements io.Reader.
func (u *utf16Reader) Read(p []byte) (int, error) {
	for u.off == len(u.out) {
		if u.err != nil {
			return 0, u.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		u.fill()
	}
	n := copy(p, u.out[u.off:])
	u.off += n
	return n, nil
}

func (u *utf16Reader) unit(i int) rune {
	if u.be {
		return rune(u.in[i])<<8 | rune(u.in[i+1])
	}
	return rune(u.in[i+1])<<8 | rune(u.in[i])
}

// fill reads more input and decodes every complete code unit; a high
// surrogate at the end of the input read so far waits for its pair.
func (u *utf16Reader) fill() {
	m, err := u.r.Read(u.in[u.n:])
	u.n += m
	u.out, u.off = u.out[:0], 0
	i := 0
	for ; i+1 < u.n; i += 2 {
		c := u.unit(i)
		if !utf16.IsSurrogate(c) {
			u.out = utf8.AppendRune(u.out, c)
			continue
		}
		if c < 0xdc00 { // high surrogate: needs the next unit
			if i+3 >= u.n && err == nil {
				break
			}
			if i+3 < u.n {
				if r := utf16.DecodeRune(c, u.unit(i+2)); r != unicode.ReplacementChar {
					u.out = utf8.AppendRune(u.out, r)
					i += 2
					continue
				}
			}
		}
		u.out = utf8.AppendRune(u.out, unicode.ReplacementChar)
	}
	u.n = copy(u.in, u.in[i:u.n])
	if err != nil {
		if u.n > 0 { // an odd trailing byte
			u.out = utf8.AppendRune(u.out, unicode.ReplacementChar)
			u.n = 0
		}
		u.err = err
	}
}

// QuoteName returns s with what a terminal would act on escaped, for input
// and member names in messages: control characters (tab included), invalid
// UTF-8, line and paragraph separators and bidirectional controls. Bytes of
// invalid UTF-8 and ASCII controls become \xNN, other runes \u{NNNN}; the
// rest of s is kept as is, so ordinary names are unchanged.
func QuoteName(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if needsQuote(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	const hex = "0123456789abcdef"
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case !needsQuote(r, n):
			b.WriteString(s[i : i+n])
		case r == utf8.RuneError || r < utf8.RuneSelf:
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&15])
		default:
			fmt.Fprintf(&b, `\u{%04x}`, r)
		}
		i += n
	}
	return b.String()
}

// needsQuote reports whether rune r, decoded from n bytes, must be escaped.
func needsQuote(r rune, n int) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f
	}
	return (r == utf8.RuneError && n == 1) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		unicode.Is(unicode.Bidi_Control, r)
}
