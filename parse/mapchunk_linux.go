package parse

import (
	"os"
	"syscall"
)

// mapChunk maps [off, end) of f read-only, its pages populated at once (a
// fault per 4 KiB page costs more than the copy a read makes, the reason a
// whole-file mapping was slower), or returns false. The mapping replaces
// the read's copy from the page cache for a chunk taken into a shard (see
// takeChunk, which also survives the file shrinking under the mapping).
func mapChunk(f any, off, end int64) (data []byte, unmap func(), ok bool) {
	file, isFile := f.(*os.File)
	if !isFile || end <= off || end-off > 1<<30 {
		return nil, nil, false
	}
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	m, err := syscall.Mmap(int(file.Fd()), start, int(end-start), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, nil, false
	}
	return m[off-start:], func() { _ = syscall.Munmap(m) }, true
}
