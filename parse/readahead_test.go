package parse

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadahead: what the goroutine reads ahead comes out whole and in
// order, with the error that ended it, however the caller reads; Close
// stops it midway.
func TestReadahead(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef\n"), 5*raSize/17+3)
	for name, r := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(data) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:4096])) },
		"error":    func() io.Reader { return io.MultiReader(bytes.NewReader(data), iotest.ErrReader(io.ErrUnexpectedEOF)) },
	} {
		ra := newReadahead(r())
		got, err := io.ReadAll(iotest.HalfReader(ra))
		want, wantErr := io.ReadAll(r())
		if !bytes.Equal(got, want) || !errors.Is(err, wantErr) {
			t.Errorf("%s: %d bytes, error %v; want %d bytes, error %v", name, len(got), err, len(want), wantErr)
		}
		if err := ra.Close(); err != nil {
			t.Error(err)
		}
	}
	ra := newReadahead(bytes.NewReader(data))
	buf := make([]byte, 10)
	if _, err := io.ReadFull(ra, buf); err != nil || !bytes.Equal(buf, data[:10]) {
		t.Fatalf("first bytes %q, %v", buf, err)
	}
	_ = ra.Close() // with buffers still full: must not hang
	_ = ra.Close()
}
