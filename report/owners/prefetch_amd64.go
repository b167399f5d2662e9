package owners

// prefetch asks the CPU to load the cache line at addr, and returns at
// once: unlike a load, the instruction does not wait for the line, so the
// misses of many slots overlap. addr is only an address (a stale one does
// no harm).
//
//go:noescape
func prefetch(addr uintptr)

// prefetch2 is prefetch of a and of b, in one call.
//
//go:noescape
func prefetch2(a, b uintptr)

// prefetch3 is prefetch of a, b and c, in one call.
//
//go:noescape
func prefetch3(a, b, c uintptr)
