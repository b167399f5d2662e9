package parse

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Default limits of [Walk], per input (see [Limits]).
const (
	DefaultMaxDepth        = 4
	DefaultMaxDecompressed = 8 << 30
	DefaultMaxMembers      = 100000
)

// maxSkippedPerInput bounds the [Skipped] entries listed for one input; the
// rest are counted in one more entry.
const maxSkippedPerInput = 100

// maxNameLen bounds each archive member name (and link target) kept in
// names and messages; longer ones are cut and end in "…".
const maxNameLen = 1024

// Limits bounds what [Walk] reads of one input (a file named on the command
// line or found in a folder, or stdin), whatever it holds. A zero or
// negative field takes its default. When a limit is reached, Walk reports
// it as a [Skipped] entry and goes on with the next input.
type Limits struct {
	// MaxDepth is how many archive levels may be opened inside one another:
	// a .gz, .tar, .tgz, .zip, .xz, .tar.xz (and so on) is one level, a
	// .tgz inside a .tgz or a .zip two.
	MaxDepth int
	// MaxDecompressed is how many bytes the decompressors of one input
	// (gzip, xz, zstd, bzip2, and zip members) may produce, all levels
	// together; it stops decompression bombs. It also bounds the temporary
	// copy of a zip archive that is not a file of its own (see [Walk]),
	// and the bytes read of an input that is not a regular file (stdin,
	// or a FIFO or device let in by AllowDevices), which may never end
	// (/dev/zero).
	MaxDecompressed int64
	// MaxMembers is how many archive members (of any type) one input may
	// hold, all levels together.
	MaxMembers int
	// MaxLineLen is the longest line kept (see [Reader.SetMaxLineLen]).
	MaxLineLen int
	// AllowDevices lets [Walk] and [OpenLimits] read a named pipe (FIFO)
	// or a device named by path, which are refused by default: opening a
	// FIFO waits for a writer, and a device may never end. Stdin ("-") is
	// always read. Inside folders and archives such files are skipped
	// either way.
	AllowDevices bool
	// Progress, when set, is called with the number of bytes each read of
	// a file named on the command line or found in a folder returned (the
	// bytes as stored, before decompression), for a progress bar.
	Progress func(n int)
}

// DefaultLimits returns the limits Walk applies by default: 4 archive
// levels, 8 GiB decompressed and 100000 members per input, lines up to
// [DefaultMaxLineLen].
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:        DefaultMaxDepth,
		MaxDecompressed: DefaultMaxDecompressed,
		MaxMembers:      DefaultMaxMembers,
		MaxLineLen:      DefaultMaxLineLen,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxDecompressed <= 0 {
		l.MaxDecompressed = d.MaxDecompressed
	}
	if l.MaxMembers <= 0 {
		l.MaxMembers = d.MaxMembers
	}
	if l.MaxLineLen <= 0 {
		l.MaxLineLen = d.MaxLineLen
	}
	return l
}

// Skipped is an input, an archive member or a folder entry that [Walk]
// skipped, or stopped reading, and why. It is not fatal: what was read
// before it counts, and the walk goes on.
type Skipped struct {
	Name   string // as in positions, escaped with [QuoteName]: "a.tgz!b.tgz!1_02/fwtab.txt"
	Line   int    // the line being read when it happened, 0 when not reading lines
	Reason string // "skipped: symbolic link to /etc/passwd (not followed)"
}

// String renders "name[:line]: reason", the shape of a position.
func (s Skipped) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", s.Name, s.Line, s.Reason)
	}
	return s.Name + ": " + s.Reason
}

// limitError is returned by reads past [Limits.MaxDecompressed]: of
// decompressed bytes, or of the bytes of a stream (stdin, a FIFO, a
// device).
type limitError struct {
	limit  int64
	stream bool
}

func (e *limitError) Error() string {
	if e.stream {
		return fmt.Sprintf("more than %d bytes read from a stream that is not a regular file (the limit per input)", e.limit)
	}
	return fmt.Sprintf("more than %d bytes decompressed (the limit per input)", e.limit)
}

