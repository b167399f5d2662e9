package owners

// prefetch asks the CPU to load the cache line at addr, and returns at
// once: unlike a load, the instruction does not wait for the line, so the
// misses of many slots overlap. addr is only an address (a stale one does
// no harm).
//
//go:noescape
func prefetch(addr uintptr)
