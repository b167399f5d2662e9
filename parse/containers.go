package parse

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// container is a kind of data [Walk] recognizes by its first bytes.
type container int

// The containers, as sniff tells them.
const (
	notContainer container = iota
	gzipData
	xzData
	zstdData
	bzip2Data
	zipArchive
	sevenZip   // refused
	rarArchive // refused
)

// String names c in messages ("bad xz data: ...").
func (c container) String() string {
	switch c {
	case gzipData:
		return "gzip data"
	case xzData:
		return "xz data"
	case zstdData:
		return "zstd data"
	case bzip2Data:
		return "bzip2 data"
	case zipArchive:
		return "zip archive"
	case sevenZip:
		return "7z archive"
	case rarArchive:
		return "RAR archive"
	}
	return "data"
}

// maxWindow bounds the history a zstd frame (its window) or an xz block
// (its LZMA2 dictionary) may ask the decoder to keep: both decoders
// allocate what the data asks for. 128 MiB is the zstd command's own
// default limit when it decompresses (window log 27, what --ultra -22 and
// --long use; --long=28 and up need zstd --memory as well); xz's largest
// preset, -9, uses 64 MiB.
const maxWindow = 128 << 20

// Magic bytes, from each format's specification: xz file format 1.0.4
// §2.1.1.1, RFC 8878 §3.1.1 (zstd frames and skippable frames), the bzip2
// stream header ("BZh", the block size '1'..'9', then the magic of the
// first block or of the end of an empty stream), APPNOTE.TXT §4.3.7 and
// §4.3.16 (zip local file header, end of central directory of an empty
// archive), 7-Zip's 7zFormat.txt, and RAR 4 and 5 signatures (RAR 5 adds
// "\x01\x00" to the same seven bytes).
var (
	xzMagic       = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	zstdMagic     = []byte{0x28, 0xb5, 0x2f, 0xfd}
	bzip2Block    = []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}
	bzip2End      = []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90}
	zipMagic      = []byte("PK\x03\x04")
	zipEmptyMagic = []byte("PK\x05\x06")
	sevenZipMagic = []byte{'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}
	rarMagic      = []byte("Rar!\x1a\x07")
	zstdSkippable = []byte{0x2a, 0x4d, 0x18} // bytes 1..3 of 0x184D2A5? little-endian; byte 0 is 0x50..0x5f
)

// sniff tells the container that head, the first bytes of some data,
// starts; tar is told apart by isTar.
func sniff(head []byte) container {
	switch {
	case isGzip(head):
		return gzipData
	case bytes.HasPrefix(head, xzMagic):
		return xzData
	case bytes.HasPrefix(head, zstdMagic),
		len(head) >= 4 && head[0]&0xf0 == 0x50 && bytes.Equal(head[1:4], zstdSkippable):
		// A skippable frame first: pzstd and the seekable format write one.
		return zstdData
	case len(head) >= 10 && string(head[:3]) == "BZh" && head[3] >= '1' && head[3] <= '9' &&
		(bytes.Equal(head[4:10], bzip2Block) || bytes.Equal(head[4:10], bzip2End)):
		return bzip2Data
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmptyMagic):
		return zipArchive
	case bytes.HasPrefix(head, sevenZipMagic):
		return sevenZip
	case bytes.HasPrefix(head, rarMagic):
		return rarArchive
	}
	return notContainer
}

// compressed reports whether c is compressed data, which a decompressor
// reads.
func (c container) compressed() bool {
	return c == gzipData || c == xzData || c == zstdData || c == bzip2Data
}

// decompressor returns a reader of the data br compresses with c, at
// layer, and what to close when it has been read. The gzip reader of the
// layer is reused from one member to the next; the others are small next
// to what they decompress.
func (w *walker) decompressor(c container, layer int, br *bufio.Reader) (io.Reader, io.Closer, error) {
	if c == gzipData {
		zr, err := w.gunzip(layer, br)
		if err != nil {
			return nil, nil, err
		}
		zr.Multistream(false)
		return &gzipReader{z: zr, br: br}, closeFunc(nil), nil
	}
	return openCompressed(c, br)
}

// gzipReader reads the members of a gzip stream one after the other, as
// gzip -d does, then what follows the last one: zero bytes, the padding
// some tools add to fill a block, are skipped and counted (the caller
// notes them); any other byte fails the read, after all the data was read,
// with the number of bytes that follow the gzip data (where the gzip
// reader alone would say "invalid header").
type gzipReader struct {
	z     *gzip.Reader // with Multistream(false)
	br    *bufio.Reader
	zeros int64 // zero bytes after the last member
}

