package parse

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// xzGuard passes the xz streams it reads to the decoder, and fails before
// handing over a block header that asks for an LZMA2 dictionary over
// maxWindow: the decoder allocates the whole dictionary a header names (up
// to 4 GiB), whatever the data holds. To find the block headers it follows
// the framing of the xz format (xz-file-format 1.0.4: stream header;
// blocks of a header, LZMA2 chunks, padding and check; index; footer;
// stream padding), reading the sizes of the LZMA2 chunks (the format's
// §5.3.1 names LZMA2 without its chunks; their headers are read here as
// the decoder's own lzma/header2.go reads them) and passing their data on
// unread. Everything else is left to the decoder, which checks the CRCs.
type xzGuard struct {
	r       *bufio.Reader
	state   xzState
	pend    []byte // bytes checked and not yet handed out
	buf     [1100]byte
	skip    int    // chunk data to hand out unchecked
	check   int    // size of the check of the blocks of this stream
	n       int64  // bytes of this block's data after its header, or of the index
	records uint64 // index varints still to read
	streams int
	err     error
}

type xzState int

const (
	xzStream       xzState = iota // a stream header, stream padding, or the end
	xzBlock                       // a block header or the index
	xzChunk                       // an LZMA2 chunk header or the end of the LZMA2 data
	xzBlockEnd                    // block padding and check
	xzIndexCount                  // the number of index records
	xzIndexRecords                // the index records, then index padding, CRC and stream footer
)

// Read implements io.Reader.
func (g *xzGuard) Read(p []byte) (int, error) {
	for len(g.pend) == 0 && g.skip == 0 {
		if g.err != nil {
			return 0, g.err
		}
		g.pend = g.buf[:0]
		g.err = g.step()
	}
	if len(g.pend) > 0 {
		n := copy(p, g.pend)
		g.pend = g.pend[n:]
		return n, nil
	}
	if len(p) > g.skip {
		p = p[:g.skip]
	}
	n, err := g.r.Read(p)
	g.skip -= n
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // the block goes on after a chunk
		}
		g.err, g.skip = err, 0
		if n == 0 {
			return 0, err
		}
	}
	return n, nil
}

// take reads n more bytes into pend and returns them.
func (g *xzGuard) take(n int) ([]byte, error) {
	start := len(g.pend)
	g.pend = g.pend[:start+n]
	m, err := io.ReadFull(g.r, g.pend[start:])
	g.pend = g.pend[:start+m]
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return g.pend[start:], nil
}

// varint reads one xz variable-length integer (§1.2, at most 9 bytes).
func (g *xzGuard) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 9; i++ {
		b, err := g.take(1)
		if err != nil {
			return 0, err
		}
		g.n++
		v |= uint64(b[0]&0x7f) << (7 * i)
		if b[0]&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("xz: bad index: integer too long")
}

// step reads the next piece of framing into pend and checks it.
func (g *xzGuard) step() error {
	switch g.state {
	case xzStream:
		b, err := g.take(4)
		if err != nil {
			if len(g.pend) == 0 && g.streams > 0 && errors.Is(err, io.ErrUnexpectedEOF) {
				return io.EOF // after a stream and its padding: the end
			}
			return err
		}
		if bytes.Equal(b, []byte{0, 0, 0, 0}) {
			return nil // stream padding
		}
		if _, err := g.take(8); err != nil {
			return err
		}
		h := g.pend[:12]
		if !bytes.Equal(h[:6], xzMagic) {
			return errors.New("xz: unexpected data after a stream")
		}
		if c := h[7] & 0x0f; c > 0 {
			g.check = 4 << ((c+2)/3 - 1) // §3.4: 4, 8, 16, 32 or 64 bytes
		} else {
			g.check = 0
		}
		g.state, g.streams = xzBlock, g.streams+1
	case xzBlock:
		b, err := g.take(1)
		if err != nil {
			return err
		}
		if b[0] == 0 { // the index indicator
			g.state, g.n = xzIndexCount, 1
			return nil
		}
		size := (int(b[0]) + 1) * 4
		if _, err := g.take(size - 1); err != nil {
			return err
		}
		if err := xzCheckBlockHeader(g.pend[:size]); err != nil {
			return err
		}
		g.state, g.n = xzChunk, 0
	case xzChunk:
		b, err := g.take(1)
		if err != nil {
			return err
		}
		g.n++
		switch c := b[0]; {
		case c == 0x00: // end of the LZMA2 data
			g.state = xzBlockEnd
		case c == 0x01 || c == 0x02: // uncompressed chunk: 2 bytes of size-1
			s, err := g.take(2)
			if err != nil {
				return err
			}
			g.skip = (int(s[0])<<8 | int(s[1])) + 1
			g.n += int64(2 + g.skip)
		case c >= 0x80: // LZMA chunk: 2 bytes of unpacked size, 2 of packed size-1, props when reset >= 2
			hl := 4
			if c&0x60 >= 0x40 {
				hl = 5
			}
			s, err := g.take(hl)
			if err != nil {
				return err
			}
			g.skip = (int(s[2])<<8 | int(s[3])) + 1
			g.n += int64(hl + g.skip)
		default:
			return fmt.Errorf("xz: bad LZMA2 chunk control byte %#02x", c)
		}
	case xzBlockEnd:
		if _, err := g.take(int((4-g.n%4)%4) + g.check); err != nil {
			return err
		}
		g.state = xzBlock
	case xzIndexCount:
		n, err := g.varint()
		if err != nil {
			return err
		}
		if n > math.MaxUint64/2 {
			return errors.New("xz: bad index: too many records")
		}
		g.records, g.state = 2*n, xzIndexRecords
	case xzIndexRecords:
		if g.records > 0 {
			g.records--
			_, err := g.varint()
			return err
		}
		if _, err := g.take(int((4-g.n%4)%4) + 4 + 12); err != nil { // padding, CRC32, stream footer
			return err
		}
		g.state = xzStream
	}
	return nil
}

// xzCheckBlockHeader checks the filter flags of an xz block header h
// (§3.1.5): one filter, LZMA2 (the decoder reads no other: BCJ and delta,
// §5.3.2 and §5.3.3, come back from it as "checksum error for block
// header"), with a dictionary of at most maxWindow.
func xzCheckBlockHeader(h []byte) error {
	bad := errors.New("xz: bad block header")
	flags := h[1]
	body := h[2 : len(h)-4] // without the CRC32
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(body)
		if n <= 0 {
			return 0, false
		}
		body = body[n:]
		return v, true
	}
	for _, bit := range []byte{0x40, 0x80} { // compressed size, uncompressed size
		if flags&bit == 0 {
			continue
		}
		if _, ok := next(); !ok {
			return bad
		}
	}
	id, ok1 := next()
	props, ok2 := next()
	switch {
	case !ok1 || !ok2 || props > uint64(len(body)):
		return bad
	case id == 0x21 && flags&0x03 != 0: // LZMA2 must be the last filter
		return bad
	case id != 0x21:
		return fmt.Errorf("xz: filter %#02x (BCJ or delta) not supported, only LZMA2; decompress it with xz and give the result", id)
	case props != 1 || body[0] > 40:
		return bad
	}
	d := body[0] // LZMA2 dictionary size (§5.3.1)
	dict := uint64(2|d&1) << (d/2 + 11)
	if d == 40 {
		dict = math.MaxUint32
	}
	if dict > maxWindow {
		return fmt.Errorf("xz: block asks for a %d MiB dictionary, over the limit of %d MiB", dict>>20, maxWindow>>20)
	}
	return nil
}
