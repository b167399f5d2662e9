package parse

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLinesFromData holds the in-memory line reader of a mapped chunk to
// the buffered one: the same lines, raw forms and too-long marks, lines
// longer than the read buffer and a last line without a newline included.
func TestLinesFromData(t *testing.T) {
	long := strings.Repeat("x", fileBufSize+100)
	inputs := []string{
		"", "a", "a\n", "a\r\nb\n\nc", "\xef\xbb\xbfbom\nz\n", long + "\nshort\n", "s\n" + long, strings.Repeat(long, 3) + "\n",
	}
	for _, in := range inputs {
		for _, max := range []int{DefaultMaxLineLen, 10, fileBufSize + 50} {
			read := func(mem bool) string {
				lr := &lineReader{br: bufio.NewReaderSize(strings.NewReader(in), fileBufSize), max: max}
				if mem {
					lr.br, lr.data = nil, []byte(in)
				}
				var sb strings.Builder
				for {
					b, ok := lr.next()
					if !ok {
						break
					}
					sb.WriteString(strings.Join([]string{string(b), string(lr.raw), map[bool]string{true: "long"}[lr.tooLong]}, "|"))
					sb.WriteByte('\n')
				}
				return sb.String() + "err: " + map[bool]string{true: "set"}[lr.ioErr() != nil]
			}
			if a, b := read(false), read(true); a != b {
				t.Errorf("input of %d bytes, max %d: the mapped lines differ", len(in), max)
			}
		}
	}
}

// countShard counts what it takes.
type countShard struct{ n int }

func (s *countShard) Take(*Record) bool { s.n++; return true }

// TestMappedChunkShrunk truncates the file under a mapped chunk: the read
// of the lost pages faults, and the chunk is refused (to be read again the
// serial way) instead of the process dying.
func TestMappedChunkShrunk(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("chunks are mapped on Linux only")
	}
	path := filepath.Join(t.TempDir(), "kdebug.txt")
	line := "@;500069;[vs_0];[tid_2];[fw4_2];SET: connections (8158) keys(6)=<0,a845cea,8922,ac102381,1bb,6> vals(2)=<1c001,0> sync_mask=[0x0002800b];\n"
	data := bytes.Repeat([]byte(line), 2000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := NewReader(f, path)
	head.split = &splitSource{f: f, size: int64(len(data))}
	sh := &Sharding{New: func() Shard { return &countShard{} }}

	c := &chunk{off: 0, end: int64(len(data))}
	if s := takeChunk(head, c, bufio.NewReaderSize(nil, fileBufSize), sh); s == nil || s.(*countShard).n != 2000 || c.rd == nil {
		t.Fatalf("the whole file mapped: shard %+v", s)
	}

	c = &chunk{off: 0, end: int64(len(data))}
	rd := newChunkReader(head, c, bufio.NewReaderSize(nil, fileBufSize))
	m, unmap, ok := mapChunk(f, c.off, c.end)
	if !ok {
		t.Fatal("the file could not be mapped")
	}
	defer unmap()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	rd.lr.br, rd.lr.data = nil, m
	if s := takeMapped(rd, c, sh); s != nil || c.rd != nil {
		t.Fatalf("a chunk whose file shrank under it was taken: %+v", s)
	}
}
