// Package decode turns the raw words of Check Point Maestro connection
// entries into meaning: which SGM owns a connection (CCL_ID), which SGMs a
// sync_mask names, how long an entry has left, and what each value word is.
//
// Every function here is small and pure: words in, values out. Nothing reads
// input or prints. Where a rule comes from the seed article (see
// DOMAIN.md in the shared reference) the comment says so; where it is an
// assumption, it says that too, and the behaviour is configurable.
package decode

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxIDs is the number of distinct CCL ids a 6-bit field can hold.
const MaxIDs = 1 << cclBits

// Layout is the shape of a Maestro security group: how many sites and how
// many SGM slots per site. SGM ids run site by site: with the default 2x14,
// ids 0..13 are 1_01..1_14 and 14..27 are 2_01..2_14 [seed]. Other layouts
// follow the same rule by assumption.
type Layout struct {
	Sites int // number of sites, 1..9
	Slots int // SGM slots per site, 1..99
}

// DefaultLayout is the dual-site layout of the seed article: 2 sites of 14.
var DefaultLayout = Layout{Sites: 2, Slots: 14}

// ErrLayout is returned by [ParseLayout] for a layout it cannot accept.
var ErrLayout = errors.New("layout must be SITESxSLOTS, e.g. 2x14, with at most 64 SGMs in all")

// ParseLayout parses "SITESxSLOTS", for example "2x14".
func ParseLayout(s string) (Layout, error) {
	a, b, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if !ok {
		return Layout{}, fmt.Errorf("%q: %w", s, ErrLayout)
	}
	sites, err1 := strconv.Atoi(a)
	slots, err2 := strconv.Atoi(b)
	l := Layout{Sites: sites, Slots: slots}
	if err1 != nil || err2 != nil || !l.Valid() {
		return Layout{}, fmt.Errorf("%q: %w", s, ErrLayout)
	}
	return l, nil
}

// Valid reports whether the layout fits the 6-bit CCL id and the naming rule.
func (l Layout) Valid() bool {
	return l.Sites >= 1 && l.Sites <= 9 && l.Slots >= 1 && l.Slots <= 99 && l.Sites*l.Slots <= MaxIDs
}

// Size is the number of SGM ids the layout names.
func (l Layout) Size() int { return l.Sites * l.Slots }

// String renders the layout as "2x14".
func (l Layout) String() string { return fmt.Sprintf("%dx%d", l.Sites, l.Slots) }

// SGM is one Security Group Member, named "<site>_<member>" with a two-digit
// member ("1_02"). The zero value is no SGM.
type SGM struct {
	Site   uint8 // 1-based site (chassis) number
	Member uint8 // 1-based member number within the site
}

// IsZero reports whether s names no SGM.
func (s SGM) IsZero() bool { return s.Site == 0 }

// String renders "1_02"; the zero SGM renders as "".
func (s SGM) String() string {
	if s.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d_%02d", s.Site, s.Member)
}

// Compare orders SGMs by site, then member.
func (s SGM) Compare(o SGM) int {
	if s.Site != o.Site {
		return int(s.Site) - int(o.Site)
	}
	return int(s.Member) - int(o.Member)
}

// ErrSGM is returned by [ParseSGM] for text that is not an SGM name.
var ErrSGM = errors.New("SGM must be SITE_MEMBER, e.g. 1_02")

// ParseSGM parses "1_02" or "1_2" (leading zeros are optional on input).
func ParseSGM(s string) (SGM, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "_")
	if !ok || a == "" || b == "" || len(a) > 1 || len(b) > 2 {
		return SGM{}, fmt.Errorf("%q: %w", s, ErrSGM)
	}
	site, err1 := strconv.Atoi(a)
	mem, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || site < 1 || mem < 1 {
		return SGM{}, fmt.Errorf("%q: %w", s, ErrSGM)
	}
	return SGM{Site: uint8(site), Member: uint8(mem)}, nil
}

// SGM returns the SGM with the given id, and false when the id lies outside
// the layout: such an id names no SGM, and none is invented.
func (l Layout) SGM(id int) (SGM, bool) {
	if id < 0 || id >= l.Size() || l.Slots <= 0 {
		return SGM{}, false
	}
	return SGM{Site: uint8(id/l.Slots + 1), Member: uint8(id%l.Slots + 1)}, true
}

// ID returns the id of s in the layout, and false when s does not fit it.
func (l Layout) ID(s SGM) (int, bool) {
	if s.Site < 1 || int(s.Site) > l.Sites || s.Member < 1 || int(s.Member) > l.Slots {
		return 0, false
	}
	return (int(s.Site)-1)*l.Slots + int(s.Member) - 1, true
}