// layerError is a read error of one layer of an input: compressed data,
// a tar or zip archive, or one of its members. layer numbers the layers
// from the file (0) inwards; readers at that layer and deeper are dead.
type layerError struct {
	what  string // "gzip data", "xz data", "tar member", "tar archive", "zip member"
	layer int
	err   error
}

func (e *layerError) Error() string { return e.what + ": " + e.err.Error() }
func (e *layerError) Unwrap() error { return e.err }

// budgetReader reads a decompressor and fails with a *limitError once the
// bytes produced by every decompressor of the input pass limit. Its other
// errors come back as a *layerError; those of the layers below pass as they
// are.
type budgetReader struct {
	r     io.Reader
	left  *int64 // shared by the layers of one input
	limit int64
	layer int
	what  string // what r decompresses, for its errors: "xz data"; "" is "gzip data"
}

// Read implements io.Reader.
func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.left < 0 {
		return 0, &limitError{limit: b.limit}
	}
	if int64(len(p)) > *b.left+1 {
		p = p[:*b.left+1] // one byte more tells "exactly the limit" from "over"
	}
	n, err := b.r.Read(p)
	if int64(n) > *b.left {
		n = int(*b.left)
		*b.left = -1
		return n, &limitError{limit: b.limit}
	}
	*b.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) && !isLayered(err) {
		what := b.what
		if what == "" {
			what = "gzip data"
		}
		err = &layerError{what: what, layer: b.layer, err: err}
	}
	return n, err
}

// memberReader reads the current member of a tar archive; errors come back
// as a *layerError, except those of layers below, which pass as they are.
type memberReader struct {
	tr    *tar.Reader
	layer int
}

// Read implements io.Reader.
func (m *memberReader) Read(p []byte) (int, error) {
	n, err := m.tr.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && !isLayered(err) {
		err = &layerError{what: "tar member", layer: m.layer, err: err}
	}
	return n, err
}

func isLayered(err error) bool {
	var le *layerError
	var lim *limitError
	return errors.As(err, &le) || errors.As(err, &lim)
}

// walker reads the inputs of one [Walk].
type walker struct {
	lim     Limits
	plain   *splitSource // the regular file being read, if any
	path    string       // its path, for what must be opened by name (a CPView database)
	fn      func(Source, *Reader) error
	skipped []Skipped
	bufs    []*bufio.Reader // one per layer, reused from one member to the next
	gzs     []*gzip.Reader

	// Per input.
	left    int64 // decompressed bytes still allowed
	under   int   // decompressors between the input and the data being read
	members int
	stopped bool // a limit was reached: read nothing more of this input
	broken  int  // the outermost layer that failed; readers there and deeper are dead
	listed  int  // Skipped entries listed for this input
	unseen  int  // Skipped entries over maxSkippedPerInput
}

// input reads one input, r, named by src; raw is its name unescaped.
func (w *walker) input(src Source, raw string, r io.Reader) error {
	w.left, w.members, w.stopped, w.broken, w.listed, w.unseen = w.lim.MaxDecompressed, 0, false, math.MaxInt, 0, 0
	err := w.stream(src, raw, w.buf(0, r), 0, 0, false)
	if w.unseen > 0 {
		w.add(Skipped{Name: src.Name, Reason: fmt.Sprintf(
			"%d more skipped (only the first %d are listed)", w.unseen, maxSkippedPerInput)})
	}
	for _, b := range w.bufs {
		b.Reset(nil) // drop the references to this input's readers
	}
	return err
}

// skip lists a skipped entry, up to maxSkippedPerInput per input.
func (w *walker) skip(s Skipped) {
	if w.listed >= maxSkippedPerInput {
		w.unseen++
		return
	}
	w.listed++
	w.add(s)
}

// add lists s.
func (w *walker) add(s Skipped) { w.skipped = append(w.skipped, s) }

