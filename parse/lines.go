package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// DefaultMaxLineLen is the longest line kept by default (16 MiB). Longer
// lines are counted and rejected with [ErrLineTooLong], never fatal.
const DefaultMaxLineLen = 16 << 20

// lineReader splits input into lines without copying lines that fit its
// buffer. It strips "\n", a trailing "\r" and a UTF-8 byte-order mark on the
// first line, and counts lines from 1.
type lineReader struct {
	br      *bufio.Reader
	long    []byte // lines longer than the bufio buffer are assembled here
	max     int
	line    int
	tooLong bool   // the last line exceeded max and was cut
	raw     []byte // the last line as read, with its line ending (no BOM)
	noBOM   bool   // the text does not start the input (a chunk): keep a BOM
	err     error  // sticky: io.EOF or a read error
	// What ahead returned and take has not taken, and the bytes take took
	// that the bufio.Reader has not been told of (see sync).
	pend  []byte
	taken int
	// nul is what next knows of the line it returned last: 1 when it
	// holds a NUL byte, 0 when not, -1 when next does not know.
	nul int8
}

func newLineReader(r io.Reader, maxLen int) *lineReader {
	if maxLen <= 0 {
		maxLen = DefaultMaxLineLen
	}
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: maxLen}
}

// next returns the next line; its bytes are valid until the following call.
// It returns false at the end of input or on a read error (see err).
func (lr *lineReader) next() ([]byte, bool) {
	if lr.err != nil {
		return nil, false
	}
	lr.tooLong = false
	// A line that lies whole in what has been read (not the first: it may
	// start with a byte-order mark): its end and its NULs found in one
	// pass over what ahead holds, not by ReadSlice and a NUL scan.
	if buf := lr.ahead(); buf != nil {
		if i, nul := lineEnd(buf); i >= 0 && i <= lr.max {
			b := buf[:i]
			lr.take(i + 1)
			lr.nul = 0
			if nul {
				lr.nul = 1
			}
			if n := len(b); n > 0 && b[n-1] == '\r' {
				b = b[:n-1]
			}
			return b, true
		}
	}
	lr.nul = -1
	lr.sync()
	lr.pend = nil // a read may move the buffer
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = lr.br.ReadSlice('\n')
			if len(lr.long)+len(b) > lr.max {
				lr.tooLong = true
				continue // keep reading to the end of the line, keep nothing
			}
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	if err != nil {
		if len(b) == 0 && !lr.tooLong {
			lr.err = err
			return nil, false
		}
		if !errors.Is(err, io.EOF) {
			lr.err = err
			return nil, false
		}
		lr.err = err // the last line had no newline; report it, stop next time
	}
	lr.line++
	lr.raw = b
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if lr.line == 1 && !lr.noBOM && bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		b, lr.raw = b[3:], lr.raw[3:]
	}
	if len(b) > lr.max {
		lr.tooLong = true
	}
	return b, true
}

// ahead returns the bytes read and not yet returned as lines, for a fast
// path that finds where its line ends as it reads it (see
// Reader.fastAhead); nil before the first line (which may start with a
// byte-order mark) and after the end or an error. They are valid until the
// next call of next.
func (lr *lineReader) ahead() []byte {
	if lr.err != nil || lr.line == 0 {
		return nil
	}
	if len(lr.pend) == 0 {
		lr.sync()
		lr.pend, _ = lr.br.Peek(lr.br.Buffered())
	}
	return lr.pend
}

// take returns the first n bytes of ahead as the next line, its '\n' the
// last of them, as next would have. The bufio.Reader learns of them at the
// next read (sync): a Peek and a Discard per line cost owners 4%.
func (lr *lineReader) take(n int) {
	lr.raw, lr.pend = lr.pend[:n], lr.pend[n:]
	lr.taken += n
	lr.tooLong = false
	lr.line++
}

// sync discards from the bufio.Reader the bytes take took.
func (lr *lineReader) sync() {
	if lr.taken > 0 {
		_, _ = lr.br.Discard(lr.taken)
		lr.taken = 0
	}
}

// ioErr is the read error that stopped the reader, nil at a clean end.
func (lr *lineReader) ioErr() error {
	if errors.Is(lr.err, io.EOF) {
		return nil
	}
	return lr.err
}
