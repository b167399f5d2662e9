#include "textflag.h"

// BCAST sets every byte of Y to the constant c, through AX and X. The move
// to X is VMOVQ, VEX-encoded: a legacy-SSE MOVQ to an X register while the
// upper half of some Y register is in use costs a state transition, about
// 60 ns each on the project's 2-core sandbox (BenchmarkShapeFit: 478 ns a
// 420-byte entry with MOVQ, see the commit that made it VMOVQ). Nothing
// between a function's first Y write and its VZEROUPPER may be legacy SSE.
#define BCAST(c, X, Y) \
	MOVQ $c, AX \
	VMOVQ AX, X \
	VPBROADCASTB X, Y

// HEXCONSTS loads the constants of HEXDIGITS into Y8-Y12, through AX.
#define HEXCONSTS \
	BCAST(0x30, X8, Y8) \
	BCAST(0x09, X9, Y9) \
	BCAST(0x20, X10, Y10) \
	BCAST(0x61, X11, Y11) \
	BCAST(0x05, X12, Y12)

// HEXDIGITS sets to 0xff the bytes of Y3 whose byte in Y0 is a hex digit,
// through Y2, Y4 and Y5: c-'0' <= 9, or (c|0x20)-'a' <= 5, unsigned (the
// minimum of x and the bound is x). Y8-Y12 hold '0', 9, 0x20, 'a', 5.
#define HEXDIGITS \
	VPSUBB    Y8, Y0, Y2 \
	VPMINUB   Y9, Y2, Y3 \
	VPCMPEQB  Y2, Y3, Y3 \
	VPOR      Y10, Y0, Y4 \
	VPSUBB    Y11, Y4, Y4 \
	VPMINUB   Y12, Y4, Y5 \
	VPCMPEQB  Y4, Y5, Y5 \
	VPOR      Y3, Y5, Y3

// BLOCK checks the 32 bytes at SI+BX against the shape at DI+BX, and jumps
// to miss with AX holding a bit per byte that fits when one does not. A
// byte fits a place shapeHex (0) when it is a hex digit: c-'0' <= 9, or
// (c|0x20)-'a' <= 5, unsigned (the minimum of x and the bound is x); it
// fits any other place when it equals the shape's byte.
#define BLOCK \
	VMOVDQU   (SI)(BX*1), Y0 \
	VMOVDQU   (DI)(BX*1), Y1 \
	HEXDIGITS \
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
	HEXCONSTS
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

// func listScanAVX2(b *byte, n, m int) (end, mth, commas int, lbr bool)
// Per block: masks of '>', ',' and '['; at the first '>' the block's masks
// are cut to the bytes before it. The m-th comma is found in the block
// where the running count reaches m, by clearing the block's lower comma
// bits.
TEXT ·listScanAVX2(SB), NOSPLIT, $0-49
	MOVQ b+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ m+16(FP), R8
	BCAST(0x3e, X13, Y13) // '>'
	BCAST(0x2c, X14, Y14) // ','
	BCAST(0x5b, X15, Y15) // '['
	XORQ BX, BX  // block offset
	XORQ R9, R9  // commas so far
	MOVQ $-1, R10 // mth
	XORQ R11, R11 // '[' seen (any bit)

lloop:
	LEAQ 32(BX), DX
	CMPQ DX, CX
	JA   lnone
	VMOVDQU   (SI)(BX*1), Y0
	VPCMPEQB  Y13, Y0, Y1
	VPMOVMSKB Y1, AX        // '>'
	VPCMPEQB  Y14, Y0, Y2
	VPMOVMSKB Y2, R12       // ','
	VPCMPEQB  Y15, Y0, Y3
	VPMOVMSKB Y3, R13       // '['
	XORQ      DI, DI        // the block holds the '>' (1) or not (0)
	TESTL     AX, AX
	JZ        lcount
	TZCNTL    AX, AX        // the '>' in the block
	MOVL      $1, DX
	SHLXL     AX, DX, DX    // 1 << AX (AX < 32)
	DECL      DX
	ANDL      DX, R12
	ANDL      DX, R13
	MOVQ      $1, DI