// buf returns the reusable buffered reader of layer, reading r.
func (w *walker) buf(layer int, r io.Reader) *bufio.Reader {
	for len(w.bufs) <= layer {
		w.bufs = append(w.bufs, nil)
	}
	if w.bufs[layer] == nil {
		size := bufSize
		if layer == 0 {
			// The outer layer reads files: big reads cost fewer system
			// calls, which dominate reading a warm file (0.43 s against
			// 0.10 s for 1 GiB at 64 KiB and 1 MiB).
			size = fileBufSize
		}
		w.bufs[layer] = bufio.NewReaderSize(r, size)
	} else {
		w.bufs[layer].Reset(r)
	}
	return w.bufs[layer]
}

// gunzip returns the reusable gzip reader of layer, reading br.
func (w *walker) gunzip(layer int, br *bufio.Reader) (*gzip.Reader, error) {
	for len(w.gzs) <= layer {
		w.gzs = append(w.gzs, nil)
	}
	if w.gzs[layer] == nil {
		w.gzs[layer] = new(gzip.Reader)
	}
	return w.gzs[layer], w.gzs[layer].Reset(br)
}

// stream reads br, the data of src at layer: compressed data (gzip, xz,
// zstd, bzip2), tar and zip archives are recognized by content and opened
// (level counts the archive levels around br; a tar right inside
// compressed data shares its level), 7z and RAR archives are refused, and
// anything else is text for fn.
func (w *walker) stream(src Source, raw string, br *bufio.Reader, level, layer int, compressed bool) error {
	head, _ := br.Peek(tarMagicEnd)
	switch c := sniff(head); {
	case c == notContainer:
	case c == zipArchive:
		return w.zip(src, raw, br, level, layer)
	case c == sevenZip || c == rarArchive:
		w.skip(Skipped{Name: src.Name, Reason: "skipped: " + c.String() + ": not supported; unpack it and give the folder"})
		return nil
	case c.compressed():
		if level >= w.lim.MaxDepth {
			w.skip(Skipped{Name: src.Name, Reason: w.tooDeep()})
			return nil
		}
		zr, closer, err := w.decompressor(c, layer, br)
		if err != nil {
			if !isLayered(err) {
				err = &layerError{what: c.String(), layer: layer + 1, err: err}
			}
			w.fail(src.Name, 0, err, -1)
			return nil
		}
		defer closer.Close()
		w.under++
		defer func() { w.under-- }()
		// A .gz named as it is (the big capture) is decompressed on a core
		// of its own. Not a layer inside another: the layers around it
		// share the walker's budget, which one goroutine keeps.
		var ra *readahead
		if c == gzipData && w.under == 1 {
			ra = newReadahead(zr)
			defer ra.Close()
			zr = ra
		}
		inner := w.buf(layer+1, &budgetReader{r: zr, left: &w.left, limit: w.lim.MaxDecompressed, layer: layer + 1, what: c.String()})
		err = w.stream(src, raw, inner, level+1, layer+1, true)
		if ra != nil {
			ra.Close() // the gzip reader is done with before its note is read, or it is reused
			zr = ra.r
		}
		if g, ok := zr.(*gzipReader); ok && g.note() != "" {
			w.skip(Skipped{Name: src.Name, Reason: g.note()})
		}
		return err
	}
	if isTar(head) {
		if !compressed {
			if level >= w.lim.MaxDepth {
				w.skip(Skipped{Name: src.Name, Reason: w.tooDeep()})
				return nil
			}
			level++
		}
		return w.tar(src, raw, br, level, layer+1)
	}
	if isSQLite(head) {
		return w.sqlite(src, raw, br, layer)
	}
	if looksLikeCPView(raw) {
		w.skip(Skipped{Name: src.Name, Reason: "named like a CPView history database but not SQLite (no \"SQLite format 3\" magic): read as text"})
	}
	return w.text(src, br, layer)
}

// The ustar magic ("ustar\x00" or GNU's "ustar  ") of a tar header.
const (
	tarMagicOff = 257
	tarMagicEnd = tarMagicOff + 5
)

