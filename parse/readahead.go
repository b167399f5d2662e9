package parse

import (
	"io"
	"sync"
)

// readahead decompresses on a goroutine of its own while the caller parses
// what came before: a .gz capture is then read at the speed of the slower
// of the two, not of their sum. It holds at most raBuffers buffers of
// raSize bytes, from a pool shared by every stream.
type readahead struct {
	r    io.Reader   // what it reads
	full chan []byte // filled buffers, in order; closed after the last
	free chan []byte // buffers to fill
	done chan struct{}
	err  error // the error that ended r: read after full is closed
	cur  []byte
	buf  []byte // the buffer cur is in
	stop sync.Once
	wg   sync.WaitGroup
}

const (
	raSize    = 256 << 10
	raBuffers = 4
)

var raPool = sync.Pool{New: func() any { b := make([]byte, raSize); return &b }}

func newReadahead(r io.Reader) *readahead {
	ra := &readahead{r: r, full: make(chan []byte, raBuffers), free: make(chan []byte, raBuffers), done: make(chan struct{})}
	for range raBuffers {
		ra.free <- *raPool.Get().(*[]byte)
	}
	ra.wg.Add(1)
	go func() {
		defer ra.wg.Done()
		defer close(ra.full)
		for {
			var b []byte
			select {
			case b = <-ra.free:
			case <-ra.done:
				return
			}
			n, err := io.ReadAtLeast(r, b, 1)
			if n > 0 {
				select {
				case ra.full <- b[:n]:
				case <-ra.done:
					return
				}
			}
			if err != nil {
				ra.err = err
				return
			}
		}
	}()
	return ra
}

// Read reads what the goroutine decompressed; at the end, its error.
func (ra *readahead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		b, ok := <-ra.full
		if !ok {
			return 0, ra.err
		}
		ra.cur, ra.buf = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine and waits for it: after Close, the stream it
// read may be used again. It returns the buffers to the pool.
func (ra *readahead) Close() error {
	ra.stop.Do(func() {
		close(ra.done)
		ra.wg.Wait()
		for b := range ra.full {
			ra.free <- b[:cap(b)]
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf, ra.cur = nil, nil
		}
		close(ra.free)
		for b := range ra.free {
			raPool.Put(&b)
		}
	})
	return nil
}