lcount:
	ORL     R13, R11
	POPCNTL R12, DX
	CMPQ    R10, $0
	JGE     ladd            // the m-th comma found before
	LEAQ    (R9)(DX*1), R14
	CMPQ    R14, R8
	JLT     ladd            // not in this block
	MOVQ    R8, R14
	SUBQ    R9, R14         // the (R14)-th comma of the block, from 1

lclear: // clear the block's lower R14-1 commas (R14 >= 1)
	CMPQ  R14, $1
	JLE   lfound
	BLSRL R12, R12
	DECQ  R14
	JMP   lclear

lfound:
	TZCNTL R12, R14
	LEAQ   (BX)(R14*1), R10

ladd:
	ADDQ DX, R9
	TESTQ DI, DI
	JNZ  lend
	ADDQ $32, BX
	JMP  lloop

lend:
	ADDQ BX, AX
	MOVQ AX, end+24(FP)
	MOVQ R10, mth+32(FP)
	MOVQ R9, commas+40(FP)
	TESTL R11, R11
	SETNE lbr+48(FP)
	VZEROUPPER
	RET

lnone:
	MOVQ $-1, end+24(FP)
	MOVQ $-1, mth+32(FP)
	MOVQ $0, commas+40(FP)
	MOVB $0, lbr+48(FP)
	VZEROUPPER
	RET

// func lineEndAVX2(b *byte, n int) (nl int, nul bool)
//
// 64 bytes a round while neither half holds a '\n': one test of both
// halves' compares (VPTEST), and the NULs kept as the running minimum of
// the bytes (a NUL makes it 0), looked at once at the end; then the block
// of 32 that holds the '\n', or the last whole block, one at a time.
TEXT ·lineEndAVX2(SB), NOSPLIT, $0-25
	MOVQ    b+0(FP), SI
	MOVQ    n+8(FP), CX
	BCAST(0x0a, X13, Y13) // '\n'
	VPXOR   Y14, Y14, Y14 // NUL
	VPCMPEQB Y12, Y12, Y12 // the running minimum: 0xff
	XORQ    BX, BX

eloop64:
	LEAQ     64(BX), DX
	CMPQ     DX, CX
	JA       eloop
	VMOVDQU  (SI)(BX*1), Y0
	VMOVDQU  32(SI)(BX*1), Y1
	VPCMPEQB Y13, Y0, Y2
	VPCMPEQB Y13, Y1, Y3
	VPOR     Y2, Y3, Y4
	VPTEST   Y4, Y4
	JNZ      eloop
	VPMINUB  Y0, Y1, Y5
	VPMINUB  Y5, Y12, Y12
	MOVQ     DX, BX
	JMP      eloop64

eloop: // 32 bytes at a time, from the pair that holds the '\n' (if any)
	LEAQ      32(BX), DX
	CMPQ      DX, CX
	JA        enone
	VMOVDQU   (SI)(BX*1), Y0
	VPCMPEQB  Y13, Y0, Y1
	VPMOVMSKB Y1, AX      // '\n'
	TESTL     AX, AX
	JNZ       efound
	VPMINUB   Y0, Y12, Y12
	MOVQ      DX, BX
	JMP       eloop

efound:
	VPCMPEQB  Y14, Y0, Y2
	VPMOVMSKB Y2, R8      // the block's NULs
	TZCNTL    AX, AX
	MOVL      $1, DX
	SHLXL     AX, DX, DX  // 1 << AX
	DECL      DX
	ANDL      DX, R8      // the NULs before the '\n'
	VPCMPEQB  Y14, Y12, Y3
	VPMOVMSKB Y3, R9      // a NUL in the blocks before
	ORL       R8, R9
	ADDQ      BX, AX
	MOVQ      AX, nl+16(FP)
	TESTL     R9, R9
	SETNE     nul+24(FP)
	VZEROUPPER
	RET

enone:
	MOVQ $-1, nl+16(FP)
	MOVB $0, nul+24(FP)
	VZEROUPPER
	RET