// isTar reports whether head starts with a ustar, pax or GNU tar header.
func isTar(head []byte) bool {
	return len(head) >= tarMagicEnd && string(head[tarMagicOff:tarMagicEnd]) == "ustar"
}

func (w *walker) tooDeep() string {
	return fmt.Sprintf("skipped: nested deeper than %d archive %s", w.lim.MaxDepth, plural(w.lim.MaxDepth, "level"))
}

// text hands the text of src to fn and reports the read error that ended
// it, if any. Only an error of fn's own is returned.
func (w *walker) text(src Source, br *bufio.Reader, layer int) error {
	tr := textReader(br)
	r := NewReader(tr, src.Name)
	r.SetMaxLineLen(w.lim.MaxLineLen)
	if layer == 0 && w.plain != nil && tr == io.Reader(br) {
		r.split = w.plain // the file as it is: Pipe may parse it in chunks
	}
	err := w.fn(src, r)
	ioErr := r.Err()
	if err != nil && (ioErr == nil || !errors.Is(err, ioErr)) {
		return err
	}
	if ioErr != nil {
		line := 0
		var ie *ioError
		if errors.As(ioErr, &ie) {
			line, ioErr = ie.pos.Line, ie.err
		}
		w.fail(src.Name, line, ioErr, -1)
	}
	return nil
}

// fail reports the read error err of name (at line, or after members of an
// archive when members >= 0) and marks the layers it kills.
func (w *walker) fail(name string, line int, err error, members int) {
	after := ""
	if members >= 0 {
		after = fmt.Sprintf(" after %d %s", members, plural(members, "member"))
	}
	var lim *limitError
	if errors.As(err, &lim) {
		w.stopped = true
		w.add(Skipped{Name: name, Line: line, Reason: "stopped" + after + ": " + lim.Error() + "; rest of input not read"})
		return
	}
	head, layer := "read error", 0
	var le *layerError
	if errors.As(err, &le) {
		head, layer, err = "bad "+le.what, le.layer, le.err
		if errors.Is(err, io.ErrUnexpectedEOF) {
			head = "truncated " + le.what
		}
	}
	w.broken = min(w.broken, layer)
	w.skip(Skipped{Name: name, Line: line, Reason: head + after + ": " + err.Error()})
}

