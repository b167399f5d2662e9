//go:build !amd64

package parse

import "unsafe"

// vecShape says shapeFit may use shapeFitAVX2: never here.
const vecShape = false

// shapeFitAVX2 is shapeFitGo: there is no vectorized shapeFit here.
func shapeFitAVX2(s, shape *byte, n int) int {
	return shapeFitGo(unsafe.Slice(s, n), unsafe.Slice(shape, n))
}

// listScanAVX2 is listScanGo: there is no vectorized listScan here.
func listScanAVX2(b *byte, n, m int) (end, mth, commas int, lbr bool) {
	var ok bool
	if end, mth, commas, lbr, ok = listScanGo(unsafe.Slice(b, n), m); !ok {
		end = -1
	}
	return end, mth, commas, lbr
}

// lineEndAVX2 is lineEndGo: there is no vectorized lineEnd here.
func lineEndAVX2(b *byte, n int) (nl int, nul bool) { return lineEndGo(unsafe.Slice(b, n)) }

// hexKeyAVX2 is hexKeyGo: there is no vectorized key decoding here.
func hexKeyAVX2(b *byte, w *[6]uint32) { hexKeyGo(unsafe.Slice(b, fwKeyEnd-1), w) }

// keyWordsAVX2 is keyWordsGo: there is no vectorized key reading here.
func keyWordsAVX2(w *byte, k *[6]uint32) (end int, ok bool) {
	return keyWordsGo(unsafe.Slice(w, keyWordsVecLen), 0, k)
}

// vecLine says syncLine may use syncLineAVX2: never here.
const vecLine = false

// syncLineAVX2 is never called here (syncLine needs vecLine): the sync
// lines of a sink are read by lineEnd and syncFields.
func syncLineAVX2(*byte, int, *byte, int, int, *syncRest) bool { return false }
