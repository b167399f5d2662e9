package parse

import (
	"encoding/binary"

	"golang.org/x/sys/cpu"
)

// vecShape says shapeFit and listScan may use their vectorized versions:
// AVX2, and the bit instructions of listScanAVX2 (every AVX2 CPU has them).
var vecShape = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT

// vecLine says syncLine may use syncLineAVX2: vecShape, and a PEXT that
// takes a few cycles (see fastPEXT).
var vecLine = vecShape && fastPEXT()

// fastPEXT reports whether PEXT is fast here: it is on every CPU with BMI2
// but AMD's (and Hygon's) before Zen 3 (family 0x19), which run it in
// microcode at up to hundreds of cycles.
func fastPEXT() bool {
	if !cpu.X86.HasBMI2 {
		return false
	}
	_, b, c, d := cpuid(0, 0)
	vendor := string(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, b), d), c))
	a, _, _, _ := cpuid(1, 0)
	return pextFast(vendor, a)
}

// pextFast is fastPEXT of a CPU with BMI2 from vendor whose CPUID leaf 1
// gives eax.
func pextFast(vendor string, eax uint32) bool {
	if vendor != "AuthenticAMD" && vendor != "HygonGenuine" {
		return true
	}
	family := eax >> 8 & 0xf
	if family == 0xf {
		family += eax >> 20 & 0xff
	}
	return family >= 0x19
}

// cpuid is the CPUID instruction (shape_amd64.s).
//
//go:noescape
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// shapeFitAVX2 is shapeFit of the n bytes at s and shape, n >= 32, 32
// bytes at a time (shape_amd64.s); it needs AVX2.
//
//go:noescape
func shapeFitAVX2(s, shape *byte, n int) int

// listScanAVX2 is listScan of the n bytes at b, n >= 32, 32 bytes at a
// time (shape_amd64.s); end is -1 when no whole block holds a '>'.
//
//go:noescape
func listScanAVX2(b *byte, n, m int) (end, mth, commas int, lbr bool)

// lineEndAVX2 is lineEnd of the n bytes at b, n >= 32, 32 bytes at a time
// (shape_amd64.s).
//
//go:noescape
func lineEndAVX2(b *byte, n int) (nl int, nul bool)

// hexKeyAVX2 decodes the six words of a key that fits fwKeyPicture, b at
// its first digit, into w (shape_amd64.s); it needs AVX2. The digits are
// not checked: shapeFit has.
//
//go:noescape
func hexKeyAVX2(b *byte, w *[6]uint32)

// keyWordsAVX2 is keyWordsGo of the key at w, whose bytes are found in two
// 32-byte loads (shape_amd64.s); it needs AVX2 and BMI1/BMI2, and 72
// readable bytes at w (a word that starts at byte 63 or before is loaded
// 8 bytes at a time). When it returns false, k holds nothing of use.
//
//go:noescape
func keyWordsAVX2(w *byte, k *[6]uint32) (end int, ok bool)

// syncLineAVX2 reads a sync line from the byte after its "@;N;" at b, n
// bytes readable there, the prefix the cache holds at pfx (pn bytes), into
// out (see syncLine and shape_amd64.s); it needs vecLine. When
// it returns false, out holds nothing of use.
//
//go:noescape
func syncLineAVX2(b *byte, n int, pfx *byte, pn, m int, out *syncRest) bool