// tar reads the members of the tar archive in br; their readers are at
// layer.
//
// A member whose PAX records archive/tar refuses (a NUL in a path, a
// malformed record) is skipped and the archive read on after it: the
// header block before the records says how long they are, and the entry
// they belong to follows them. Any other bad header ends the archive,
// as archive/tar cannot go on past one. What follows the end-of-archive
// blocks, other than zeros, is reported (see tarTrailer).
func (w *walker) tar(src Source, raw string, br *bufio.Reader, level, layer int) error {
	cnt := &tarCounter{r: br}
	tr := tar.NewReader(cnt)
	mr := &memberReader{tr: tr, layer: layer}
	for n := 0; ; n++ {
		if w.stopped || w.broken <= layer {
			return nil
		}
		w.broken = math.MaxInt // failures inside the last member are over
		hdr, err := tr.Next()
		if err != nil && errors.Is(err, tar.ErrHeader) && !isLayered(err) {
			if h, ok := cnt.resume(); ok {
				// The entry the records belong to comes next: skip it.
				bad := fmt.Sprintf("skipped: malformed PAX records (%d bytes; a NUL in a path, a bad length): %v", h, tar.ErrHeader)
				tr = tar.NewReader(cnt)
				mr.tr = tr
				hdr, err = tr.Next()
				if hdr != nil && (err == nil || errors.Is(err, tar.ErrInsecurePath)) {
					if !w.member(src.Name) {
						return nil
					}
					w.skip(Skipped{Name: src.Name + "!" + QuoteName(clipName(hdr.Name)), Reason: bad + "; the members after it are read"})
					cnt.next(hdr)
					continue
				}
				w.skip(Skipped{Name: src.Name, Reason: bad})
			}
		}
		if errors.Is(err, io.EOF) {
			w.tarTrailer(src.Name, br)
			return nil
		}
		if err != nil && (hdr == nil || !errors.Is(err, tar.ErrInsecurePath)) {
			if !isLayered(err) {
				if errors.Is(err, tar.ErrHeader) {
					err = fmt.Errorf("%w; rest of the archive not read (archive/tar cannot go on past a bad header)", err)
				}
				err = &layerError{what: "tar archive", layer: layer, err: err}
			}
			w.fail(src.Name, 0, err, n)
			return nil
		}
		cnt.next(hdr)
		if !w.member(src.Name) {
			return nil
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if reason := entryProblem(hdr); reason != "" {
			w.skip(Skipped{Name: src.Name + "!" + QuoteName(clipName(hdr.Name)), Reason: "skipped: " + reason})
			continue
		}
		if hdr.Typeflag == tar.TypeDir {
			continue
		}
		m, mraw := memberSource(src, raw, memberName(hdr.Name))
		if err := w.stream(m, mraw, w.buf(layer, mr), level, layer, false); err != nil {
			return err
		}
	}
}

// tarCounter counts the bytes a tar.Reader reads of a tar archive, and
// keeps a copy of the header block at mark, where the next entry starts,
// so that the walk can step over an entry whose PAX records archive/tar
// refuses (see resume).
type tarCounter struct {
	r    io.Reader
	n    int64 // bytes read
	mark int64 // where the next entry's first header block starts
	blk  [tarBlock]byte
	got  int // bytes of blk copied
}

// tarBlock is the size of a tar block (POSIX.1-2017 pax, ustar format).
const tarBlock = 512

// Read implements io.Reader.
func (c *tarCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.got < tarBlock && c.n+int64(n) > c.mark+int64(c.got) {
		if from := c.mark + int64(c.got) - c.n; from >= 0 { // where in p the block goes on
			c.got += copy(c.blk[c.got:], p[from:n])
		}
	}
	c.n += int64(n)
	return n, err
}

// next sets the mark past the data of the entry h, just read.
func (c *tarCounter) next(h *tar.Header) {
	size := h.Size
	switch h.Typeflag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo, tar.TypeXGlobalHeader:
		size = 0 // header only; a global header's records were read with it
	}
	c.mark, c.got = roundBlock(c.n+size), 0
}

// resume reports whether the header archive/tar just refused is a PAX
// header ('x') whose records it read to their end, and if so skips to the
// header of the entry they belong to, returning their size. A sparse
// entry's size (what is stored is less) makes the mark miss: then the
// block there is no PAX header, and resume says no.
func (c *tarCounter) resume() (int64, bool) {
	if c.got < tarBlock || c.blk[156] != tar.TypeXHeader {
		return 0, false
	}
	size, ok := octal(c.blk[124:136])
	if !ok || c.n != c.mark+tarBlock+size {
		return 0, false
	}
	if _, err := io.CopyN(io.Discard, c, roundBlock(c.n)-c.n); err != nil {
		return 0, false
	}
	c.mark, c.got = c.n, 0
	return size, true
}

// roundBlock rounds n up to a whole number of tar blocks.
func roundBlock(n int64) int64 { return (n + tarBlock - 1) / tarBlock * tarBlock }

// octal parses a tar header's numeric field: octal digits, with leading
// spaces and a NUL or space after.
func octal(b []byte) (int64, bool) {
	b = bytes.TrimRight(bytes.TrimLeft(b, " "), " \x00")
	if len(b) == 0 || len(b) > 11 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '7' {
			return 0, false
		}
		v = v*8 + int64(c-'0')
	}
	return v, true
}

