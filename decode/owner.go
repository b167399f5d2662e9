package decode

import "fmt"

// The CCL_ID field of value word 13 (the first "Bits" word) of a
// connections-table entry names the connection owner [seed, from
// $FWDIR/lib/fwconn.h: FWHA_CCL_ID 11, FWHA_CCL_ID_NUM_BITS 6]:
//
//	bits 31..26  25   24..17   16..11   10..0
//	   (other)  (b25) (other)  CCL_ID   (other)
//
// Bit 25 is set in every row of the seed's CCL table; its meaning is not
// published, so it is shown but not interpreted.
const (
	cclShift = 11   // FWHA_CCL_ID
	cclBits  = 6    // FWHA_CCL_ID_NUM_BITS
	cclMask  = 0x3f // (1 << cclBits) - 1
	bit25    = 1 << 25
)

// CCLID extracts the CCL_ID (owner id) from value word 13.
func CCLID(word uint32) int { return int((word >> cclShift) & cclMask) }

// CCLWord builds the value word 13 that the seed's CCL table shows for id:
// bit 25 set plus the id in the CCL_ID field (1_02 -> 0x2000800).
func CCLWord(id int) uint32 { return bit25 | (uint32(id)&cclMask)<<cclShift }

// Owner is a decoded connection owner.
type Owner struct {
	ID       int  // CCL_ID, 0..63
	SGM      SGM  // zero when ID lies outside the layout
	InLayout bool // whether the layout names an SGM for ID
}

// Owner decodes the owner from value word 13 under layout l.
func (l Layout) Owner(word uint32) Owner { return l.OwnerID(CCLID(word)) }

// OwnerID decodes an owner given as an id, as in the `clstr mem ID` column of
// `fw ctl multik gconn` (0 = 1_01, 15 = 2_02 [seed]).
func (l Layout) OwnerID(id int) Owner {
	s, ok := l.SGM(id)
	return Owner{ID: id, SGM: s, InLayout: ok}
}

// Describe renders the owner for people: "1_02 (CCL id 1)" or
// "CCL id 40 (outside layout 2x14)".
func (o Owner) Describe(l Layout) string {
	if !o.InLayout {
		return fmt.Sprintf("CCL id %d (outside layout %s)", o.ID, l)
	}
	return fmt.Sprintf("%s (CCL id %d)", o.SGM, o.ID)
}