// Read implements io.Reader.
func (g *gzipReader) Read(p []byte) (int, error) {
	for {
		n, err := g.z.Read(p)
		if !errors.Is(err, io.EOF) {
			return n, err
		}
		if n > 0 {
			return n, nil // the end of the member again on the next call
		}
		next, err := g.br.Peek(2)
		switch {
		case len(next) == 0 && errors.Is(err, io.EOF):
			return 0, io.EOF
		case len(next) == 0:
			return 0, err
		case isGzip(next):
			if err := g.z.Reset(g.br); err != nil {
				return 0, err
			}
			g.z.Multistream(false)
			continue
		}
		return 0, g.trailer()
	}
}

// trailer reads what follows the last gzip member to its end: io.EOF
// when it is all zeros, else an error that says how many bytes it holds.
func (g *gzipReader) trailer() error {
	var n int64
	zeros := true
	for {
		if g.br.Buffered() == 0 {
			if _, err := g.br.Peek(1); err != nil {
				if !errors.Is(err, io.EOF) {
					return err
				}
				break
			}
		}
		b, _ := g.br.Peek(g.br.Buffered())
		zeros = zeros && len(bytes.TrimLeft(b, "\x00")) == 0
		n += int64(len(b))
		_, _ = g.br.Discard(len(b))
	}
	if zeros {
		g.zeros = n
		return io.EOF
	}
	return fmt.Errorf("%d %s after the end of the gzip data, not gzip: not read", n, plural(int(min(n, math.MaxInt32)), "byte"))
}

// note is what the walk says of the gzip data once read, or "".
func (g *gzipReader) note() string {
	if g.zeros == 0 {
		return ""
	}
	return fmt.Sprintf("note: %d zero %s after the end of the gzip data (padding): ignored",
		g.zeros, plural(int(min(g.zeros, math.MaxInt32)), "byte"))
}

// openCompressed returns a reader of the data br compresses with c (see
// [container.compressed]) and what to close when it has been read.
func openCompressed(c container, br *bufio.Reader) (io.Reader, io.Closer, error) {
	switch c {
	case gzipData:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		zr.Multistream(false)
		return &gzipReader{z: zr, br: br}, zr, nil
	case xzData:
		zr, err := newXZReader(br)
		return zr, closeFunc(nil), err
	case zstdData:
		zr, err := newZstdReader(br)
		if err != nil {
			return nil, nil, err
		}
		return zstdReader{zr}, closeFunc(zr.Close), nil
	case bzip2Data:
		return bzip2.NewReader(br), closeFunc(nil), nil
	}
	return nil, nil, fmt.Errorf("%v is not compressed data", c)
}

// closeFunc is an io.Closer calling itself, if not nil.
type closeFunc func()

// Close implements io.Closer.
func (f closeFunc) Close() error {
	if f != nil {
		f()
	}
	return nil
}

// newZstdReader decodes the zstd frames r reads, one after the other
// (skippable frames skipped), in this goroutine, with a window of at most
// maxWindow.
func newZstdReader(r io.Reader) (*zstd.Decoder, error) {
	return zstd.NewReader(r,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxWindow(maxWindow),
		zstd.WithDecoderMaxMemory(maxWindow))
}

// zstdReader reads a zstd decoder and says what limit a frame over
// maxWindow is over.
type zstdReader struct{ d *zstd.Decoder }

// Read implements io.Reader.
func (z zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if errors.Is(err, zstd.ErrWindowSizeExceeded) {
		err = fmt.Errorf("frame asks for a window over the limit of %d MiB (%w)", maxWindow>>20, err)
	}
	return n, err
}

// newXZReader decodes the xz streams r reads, one after the other (stream
// padding allowed), with a dictionary of at most maxWindow (see xzGuard).
func newXZReader(r io.Reader) (io.Reader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, bufSize)
	}
	return xz.NewReader(&xzGuard{r: br})
}