// tarTrailer reads what follows the end-of-archive blocks of the tar
// archive of the input named name, in br, to its end: zeros (the padding
// that fills the last record) are expected; any other byte is reported,
// with the count of bytes from the first of them to the end, as not read,
// and named when it starts another tar archive (two archives put end to
// end, which GNU tar reads only with --ignore-zeros).
func (w *walker) tarTrailer(name string, br *bufio.Reader) {
	var n, zeros int64
	another := false
	for {
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				if !errors.Is(err, io.EOF) {
					w.fail(name, 0, err, -1)
					return
				}
				break
			}
		}
		b, _ := br.Peek(br.Buffered())
		if n == 0 {
			i := 0
			for i < len(b) && b[i] == 0 {
				i++
			}
			zeros += int64(i)
			_, _ = br.Discard(i)
			if i == len(b) {
				continue
			}
			if zeros%tarBlock == 0 {
				head, _ := br.Peek(tarMagicEnd)
				another = isTar(head)
			}
			b, _ = br.Peek(br.Buffered())
		}
		n += int64(len(b))
		_, _ = br.Discard(len(b))
	}
	if n == 0 {
		return
	}
	what := ""
	if another {
		what = " (another tar archive: extract them with tar --ignore-zeros and give the folder)"
	}
	w.skip(Skipped{Name: name, Reason: fmt.Sprintf("skipped: %d %s after the end of the archive: not read%s",
		n, plural(int(min(n, math.MaxInt32)), "byte"), what)})
}

// member counts one more archive member of the input named name, and
// reports false (and stops the input) when that is one over
// [Limits.MaxMembers].
func (w *walker) member(name string) bool {
	if w.members++; w.members <= w.lim.MaxMembers {
		return true
	}
	w.stopped = true
	w.add(Skipped{Name: name, Reason: fmt.Sprintf(
		"stopped: more than %d archive %s (the limit per input); rest of input not read",
		w.lim.MaxMembers, plural(w.lim.MaxMembers, "member"))})
	return false
}

// memberName is the name of an archive member in positions, cleaned: the
// name in the archive with backslashes as slashes, cut to maxNameLen.
func memberName(name string) string {
	return clipName(path.Clean(strings.ReplaceAll(name, `\`, "/")))
}

// memberSource is the Source of the member of src (whose unescaped name
// is raw) cleaned to clean (see memberName), and its unescaped name.
func memberSource(src Source, raw, clean string) (Source, string) {
	m := Source{Path: src.Path, Name: src.Name + "!" + QuoteName(clean), SGM: src.SGM, Rule: src.Rule}
	mraw := raw + "!" + clean
	if m.Rule != RuleCommandLine {
		m = named(m, mraw)
	}
	return m, mraw
}

// pathProblem says why an archive member named name is not read, or ""
// when its path is relative and stays inside the archive.
func pathProblem(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	switch {
	case name == "":
		return "empty name"
	case name[0] == '/' || (len(name) >= 2 && name[1] == ':' && (name[0]|0x20) >= 'a' && (name[0]|0x20) <= 'z'):
		return "absolute path"
	case name == ".." || strings.HasPrefix(name, "../") || strings.HasSuffix(name, "/..") || strings.Contains(name, "/../"):
		return `path with ".." (leads outside the archive)`
	}
	return ""
}

// entryProblem says why a tar entry is not read, or "" when it is: only
// regular files (and folders, which hold nothing) with a relative path that
// stays inside the archive are.
func entryProblem(h *tar.Header) string {
	if p := pathProblem(h.Name); p != "" {
		return p
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeCont, tar.TypeDir:
	case tar.TypeSymlink:
		return "symbolic link to " + QuoteName(clipName(h.Linkname)) + " (not followed)"
	case tar.TypeLink:
		return "hard link to " + QuoteName(clipName(h.Linkname)) + " (not followed)"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "named pipe (fifo)"
	case tar.TypeGNUSparse:
		return "sparse file (not supported)"
	default:
		return fmt.Sprintf("unsupported entry type %q", h.Typeflag)
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return "sparse file (not supported)"
		}
	}
	return ""
}

// clipName cuts s to maxNameLen bytes.
func clipName(s string) string {
	if len(s) <= maxNameLen {
		return s
	}
	return s[:maxNameLen] + "…"
}