// The constants of hexKeyAVX2, 32 bytes each: 0x0f, 0x40, the multipliers
// 16 and 1 of a digit pair, the shuffle that reverses each 4 bytes, 9.
DATA hexk<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA hexk<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA hexk<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA hexk<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA hexk<>+32(SB)/8, $0x4040404040404040
DATA hexk<>+40(SB)/8, $0x4040404040404040
DATA hexk<>+48(SB)/8, $0x4040404040404040
DATA hexk<>+56(SB)/8, $0x4040404040404040
DATA hexk<>+64(SB)/8, $0x0110011001100110
DATA hexk<>+72(SB)/8, $0x0110011001100110
DATA hexk<>+80(SB)/8, $0x0110011001100110
DATA hexk<>+88(SB)/8, $0x0110011001100110
DATA hexk<>+96(SB)/8, $0x0405060700010203
DATA hexk<>+104(SB)/8, $0x0c0d0e0f08090a0b
DATA hexk<>+112(SB)/8, $0x0405060700010203
DATA hexk<>+120(SB)/8, $0x0c0d0e0f08090a0b
DATA hexk<>+128(SB)/8, $0x0909090909090909
DATA hexk<>+136(SB)/8, $0x0909090909090909
DATA hexk<>+144(SB)/8, $0x0909090909090909
DATA hexk<>+152(SB)/8, $0x0909090909090909
GLOBL hexk<>(SB), RODATA|NOPTR, $160

// HEXPAIRS turns the hex digits in R (Y or X) into the bytes they spell,
// in place, through T: each digit's value (c&0x0f, +9 for a letter, whose
// bit 6 is set), each pair of digits one byte (16*hi + lo, VPMADDUBSW),
// the bytes packed, each 4 of them reversed into a little-endian word.
// Each lane's low 8 bytes are then two words.
#define HEXPAIRS(R, T, K0F, K40, KMUL, KSWAP, K9) \
	VPAND      K40, R, T \
	VPCMPEQB   K40, T, T \
	VPAND      K9, T, T \
	VPAND      K0F, R, R \
	VPADDB     T, R, R \
	VPMADDUBSW KMUL, R, R \
	VPACKUSWB  R, R, R \
	VPSHUFB    KSWAP, R, R

// func hexKeyAVX2(b *byte, w *[6]uint32)
TEXT ·hexKeyAVX2(SB), NOSPLIT, $0-16
	MOVQ        b+0(FP), SI
	MOVQ        w+8(FP), DI
	VMOVQ       0(SI), X0
	VPINSRQ     $1, 10(SI), X0, X0
	VMOVQ       20(SI), X1
	VPINSRQ     $1, 30(SI), X1, X1
	VMOVQ       40(SI), X2
	VPINSRQ     $1, 50(SI), X2, X2
	VINSERTI128 $1, X1, Y0, Y0 // words 0, 1 | 2, 3
	VMOVDQU     hexk<>+0(SB), Y8
	VMOVDQU     hexk<>+32(SB), Y9
	VMOVDQU     hexk<>+64(SB), Y10
	VMOVDQU     hexk<>+96(SB), Y11
	VMOVDQU     hexk<>+128(SB), Y12
	HEXPAIRS(Y0, Y3, Y8, Y9, Y10, Y11, Y12)
	HEXPAIRS(X2, X3, X8, X9, X10, X11, X12)
	VMOVQ        X0, 0(DI)
	VEXTRACTI128 $1, Y0, X1
	VMOVQ        X1, 8(DI)
	VMOVQ        X2, 16(DI)
	VZEROUPPER
	RET

// HEXCLASS sets the bits of R32 (a 32-bit register) for the bytes of the
// 32 at ADDR that are hex digits (HEXDIGITS).
#define HEXCLASS(ADDR, R32) \
	VMOVDQU   ADDR, Y0 \
	HEXDIGITS \
	VPMOVMSKB Y3, R32

// KEYWORD reads key word OFF/4 as keyWordsGo does: its end p is the lowest
// bit of AX (the bytes that are not hex digits), its start R8; it must be
// 1 to 8 digits ended by the byte SEP. The value goes to OFF(DI); AX loses
// its lowest bit, R8 becomes p+1. BX holds 0x0f in every byte, R9 0x01.
#define KEYWORD(OFF, SEP) \
	KEYHEAD(SEP) \
	MOVQ    R12, R11 \
	SHRQ    $4, R11 \
	ORQ     R11, R12 \
	MOVQ    $0x00ff00ff00ff00ff, R13 \
	ANDQ    R13, R12 \
	MOVQ    R12, R11 \
	SHRQ    $8, R11 \
	ORQ     R11, R12 \
	MOVQ    $0x0000ffff0000ffff, R13 \
	ANDQ    R13, R12 \
	MOVQ    R12, R11 \
	SHRQ    $16, R11 \
	ORQ     R11, R12 \
	KEYTAIL(OFF)