// zip reads the members of the zip archive in br, at layer, one level
// deeper than level: straight from the file when br reads a regular file
// named on the command line or found in a folder, else (a member of
// another archive, stdin) from a private temporary copy, removed when the
// archive has been read. Members are checked as tar members are
// ([entryProblem]): links, devices, absolute paths and ".." are skipped.
func (w *walker) zip(src Source, raw string, br *bufio.Reader, level, layer int) error {
	if level >= w.lim.MaxDepth {
		w.skip(Skipped{Name: src.Name, Reason: w.tooDeep()})
		return nil
	}
	var ra io.ReaderAt
	var size int64
	if layer == 0 && w.plain != nil {
		ra, size = w.plain.f, w.plain.size
		if w.lim.Progress != nil {
			ra = newProgressReaderAt(w.plain.f, w.plain.size, w.lim.Progress)
		}
	} else {
		f, n, ok := w.spool(src, br, "zip archive", "maestro-analyze-*.zip", false)
		if !ok {
			return nil
		}
		defer f.close()
		ra, size = f, n
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && (zr == nil || !errors.Is(err, zip.ErrInsecurePath)) {
		w.fail(src.Name, 0, &layerError{what: "zip archive", layer: layer + 1, err: err}, -1)
		return nil
	}
	registerZipMethods(zr)
	for _, f := range zr.File {
		if w.stopped {
			return nil
		}
		w.broken = math.MaxInt // the members do not depend on one another
		if !w.member(src.Name) {
			return nil
		}
		clean := memberName(f.Name)
		if reason := zipProblem(f); reason != "" {
			w.skip(Skipped{Name: src.Name + "!" + QuoteName(clipName(f.Name)), Reason: "skipped: " + reason})
			continue
		}
		if f.Mode().IsDir() {
			continue
		}
		m, mraw := memberSource(src, raw, clean)
		if err := w.zipMember(m, mraw, f, level+1, layer+1); err != nil {
			return err
		}
	}
	return nil
}

// zipMember reads the zip member f, named by m, at layer and level.
func (w *walker) zipMember(m Source, mraw string, f *zip.File, level, layer int) error {
	rc, err := f.Open()
	if err != nil {
		w.fail(m.Name, 0, &layerError{what: "zip member", layer: layer, err: err}, -1)
		return nil
	}
	defer rc.Close()
	var r io.Reader = &zipMemberReader{r: rc, layer: layer}
	if f.Method != zip.Store {
		r = &budgetReader{r: r, left: &w.left, limit: w.lim.MaxDecompressed, layer: layer, what: "zip member"}
		w.under++
		defer func() { w.under-- }()
	}
	return w.stream(m, mraw, w.buf(layer, r), level, layer, false)
}

// zipMemberReader reads a member of a zip archive; errors come back as a
// *layerError, except those of layers below, which pass as they are.
type zipMemberReader struct {
	r     io.Reader
	layer int
}

// Read implements io.Reader.
func (m *zipMemberReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && !isLayered(err) {
		err = &layerError{what: "zip member", layer: m.layer, err: err}
	}
	return n, err
}

// zip compression methods (APPNOTE.TXT §4.4.5) read besides Store and
// Deflate, and names of some that are not.
const (
	zipBzip2 = 12
	zipZstd  = 93
	zipXZ    = 95
)

var zipMethodNames = map[uint16]string{
	1: "Shrink", 6: "Implode", 9: "Deflate64", 10: "PKWARE DCL Implode", 14: "LZMA",
	19: "IBM LZ77", 96: "JPEG", 97: "WavPack", 98: "PPMd", 99: "AES encryption",
}

// registerZipMethods makes zr read the methods Walk reads: Deflate (with
// the faster decoder the gzip layers use), bzip2, zstd and xz, each through
// the same bounds as the compressed data they are in a stream.
func registerZipMethods(zr *zip.Reader) {
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser {
		return flate.NewReader(zipBuf(r))
	})
	zr.RegisterDecompressor(zipBzip2, func(r io.Reader) io.ReadCloser {
		return io.NopCloser(bzip2.NewReader(zipBuf(r)))
	})
	zr.RegisterDecompressor(zipZstd, func(r io.Reader) io.ReadCloser {
		d, err := newZstdReader(zipBuf(r))
		if err != nil {
			return errReadCloser{err}
		}
		return struct {
			io.Reader
			io.Closer
		}{zstdReader{d}, d.IOReadCloser()}
	})
	zr.RegisterDecompressor(zipXZ, func(r io.Reader) io.ReadCloser {
		d, err := newXZReader(zipBuf(r))
		if err != nil {
			return errReadCloser{err}
		}
		return io.NopCloser(d)
	})
}

// zipBuf buffers r, the compressed data of a zip member (each read of it
// is a read of the file at an offset), in a buffer no bigger than the data.
func zipBuf(r io.Reader) *bufio.Reader {
	size := bufSize
	if sr, ok := r.(*io.SectionReader); ok {
		size = int(min(max(sr.Size(), 512), bufSize))
	}
	return bufio.NewReaderSize(r, size)
}

// errReadCloser fails every read with err.
type errReadCloser struct{ err error }

func (e errReadCloser) Read([]byte) (int, error) { return 0, e.err }
func (e errReadCloser) Close() error             { return nil }

