package parse

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

// StdinName is how standard input is named in positions.
const StdinName = "<stdin>"

// Input is one opened input: a name for positions and a reader of its
// (decompressed) text.
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

// Open opens path ("-" for stdin, read from stdin) and transparently
// decompresses gzip, recognized by its magic bytes rather than its name.
func Open(path string, stdin io.Reader) (*Input, error) {
	in := &Input{Name: path}
	var r io.Reader
	if path == "-" {
		in.Name = StdinName
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			_ = f.Close()
			return nil, fmt.Errorf("%s: is a directory (folders are read by triage)", path)
		}
		in.closers = append(in.closers, f)
		r = f
	}
	br := bufio.NewReaderSize(r, 64<<10)
	in.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			_ = in.Close()
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		in.closers = append(in.closers, zr)
		in.Reader = zr
	}
	return in, nil
}
