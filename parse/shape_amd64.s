#include "textflag.h"

// BLOCK checks the 32 bytes at SI+BX against the shape at DI+BX, and jumps
// to miss with AX holding a bit per byte that fits when one does not. A
// byte fits a place shapeHex (0) when it is a hex digit: c-'0' <= 9, or
// (c|0x20)-'a' <= 5, unsigned (the minimum of x and the bound is x); it
// fits any other place when it equals the shape's byte.
#define BLOCK \
	VMOVDQU   (SI)(BX*1), Y0 \
	VMOVDQU   (DI)(BX*1), Y1 \
	VPSUBB    Y8, Y0, Y2 \
	VPMINUB   Y9, Y2, Y3 \
	VPCMPEQB  Y2, Y3, Y3 \
	VPOR      Y10, Y0, Y4 \
	VPSUBB    Y11, Y4, Y4 \
	VPMINUB   Y12, Y4, Y5 \
	VPCMPEQB  Y4, Y5, Y5 \
	VPOR      Y3, Y5, Y3 \
	VPCMPEQB  Y1, Y0, Y6 \
	VPCMPEQB  Y13, Y1, Y7 \
	VPBLENDVB Y7, Y3, Y6, Y6 \
	VPMOVMSKB Y6, AX \
	CMPL      AX, $0xffffffff \
	JNE       miss

// func shapeFitAVX2(s, shape *byte, n int) int
TEXT ·shapeFitAVX2(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), SI
	MOVQ shape+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ $0x30, AX // '0'
	MOVQ AX, X8
	VPBROADCASTB X8, Y8
	MOVQ $0x09, AX
	MOVQ AX, X9
	VPBROADCASTB X9, Y9
	MOVQ $0x20, AX
	MOVQ AX, X10
	VPBROADCASTB X10, Y10
	MOVQ $0x61, AX // 'a'
	MOVQ AX, X11
	VPBROADCASTB X11, Y11
	MOVQ $0x05, AX
	MOVQ AX, X12
	VPBROADCASTB X12, Y12
	VPXOR Y13, Y13, Y13
	XORQ BX, BX

loop:
	LEAQ 32(BX), DX
	CMPQ DX, CX
	JA   last
	BLOCK
	MOVQ DX, BX
	JMP  loop

last: // the last n%32 bytes, in the block that ends at n (n >= 32)
	CMPQ BX, CX
	JEQ  all
	MOVQ CX, BX
	SUBQ $32, BX
	BLOCK

all:
	VZEROUPPER
	MOVQ CX, ret+24(FP)
	RET

miss: // the first byte that does not fit: the lowest 0 bit of AX
	VZEROUPPER
	NOTL  AX
	BSFL  AX, AX
	ADDQ  BX, AX
	MOVQ  AX, ret+24(FP)
	RET
