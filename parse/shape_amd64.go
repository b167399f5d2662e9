package parse

import "golang.org/x/sys/cpu"

// vecShape says shapeFit may use shapeFitAVX2.
var vecShape = cpu.X86.HasAVX2

// shapeFitAVX2 is shapeFit of the n bytes at s and shape, n >= 32, 32
// bytes at a time (shape_amd64.s); it needs AVX2.
//
//go:noescape
func shapeFitAVX2(s, shape *byte, n int) int