// KEYWORDP is KEYWORD with the nibbles gathered by one PEXT (BX holds its
// mask): for syncLineAVX2, which runs only where PEXT is fast (fastPEXT).
#define KEYWORDP(OFF, SEP) \
	KEYHEAD(SEP) \
	PEXTQ   BX, R12, R12 \
	KEYTAIL(OFF)

// KEYHEAD checks the word KEYWORD reads and leaves in R12 its digits'
// values, a byte each, the first digit the highest, the word's last digit
// in the lowest byte; KEYTAIL stores the gathered word and moves on.
#define KEYHEAD(SEP) \
	TZCNTQ  AX, CX \
	MOVQ    CX, DX \
	SUBQ    R8, DX \
	LEAQ    -1(DX), R10 \
	CMPQ    R10, $7 \
	JA      fail \
	CMPB    (SI)(CX*1), $SEP \
	JNE     fail \
	MOVQ    (SI)(R8*1), R11 \
	MOVQ    R11, R12 \
	ANDQ    BX, R12 \
	SHRQ    $6, R11 \
	ANDQ    R9, R11 \
	LEAQ    (R11)(R11*8), R11 \
	ADDQ    R11, R12 \
	BSWAPQ  R12 \
	SHLQ    $3, DX \
	NEGQ    DX \
	ADDQ    $64, DX \
	SHRXQ   DX, R12, R12

#define KEYTAIL(OFF) \
	MOVL    R12, OFF(DI) \
	BLSRQ   AX, AX \
	LEAQ    1(CX), R8

// func keyWordsAVX2(w *byte, k *[6]uint32) (end int, ok bool)
TEXT ·keyWordsAVX2(SB), NOSPLIT, $0-25
	MOVQ w+0(FP), SI
	MOVQ k+8(FP), DI
	HEXCONSTS
	HEXCLASS((SI), AX)
	HEXCLASS(32(SI), BX)
	VZEROUPPER
	SHLQ $32, BX
	ORQ  BX, AX
	NOTQ AX // the bytes that are not hex digits
	MOVQ $0x0f0f0f0f0f0f0f0f, BX // KEYWORD's constants
	MOVQ $0x0101010101010101, R9
	XORQ R8, R8
	KEYWORD(0, 0x2c)
	KEYWORD(4, 0x2c)
	KEYWORD(8, 0x2c)
	KEYWORD(12, 0x2c)
	KEYWORD(16, 0x2c)
	KEYWORD(20, 0x3e)
	MOVQ R8, end+16(FP)
	MOVB $1, ok+24(FP)
	RET

fail:
	MOVQ $0, end+16(FP)
	MOVB $0, ok+24(FP)
	RET

// RNEED jumps to rfail unless K bytes from offset R are readable (R+K <= CX).
#define RNEED(R, K) \
	LEAQ K(R), DX \
	CMPQ DX, CX \
	JA   rfail

// HEXRUN sets R12 to how many hex digits start at ADDR (32 when all 32 of
// the bytes there are; ADDR must have 32 readable bytes), through Y0, Y2-Y5
// (HEXDIGITS, Y8-Y12 holding its constants).
#define HEXRUN(ADDR) \
	HEXCLASS(ADDR, R12) \
	NOTL   R12 \
	TZCNTL R12, R12

