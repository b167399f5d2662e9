//go:build !amd64

package owners

// prefetch does nothing on this architecture (see prefetch_amd64.go).
func prefetch(uintptr) {}

// prefetch2 does nothing on this architecture (see prefetch_amd64.go).
func prefetch2(uintptr, uintptr) {}

// prefetch3 does nothing on this architecture (see prefetch_amd64.go).
func prefetch3(uintptr, uintptr, uintptr) {}
