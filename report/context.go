package report

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// DefaultRiskWindow is R of the at-risk rule (owners, trace, triage), in
// seconds.
const DefaultRiskWindow = 600

// Context is what a report knows beyond the records: the layout, the site
// states (from --sites) and `asg dxl calc` results (from --dxl).
type Context struct {
	Layout decode.Layout
	Sites  decode.SiteStates
	DXL    *DXL
}

// MaskJSON is a decoded sync_mask.
type MaskJSON struct {
	Value    string     `json:"value"`
	SGMs     []string   `json:"sgms"`
	BySite   []SiteJSON `json:"by_site"`
	Outside  string     `json:"outside_layout,omitempty"`
	Sets     *SetsJSON  `json:"sets,omitempty"`
	NonOwner bool       `json:"non_owner,omitempty"`
	Notes    []string   `json:"notes,omitempty"`
}

// SiteJSON is the part of a mask on one site.
type SiteJSON struct {
	Site  int      `json:"site"`
	State string   `json:"state,omitempty"`
	SGMs  []string `json:"sgms"`
}

// SetsJSON are the seed article's active and backup sync sets.
type SetsJSON struct {
	Active    []string `json:"active"`
	Backup    []string `json:"backup"`
	OwnerDown bool     `json:"owner_on_down_site,omitempty"`
	Stale     []string `json:"stale,omitempty"`
	Unplaced  []string `json:"unknown_site_state,omitempty"`
}

// Mask explains a sync_mask: members by site and, when site states and the
// primaries from `asg dxl calc` are known (havePrim), the active and backup
// sync sets.
func (c *Context) Mask(m decode.SyncMask, owner decode.Owner, prim []decode.SGM, havePrim bool) *MaskJSON {
	sgms, outside := c.Layout.Members(m)
	j := &MaskJSON{Value: m.String(), SGMs: []string{}, BySite: []SiteJSON{}}
	for _, s := range sgms {
		j.SGMs = append(j.SGMs, s.String())
	}
	if outside != 0 {
		j.Outside = outside.String()
		j.Notes = append(j.Notes, fmt.Sprintf("bits %s lie outside layout %s", outside, c.Layout))
	}
	if m == 0 {
		j.NonOwner = true
		j.Notes = append(j.Notes, "empty mask: the update was sent by a non-owner SGM")
		return j
	}
	for _, g := range c.Layout.Group(m, c.Sites) {
		sj := SiteJSON{Site: g.Site, SGMs: Names(g.SGMs)}
		if g.State != decode.Unknown {
			sj.State = g.State.String()
		}
		j.BySite = append(j.BySite, sj)
	}
	if owner.InLayout && !m.Has(mustID(c.Layout, owner.SGM)) {
		j.Notes = append(j.Notes, fmt.Sprintf("owner %s is not in the mask, although an owner always is", owner.SGM))
	}
	if !c.Sites.Known() {
		return j
	}
	if !havePrim {
		if c.DXL.Len() > 0 {
			j.Notes = append(j.Notes, "no asg dxl calc result for this address pair: active and backup sets not split")
		}
		return j
	}
	s := c.Layout.SyncSets(m, c.Sites, prim, owner.SGM)
	j.Sets = &SetsJSON{Active: Names(s.Active), Backup: Names(s.Backup), OwnerDown: s.OwnerDown, Stale: Names(s.Stale), Unplaced: Names(s.Unplaced)}
	return j
}

func mustID(l decode.Layout, s decode.SGM) int {
	id, _ := l.ID(s)
	return id
}

// Names renders SGMs as their names, in order.
func Names(sgms []decode.SGM) []string {
	out := make([]string, 0, len(sgms))
	for _, s := range sgms {
		out = append(out, s.String())
	}
	return out
}