// HEXVAL sets OUT to the value of the D hex digits (1 to 8) at ADDR, as
// KEYWORDP reads a word, through DX and R14; ADDR must have 8 readable
// bytes.
#define HEXVAL(ADDR, D, OUT) \
	MOVQ   ADDR, OUT \
	MOVQ   OUT, R14 \
	MOVQ   $0x0f0f0f0f0f0f0f0f, DX \
	ANDQ   DX, OUT \
	SHRQ   $6, R14 \
	MOVQ   $0x0101010101010101, DX \
	ANDQ   DX, R14 \
	LEAQ   (R14)(R14*8), R14 \
	ADDQ   R14, OUT \
	BSWAPQ OUT \
	MOVQ   D, DX \
	SHLQ   $3, DX \
	NEGQ   DX \
	ADDQ   $64, DX \
	SHRXQ  DX, OUT, OUT \
	MOVQ   $0x0f0f0f0f0f0f0f0f, DX \
	PEXTQ  DX, OUT, OUT

// HEXWORD sets OUT to the value of the hex word at ADDR, 1 to 8 digits,
// and R12 to its digits, or jumps to rfail (HEXRUN, HEXVAL).
#define HEXWORD(ADDR, OUT) \
	HEXRUN(ADDR) \
	LEAQ -1(R12), DX \
	CMPQ DX, $7 \
	JA   rfail \
	HEXVAL(ADDR, R12, OUT)

// BLANKS moves R13 past the blanks (' ', '\t') at SI+R13, 8 at the most
// (more jump to rfail), through Y1, Y2 and R12; Y13 and Y14 hold ' ' and
// '\t', and 32 bytes at SI+R13 must be readable.
#define BLANKS \
	VMOVDQU   (SI)(R13*1), Y1 \
	VPCMPEQB  Y13, Y1, Y2 \
	VPCMPEQB  Y14, Y1, Y1 \
	VPOR      Y1, Y2, Y2 \
	VPMOVMSKB Y2, R12 \
	NOTL      R12 \
	TZCNTL    R12, R12 \
	CMPQ      R12, $8 \
	JA        rfail \
	ADDQ      R12, R13

// func syncLineAVX2(b *byte, n int, pfx *byte, pn, m int, out *syncRest) bool
//
// It needs AVX2, BMI1 and BMI2, with a fast PEXT (fastPEXT).
//
// A sync line from the byte after its "@;N;" at b, n bytes readable there
// (see syncLine): the pn bytes of the prefix the cache holds at pfx (32 to
// 72 of them, compared whole), the key as keyWordsAVX2 reads it, into
// out.k, and the rest: " vals(N)=<...>" with value word m (m >= 1) read
// and the others counted, or no list; then " sync_mask=[...]"; then the
// bytes to the '\n', which is looked for here. It accepts only what
// syncFields would read the same way and fails on anything else: a '[',
// '\n' or NUL in the list, a NUL (or, without a list, a '(') after the
// mask, a key that does not fit, any shape it does not know, or a byte it
// would need beyond b[n-1].
TEXT ·syncLineAVX2(SB), NOSPLIT, $0-49
	MOVQ b+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ pfx+16(FP), R10
	MOVQ pn+24(FP), R11
	MOVQ out+40(FP), DI
	CMPQ R11, $32
	JB   rfail
	CMPQ R11, $72
	JA   rfail
	RNEED(R11, 72) // the key's loads (keyWordsVecLen)

	// The prefix: bytes 0-31, 32-63 when it is longer than 64, and its
	// last 32.
	VMOVDQU   (SI), Y0
	VPCMPEQB  (R10), Y0, Y0
	VPMOVMSKB Y0, AX
	CMPL      AX, $0xffffffff
	JNE       rfail
	CMPQ      R11, $64
	JBE       rpfxlast
	VMOVDQU   32(SI), Y0
	VPCMPEQB  32(R10), Y0, Y0
	VPMOVMSKB Y0, AX
	CMPL      AX, $0xffffffff
	JNE       rfail

