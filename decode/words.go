package decode

import (
	"fmt"
	"time"
)

// Value words of a connections-table entry, by 0-based index [seed, from
// the `fw tab -t connections -f` line that names them]:
//
//	V0      Type          V9..V12  Ifncin, Ifncout, Ifnsin, Ifnsout (ffffffff = -1)
//	V1      Flags         V13      Bits, high word: CCL_ID (owner) in bits 11..16
//	V2      Rule          V14      Bits, low word
//	V3      Timeout class V15..    not published: shown as hex, never guessed
//	V4      Handler
//	V5..V8  connection id; V5 is a Unix time
const (
	WordType    = 0
	WordFlags   = 1
	WordRule    = 2
	WordTimeout = 3
	WordHandler = 4
	WordConnID  = 5 // first of four connection-id words; a Unix time
	WordIfncin  = 9
	WordIfncout = 10
	WordIfnsin  = 11
	WordIfnsout = 12
	WordBits    = 13 // CCL_ID lives here
	WordBitsLow = 14
	NamedWords  = 15 // words past this index have no published meaning
)

var wordNames = [NamedWords]string{
	"Type", "Flags", "Rule", "Timeout", "Handler",
	"ConnID[0]", "ConnID[1]", "ConnID[2]", "ConnID[3]",
	"Ifncin", "Ifncout", "Ifnsin", "Ifnsout",
	"Bits[hi]", "Bits[lo]",
}

// WordName names value word i ("Rule"), or "V<i>" past the published ones.
func WordName(i int) string {
	if i >= 0 && i < NamedWords {
		return wordNames[i]
	}
	return fmt.Sprintf("V%d", i)
}

// WordMeaning explains value word i holding w, for people. Words without a
// published meaning return "" so callers show only the hex.
func (l Layout) WordMeaning(i int, w uint32) string {
	switch i {
	case WordType, WordRule, WordHandler:
		return fmt.Sprintf("%d", w)
	case WordTimeout:
		return fmt.Sprintf("timeout class %d", w)
	case WordConnID:
		return time.Unix(int64(w), 0).UTC().Format(time.RFC3339)
	case WordIfncin, WordIfncout, WordIfnsin, WordIfnsout:
		return fmt.Sprintf("%d", int32(w))
	case WordBits:
		return "owner " + l.Owner(w).Describe(l)
	}
	return ""
}
