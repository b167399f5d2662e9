//go:build !amd64

package parse

import "unsafe"

// vecShape says shapeFit may use shapeFitAVX2: never here.
const vecShape = false

// shapeFitAVX2 is shapeFitGo: there is no vectorized shapeFit here.
func shapeFitAVX2(s, shape *byte, n int) int {
	return shapeFitGo(unsafe.Slice(s, n), unsafe.Slice(shape, n))
}