rpfxlast:
	VMOVDQU   -32(SI)(R11*1), Y0
	VPCMPEQB  -32(R10)(R11*1), Y0, Y0
	VPMOVMSKB Y0, AX
	CMPL      AX, $0xffffffff
	JNE       rfail

	// The key, as keyWordsAVX2, into out.k; it must fit (keyFits).
	ADDQ R11, SI
	MOVQ R11, 0(DI) // the key's offset, until the line's end is known
	HEXCONSTS
	HEXCLASS((SI), AX)
	HEXCLASS(32(SI), BX)
	SHLQ $32, BX
	ORQ  BX, AX
	NOTQ AX
	MOVQ $0x0f0f0f0f0f0f0f0f, BX
	MOVQ $0x0101010101010101, R9
	XORQ R8, R8
	KEYWORDP(20, 0x2c)
	KEYWORDP(24, 0x2c)
	KEYWORDP(28, 0x2c)
	KEYWORDP(32, 0x2c)
	KEYWORDP(36, 0x2c)
	KEYWORDP(40, 0x3e)
	CMPL 28(DI), $0xffff
	JA   rfail
	CMPL 36(DI), $0xffff
	JA   rfail
	CMPL 40(DI), $0xff
	JA   rfail
	ADDQ R8, SI // the rest, after the key's '>'
	ADDQ R8, 0(DI)
	MOVQ n+8(FP), CX // KEYWORD used CX
	SUBQ 0(DI), CX
	MOVQ m+32(FP), R8
	XORQ BX, BX
	RNEED(BX, 32)
	BCAST(0x3e, X13, Y13) // '>'
	BCAST(0x2c, X14, Y14) // ','
	BCAST(0x5b, X15, Y15) // '['
	BCAST(0x0a, X6, Y6)   // '\n'
	VPXOR Y7, Y7, Y7      // NUL
	MOVQ  (SI), AX
	MOVQ  $0xffffffffffff, DX
	ANDQ  DX, AX
	MOVQ  $0x28736c617620, DX // " vals("
	CMPQ  AX, DX
	JNE   rnolist

	// The count: 1 to 8 decimal digits, then ")=<".
	XORQ R9, R9
	MOVQ $6, BX

rcount:
	CMPQ    BX, $15
	JAE     rfail
	MOVBLZX (SI)(BX*1), AX
	SUBL    $0x30, AX
	CMPL    AX, $9
	JA      rcounted
	IMUL3Q  $10, R9, R9
	ADDQ    AX, R9
	INCQ    BX
	JMP     rcount

rcounted:
	CMPQ BX, $6
	JEQ  rfail
	MOVL (SI)(BX*1), AX
	ANDL $0xffffff, AX
	CMPL AX, $0x3c3d29 // ")=<"
	JNE  rfail
	MOVL R9, 12(DI) // the count, until the words are counted
	ADDQ $3, BX

	// The list, 32 bytes at a time up to its first '>' (AX), as
	// listScanAVX2: the commas before it (R9), the m-th (R10), and any
	// '[' or byte up to 0x0a ('\n', NUL, a tab) before it (R11).
	XORQ R9, R9
	MOVQ $-1, R10
	XORQ R11, R11
	SUBQ $32, CX // the last block's offset, for the loop

rloop:
	CMPQ      BX, CX
	JA        rfail
	VMOVDQU   (SI)(BX*1), Y0
	VPCMPEQB  Y13, Y0, Y1
	VPMOVMSKB Y1, AX
	VPCMPEQB  Y14, Y0, Y2
	VPMOVMSKB Y2, R12
	VPCMPEQB  Y15, Y0, Y3
	VPMINUB   Y6, Y0, Y4
	VPCMPEQB  Y4, Y0, Y4
	VPOR      Y4, Y3, Y3
	VPMOVMSKB Y3, R13
	TESTL     AX, AX
	JZ        rcommas
	TZCNTL    AX, AX // the block holds the '>': its masks cut to the bytes before it
	MOVL      $1, DX
	SHLXL     AX, DX, DX
	DECL      DX
	ANDL      DX, R12
	ANDL      DX, R13
	INCL      AX // the '>' + 1, the loop's last block

rcommas:
	ORL     R13, R11
	POPCNTL R12, DX
	CMPQ    R10, $0
	JGE     radd
	LEAQ    (R9)(DX*1), R14
	CMPQ    R14, R8
	JLT     radd
	MOVQ    R8, R14
	SUBQ    R9, R14 // the (R14)-th comma of the block, from 1

rclear:
	CMPQ  R14, $1
	JLE   rfound
	BLSRL R12, R12
	DECQ  R14
	JMP   rclear

rfound:
	TZCNTL R12, R14
	LEAQ   (BX)(R14*1), R10