// zipProblem says why the zip member f is not read, or "" when it is: only
// regular files (and folders, which hold nothing) with a relative path
// that stays inside the archive, not encrypted, in a method Walk reads.
func zipProblem(f *zip.File) string {
	if p := pathProblem(f.Name); p != "" {
		return p
	}
	mode := f.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		if target, ok := zipLinkTarget(f); ok {
			return "symbolic link to " + QuoteName(clipName(target)) + " (not followed)"
		}
		return fileType(mode.Type())
	case mode.Type()&^fs.ModeDir != 0:
		return fileType(mode.Type())
	case mode.IsDir():
		return ""
	case f.Flags&0x1 != 0: // APPNOTE.TXT §4.4.4, bit 0: encrypted
		return "encrypted (not read)"
	}
	switch f.Method {
	case zip.Store, zip.Deflate, zipBzip2, zipZstd, zipXZ:
		return ""
	}
	name := zipMethodNames[f.Method]
	if name == "" {
		name = "unknown"
	}
	return fmt.Sprintf("compression method %d (%s) not supported; unpack the archive and give the folder", f.Method, name)
}

// zipLinkTarget reads the target of the zip member f, a symbolic link,
// up to one byte more than the names Walk keeps.
func zipLinkTarget(f *zip.File) (string, bool) {
	rc, err := f.Open()
	if err != nil {
		return "", false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxNameLen+1))
	return string(b), err == nil
}

// spooled is the temporary copy of a zip archive.
type spooled struct {
	*os.File
	removed bool // already unlinked
}

// close closes the copy and removes it.
func (s *spooled) close() {
	_ = s.Close()
	if !s.removed {
		_ = os.Remove(s.Name())
	}
}

// spool copies the what (a zip archive, a CPView database) br reads,
// named by src, to a private temporary file (mode 0600, removed from its
// folder at once where the system allows it, unless keepName: a database
// is opened by name, and removed when closed): the copy is what the
// reader needs, random access.
// The copy is bounded by the decompressed bytes the input has left: when
// the data comes out of a decompressor, that decompressor's budget
// stops it (the bytes it has buffered ahead are charged already); else it
// may be as big as what is left. It reports false, and a Skipped entry,
// when there is no copy to read.
func (w *walker) spool(src Source, br *bufio.Reader, what, pattern string, keepName bool) (*spooled, int64, bool) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		w.skip(Skipped{Name: src.Name, Reason: "skipped: " + what + ": no temporary file to copy it to: " + pathErr(err)})
		return nil, 0, false
	}
	s := &spooled{File: f}
	if !keepName {
		s.removed = os.Remove(f.Name()) == nil
	}
	room := max(w.left, 0)
	if w.under > 0 {
		room = w.lim.MaxDecompressed
	}
	rr := &readErr{r: io.LimitReader(br, min(room, math.MaxInt64-1)+1)}
	n, err := io.Copy(f, rr)
	var lim *limitError
	over := errors.As(rr.err, &lim) && lim.stream // stdin's own bound, the same as room's
	switch {
	case rr.err != nil && !over:
		w.fail(src.Name, 0, rr.err, -1)
	case err != nil && !over:
		w.skip(Skipped{Name: src.Name, Reason: "skipped: " + what + ": copying it to a temporary file: " + pathErr(err)})
	case n > room || over:
		w.skip(Skipped{Name: src.Name, Reason: fmt.Sprintf(
			"skipped: %s larger than the %d bytes left of the decompressed limit per input (%d); "+
				"a %s inside an archive or on stdin is copied to a temporary file to be read", what, room, w.lim.MaxDecompressed,
			strings.TrimSuffix(what, " archive"))})
	default:
		return s, n, true
	}
	s.close()
	return nil, 0, false
}

// readErr keeps the read error of r, to tell it from a write error of
// io.Copy.
type readErr struct {
	r   io.Reader
	err error
}

// Read implements io.Reader.
func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return n, err
}

// progressReaderAt reports to a progress hook the bytes read from a file
// through ReadAt, up to its size in all, counting from what had been read
// through the file's offset.
type progressReaderAt struct {
	f        io.ReaderAt
	size     int64
	reported int64
	fn       func(int)
}

func newProgressReaderAt(f io.ReaderAt, size int64, fn func(int)) *progressReaderAt {
	p := &progressReaderAt{f: f, size: size, fn: fn}
	if sk, ok := f.(io.Seeker); ok {
		if at, err := sk.Seek(0, io.SeekCurrent); err == nil {
			p.reported = at
		}
	}
	return p
}

// ReadAt implements io.ReaderAt.
func (p *progressReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.f.ReadAt(b, off)
	if d := min(int64(n), p.size-p.reported); d > 0 {
		p.reported += d
		p.fn(int(d))
	}
	return n, err
}
