package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// Layout constants of the dual-site 2x14 layout.
const (
	// Sites is the number of sites.
	Sites = 2
	// SlotsPerSite is the number of SGM slots per site.
	SlotsPerSite = 14
	// LayoutIDs is the number of SGM ids the layout names (0..27).
	LayoutIDs = Sites * SlotsPerSite
)

// SGMID returns the id of SGM <site>_<member>: site 1 member m is m-1,
// site 2 member m is 14+m-1.
func SGMID(site, member int) int { return (site-1)*SlotsPerSite + member - 1 }

// SGMName names an SGM id ("1_02" for 1); "" for an id outside the layout.
func SGMName(id int) string {
	if id < 0 || id >= LayoutIDs {
		return ""
	}
	return fmt.Sprintf("%d_%02d", id/SlotsPerSite+1, id%SlotsPerSite+1)
}

// ParseSGM parses "1_02" or "1_2" into an SGM id.
func ParseSGM(name string) (int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(name), "_")
	site, err1 := strconv.Atoi(a)
	member, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || site < 1 || site > Sites || member < 1 || member > SlotsPerSite {
		return 0, fmt.Errorf("sgm %q: want <site>_<member> within 2x14", name)
	}
	return SGMID(site, member), nil
}

// SiteOf returns the site (1 or 2) of an id in the layout.
func SiteOf(id int) int { return id/SlotsPerSite + 1 }

// CCLWord is value word 13 of a connection owned by id:
// 0x02000000 | id<<11 (CCL_ID: 6 bits from bit 11).
func CCLWord(id int) uint32 { return 0x02000000 | uint32(id&0x3f)<<11 }

// Dist is the `asg dxl calc` result for one connection on one site: member
// numbers (1..14) of the primary and backup blade for each direction.
type Dist struct {
	C2SPrimary, C2SBackup, S2CPrimary, S2CBackup uint8
}

// SyncMask computes a connection's sync_mask from its owner id, its
// per-site distribution (index 0 = site 1) and the site states:
//
//	mask = {owner}
//	     ∪ ACTIVE site:  c2s primary, s2c primary, c2s backup, s2c backup
//	     ∪ STANDBY site: c2s primary, s2c primary
//	     ∪ DOWN site:    nothing (the owner stays even when its site is DOWN)
//
// An owner id outside the layout (>= 28) sets no bit.
func SyncMask(owner int, dist [Sites]Dist, states [Sites]string) uint32 {
	var m uint32
	if owner >= 0 && owner < LayoutIDs {
		m |= 1 << owner
	}
	for si := range Sites {
		d := dist[si]
		bit := func(member uint8) uint32 { return 1 << SGMID(si+1, int(member)) }
		switch states[si] {
		case StateActive:
			m |= bit(d.C2SPrimary) | bit(d.S2CPrimary) | bit(d.C2SBackup) | bit(d.S2CBackup)
		case StateStandby:
			m |= bit(d.C2SPrimary) | bit(d.S2CPrimary)
		}
	}
	return m
}

// SeedDist is the seed article's distribution for 172.16.61.2 <-> 172.16.61.66,
// the same member numbers on both sites.
var SeedDist = [Sites]Dist{
	{C2SPrimary: 2, C2SBackup: 4, S2CPrimary: 3, S2CBackup: 4},
	{C2SPrimary: 2, C2SBackup: 4, S2CPrimary: 3, S2CBackup: 4},
}