radd:
	ADDQ  DX, R9
	TESTL AX, AX
	JNZ   rlast
	ADDQ  $32, BX
	JMP   rloop

rlast:
	LEAQ -1(BX)(AX*1), AX
	ADDQ $32, CX // AX: the list's '>'
	TESTL R11, R11
	JNZ   rfail
	CMPQ  R10, $0
	JL    rfail

	// Value word m, after the m-th comma: 1 to 8 hex digits, then ',' or
	// the '>'.
	INCQ  R10
	RNEED(R10, 32)
	HEXWORD((SI)(R10*1), R13)
	MOVL  R13, 8(DI)
	ADDQ  R10, R12 // the byte after the word
	MOVBLZX (SI)(R12*1), DX
	CMPL  DX, $0x3e
	JEQ   rlastword
	CMPL  DX, $0x2c
	JNE   rfail
	// Words after it: the list's last byte is a hex digit (its rest,
	// trimmed, is not empty and does not end with ','); every comma ends
	// a word.
	MOVBLZX -1(SI)(AX*1), DX
	LEAL    -0x30(DX), R14
	CMPL    R14, $9
	JBE     rlasthex
	ORL     $0x20, DX
	SUBL    $0x61, DX
	CMPL    DX, $5
	JA      rfail

rlasthex:
	INCQ R9
	JMP  rwords

rlastword:
	MOVQ R8, R9
	INCQ R9

rwords:
	CMPL R9, 12(DI)
	JNE  rfail
	MOVL $1, 12(DI) // a list
	MOVQ AX, R13
	INCQ R13        // the byte after the '>'
	JMP  rmask

rnolist:
	MOVL $0, 8(DI)
	MOVL $0, 12(DI)
	XORQ R13, R13

rmask:
	// " sync_mask=[", blanks, "0x", 1 to 8 hex digits, blanks, ']'.
	RNEED(R13, 64)
	MOVQ (SI)(R13*1), AX
	MOVQ $0x616d5f636e797320, DX // " sync_ma"
	CMPQ AX, DX
	JNE  rfail
	MOVL 8(SI)(R13*1), AX
	CMPL AX, $0x5b3d6b73 // "sk=["
	JNE  rfail
	BCAST(0x20, X13, Y13) // ' ', for BLANKS
	BCAST(0x09, X14, Y14) // '\t'
	ADDQ $12, R13
	BLANKS
	MOVWLZX (SI)(R13*1), DX
	CMPL    DX, $0x7830 // "0x"
	JEQ     rhex0x
	CMPL    DX, $0x5830 // "0X"
	JNE     rhexword

rhex0x:
	ADDQ $2, R13

rhexword:
	HEXWORD((SI)(R13*1), R10)
	MOVL R10, 16(DI)
	ADDQ R12, R13
	BLANKS
	CMPB (SI)(R13*1), $0x5d // ']'
	JNE  rfail
	INCQ R13

	// To the '\n': no NUL before it, and without a list no '(' (the
	// full parser would look for "vals(" there).
	CMPL 12(DI), $0
	JNE  rtailnul
	BCAST(0x28, X15, Y15)
	JMP  rtail

rtailnul:
	VPXOR Y15, Y15, Y15

rtail:
	RNEED(R13, 32)
	VMOVDQU   (SI)(R13*1), Y0
	VPCMPEQB  Y6, Y0, Y1
	VPMOVMSKB Y1, AX
	VPCMPEQB  Y7, Y0, Y2
	VPCMPEQB  Y15, Y0, Y3
	VPOR      Y3, Y2, Y2
	VPMOVMSKB Y2, R12
	TZCNTL    AX, AX
	MOVL      $1, DX
	SHLXQ     AX, DX, DX
	DECQ      DX
	ANDL      DX, R12
	TESTL     R12, R12
	JNZ       rfail
	CMPL      AX, $32
	JB        rend
	ADDQ      $32, R13
	JMP       rtail

rend:
	ADDQ AX, R13
	ADDQ R13, 0(DI)
	VZEROUPPER
	MOVB $1, ret+48(FP)
	RET

fail: // KEYWORD's
rfail:
	VZEROUPPER
	MOVB $0, ret+48(FP)
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET
