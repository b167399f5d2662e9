package decode

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SiteState is the state of a Maestro site.
type SiteState uint8

// Site states. A site whose state nobody stated is Unknown.
const (
	Unknown SiteState = iota // not stated by the user or the input
	Active                   // handles traffic
	Standby                  // up, not handling traffic
	Down                     // administratively or actually down
)

// String renders the state in upper case, as Check Point prints it.
func (s SiteState) String() string {
	switch s {
	case Unknown:
		return "UNKNOWN"
	case Active:
		return "ACTIVE"
	case Standby:
		return "STANDBY"
	case Down:
		return "DOWN"
	}
	return fmt.Sprintf("SiteState(%d)", uint8(s))
}

// ParseSiteState accepts active, standby and down in any case, and also
// "ACTIVE(!)" as `cphaprob state` prints a degraded active member.
func ParseSiteState(s string) (SiteState, error) {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "(!)")) {
	case "active":
		return Active, nil
	case "standby":
		return Standby, nil
	case "down":
		return Down, nil
	}
	return Unknown, fmt.Errorf("site state %q: want active, standby or down", s)
}

// SiteStates holds a state per site, index 0 for site 1. The zero value
// knows nothing.
type SiteStates []SiteState

// ErrSiteStates is returned by [ParseSiteStates] for malformed text.
var ErrSiteStates = errors.New("site states must look like 1=standby,2=active")

// ParseSiteStates parses "1=standby,2=active" for layout l.
func ParseSiteStates(s string, l Layout) (SiteStates, error) {
	st := make(SiteStates, l.Sites)
	if strings.TrimSpace(s) == "" {
		return st, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: %w", part, ErrSiteStates)
		}
		site, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil || site < 1 || site > l.Sites {
			return nil, fmt.Errorf("%q: site must be 1..%d for layout %s: %w", part, l.Sites, l, ErrSiteStates)
		}
		state, err := ParseSiteState(v)
		if err != nil {
			return nil, err
		}
		st[site-1] = state
	}
	return st, nil
}

// Of returns the state of site (1-based), Unknown when not known.
func (st SiteStates) Of(site int) SiteState {
	if site < 1 || site > len(st) {
		return Unknown
	}
	return st[site-1]
}

// Known reports whether any site's state is known.
func (st SiteStates) Known() bool {
	return slices.ContainsFunc(st, func(s SiteState) bool { return s != Unknown })
}

// String renders "1=STANDBY,2=ACTIVE", skipping unknown sites.
func (st SiteStates) String() string {
	var parts []string
	for i, s := range st {
		if s != Unknown {
			parts = append(parts, fmt.Sprintf("%d=%s", i+1, s))
		}
	}
	return strings.Join(parts, ",")
}

// SiteGroup is the part of a sync_mask that lies on one site.
type SiteGroup struct {
	Site  int
	State SiteState
	SGMs  []SGM
}

// Group splits the members of m by site, in site order; sites with no
// member are left out.
func (l Layout) Group(m SyncMask, st SiteStates) []SiteGroup {
	sgms, _ := l.Members(m)
	var groups []SiteGroup
	for _, s := range sgms {
		if n := len(groups); n == 0 || groups[n-1].Site != int(s.Site) {
			groups = append(groups, SiteGroup{Site: int(s.Site), State: st.Of(int(s.Site))})
		}
		groups[len(groups)-1].SGMs = append(groups[len(groups)-1].SGMs, s)
	}
	return groups
}

// SyncSets splits a sync_mask into the seed article's active and backup sync
// sets [seed, table in DOMAIN.md §2]:
//
//   - active set: the primaries (first blade per chassis of `asg dxl calc`,
//     for both directions) that sit on the ACTIVE site;
//   - backup set: the other mask members on the ACTIVE site, then the mask
//     members on STANDBY sites;
//   - a DOWN site contributes only the owner, which stays in the mask.
type SyncSets struct {
	Active []SGM
	Backup []SGM
	// OwnerDown is set when the owner sits on a DOWN site: it stays in the
	// mask as owner but belongs to neither set.
	OwnerDown bool
	// Stale lists non-owner members on DOWN sites (the seed never shows
	// one; they would be left over from before the site went down).
	Stale []SGM
	// Unplaced lists members on sites whose state is unknown.
	Unplaced []SGM
}

// SyncSets computes the sets of m. primaries are the first blades per
// chassis from `asg dxl calc` for the connection (both directions); owner
// may be the zero SGM when unknown.
func (l Layout) SyncSets(m SyncMask, st SiteStates, primaries []SGM, owner SGM) SyncSets {
	var sets SyncSets
	var standby []SGM
	members, _ := l.Members(m)
	for _, s := range members {
		switch st.Of(int(s.Site)) {
		case Active:
			if slices.Contains(primaries, s) {
				sets.Active = append(sets.Active, s)
			} else {
				sets.Backup = append(sets.Backup, s)
			}
		case Standby:
			standby = append(standby, s)
		case Down:
			if s == owner {
				sets.OwnerDown = true
			} else {
				sets.Stale = append(sets.Stale, s)
			}
		default:
			sets.Unplaced = append(sets.Unplaced, s)
		}
	}
	sets.Backup = append(sets.Backup, standby...)
	return sets
}

// MaskStates reads the site states a sync_mask implies [seed, DOMAIN.md §2]:
// a site with no member, or whose only member is the owner, is DOWN; of the
// others, the one with the most members is ACTIVE (the owner syncs the
// ACTIVE site's primaries and backup but only the STANDBY site's
// primaries) and the rest are STANDBY. It returns nil when no site stands
// out (an empty mask, a tie). owner may be the zero SGM when unknown.
func (l Layout) MaskStates(m SyncMask, owner SGM) SiteStates {
	active, down := l.maskSites(m, owner)
	if active == 0 {
		return nil
	}
	st := make(SiteStates, l.Sites)
	for site := 1; site <= l.Sites; site++ {
		switch {
		case site == active:
			st[site-1] = Active
		case down&(1<<site) != 0:
			st[site-1] = Down
		default:
			st[site-1] = Standby
		}
	}
	return st
}

// MaskActive is the site [Layout.MaskStates] reads as ACTIVE, 0 when none
// stands out; it does not allocate (for hot paths).
func (l Layout) MaskActive(m SyncMask, owner SGM) int {
	active, _ := l.maskSites(m, owner)
	return active
}

// maskSites counts the mask's members per site: the ACTIVE site (0 when
// none stands out) and the DOWN sites as a bit set (bit = site number).
func (l Layout) maskSites(m SyncMask, owner SGM) (active int, down uint16) {
	if m == 0 || l.Sites > 9 || l.Slots <= 0 {
		return 0, 0
	}
	var count [10]int
	var others uint16 // sites with a member other than the owner
	ownerID, hasOwner := l.ID(owner)
	for id := range min(32, l.Size()) {
		if !m.Has(id) {
			continue
		}
		site := id/l.Slots + 1
		count[site]++
		if !hasOwner || id != ownerID {
			others |= 1 << site
		}
	}
	best, tie := 0, false
	for site := 1; site <= l.Sites; site++ {
		if others&(1<<site) == 0 {
			down |= 1 << site
			continue
		}
		switch {
		case count[site] > best:
			best, active, tie = count[site], site, false
		case count[site] == best:
			tie = true
		}
	}
	if tie {
		return 0, down
	}
	return active, down
}
