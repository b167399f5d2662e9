package decode

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// SyncMask is the 32-bit destination list of a connection's sync messages
// [seed]. Bit i stands for the SGM with id i in the layout:
//
//	bits 31..28  27 .. 14      13 .. 0
//	  unused     2_14 .. 2_01  1_14 .. 1_01   (layout 2x14)
//
// so 0x0001800e = {1_02, 1_03, 1_04, 2_02, 2_03}. The owner is always a
// member, even while its site is DOWN; an update sent by a non-owner carries
// an all-zero mask [seed].
type SyncMask uint32

// String renders the mask the way kernel debug prints it: "0x0001800e".
func (m SyncMask) String() string { return fmt.Sprintf("0x%08x", uint32(m)) }

// Has reports whether bit id is set.
func (m SyncMask) Has(id int) bool { return id >= 0 && id < 32 && m&(1<<uint(id)) != 0 }

// Count is the number of bits set.
func (m SyncMask) Count() int { return bits.OnesCount32(uint32(m)) }

// ErrSyncMask is returned by [ParseSyncMask] for text that is not a mask.
var ErrSyncMask = errors.New("sync_mask must be up to 8 hex digits, e.g. 0x0001800e")

// ParseSyncMask accepts the spellings seen in kernel debug and on the
// command line: "0x0001800e", "[0x0001800e]", "[ 0x0000000c]", "00000000",
// "sync_mask=[0x0001800e]".
func ParseSyncMask(s string) (SyncMask, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "sync_mask=")
	t = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(t, "["), "]"))
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	if t == "" || len(t) > 8 {
		return 0, fmt.Errorf("%q: %w", s, ErrSyncMask)
	}
	v, err := strconv.ParseUint(t, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, ErrSyncMask)
	}
	return SyncMask(v), nil
}

// Members returns the SGMs the mask names under layout l, in id order, and
// the bits that lie outside the layout (nothing is dropped silently).
func (l Layout) Members(m SyncMask) (sgms []SGM, outside SyncMask) {
	for id := range 32 {
		if !m.Has(id) {
			continue
		}
		if s, ok := l.SGM(id); ok {
			sgms = append(sgms, s)
		} else {
			outside |= 1 << uint(id)
		}
	}
	return sgms, outside
}

// Mask builds the mask naming sgms; SGMs outside the layout, or with ids
// beyond bit 31, are returned in rest.
func (l Layout) Mask(sgms ...SGM) (m SyncMask, rest []SGM) {
	for _, s := range sgms {
		id, ok := l.ID(s)
		if !ok || id >= 32 {
			rest = append(rest, s)
			continue
		}
		m |= 1 << uint(id)
	}
	return m, rest
}
