package report

import (
	"fmt"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// SiteSource says what site states rest on, strongest first.
type SiteSource uint8

// Where site states come from.
const (
	SitesUnknown  SiteSource = iota // nothing says
	SitesFlag                       // --sites
	SitesObserved                   // asg stat chassis lines, or correction lines
	SitesInferred                   // read from a sync_mask [seed rule, an inference]
)

// Sites are resolved site states and what they rest on.
type Sites struct {
	States decode.SiteStates
	From   SiteSource
	// Source says in words where each state came from, with positions.
	Source string
	// Evidence are the positions of the observed states, one per site
	// (empty unless From is SitesObserved).
	Evidence []SiteNote
	// PerSite says where each site's state came from (index site-1).
	PerSite []string
}

// SiteState is one site's state and what it rests on: the value of each
// site in "site_states" in every JSON output,
// {"1": {"state": "STANDBY", "source": "asg stat (cpinfo.info:138)"}}.
type SiteState struct {
	State  string `json:"state"`
	Source string `json:"source"`
}

// SiteStates are "site_states": site number -> state and source.
type SiteStates = map[string]SiteState

// String is the state, as text and templates print it.
func (s SiteState) String() string { return s.State }

// SiteStateMap renders the known states of st as "site_states", each
// with its source (from[i], or all when from has one element).
func SiteStateMap(st decode.SiteStates, from ...string) map[string]SiteState {
	m := map[string]SiteState{}
	for i, s := range st {
		if s == decode.Unknown {
			continue
		}
		src := ""
		switch {
		case len(from) == 1:
			src = from[0]
		case i < len(from):
			src = from[i]
		}
		m[fmt.Sprint(i+1)] = SiteState{State: s.String(), Source: src}
	}
	return m
}

// SiteNote is one observed site state and where it was read.
type SiteNote struct {
	Site  int
	State decode.SiteState
	Pos   parse.Pos
	What  string // "asg stat" or "correction line"
}

// Map renders the known states as {"1": {"state": "STANDBY", "source":
// "asg stat (file:138)"}}, for JSON.
func (s Sites) Map() map[string]SiteState {
	if len(s.PerSite) == 0 {
		return SiteStateMap(s.States, s.Source)
	}
	return SiteStateMap(s.States, s.PerSite...)
}

// Inferred reports whether the states rest on a sync_mask inference, which
// findings must say.
func (s Sites) Inferred() bool { return s.From == SitesInferred }

// InferredNote is what a statement about site states adds when they were
// only read from a sync_mask: an inference, not an observation.
func (s Sites) InferredNote() string {
	if s.Inferred() {
		return " (site states inferred from a sync_mask, not observed: confirm with --sites)"
	}
	return ""
}

// MaskHint is a sync_mask to read site states from when nothing states
// them: the latest mask of the connection an analysis follows.
type MaskHint struct {
	Mask  decode.SyncMask
	Owner decode.SGM
}

// siteEvidence is what the feed keeps to resolve site states: the last
// observed state per site, by kind, and the latest SET sync_mask. Its size
// is fixed by the layout, whatever the input.
type siteEvidence struct {
	asg, corr []SiteNote // index site-1; Site 0 when none
	// The latest SET sync_mask and its owner word, kept raw: this runs
	// for every sync line, the decoding once, in Sites.
	mask              decode.SyncMask
	ownerWord         uint32
	hasMask, hasOwner bool
}

func (e *siteEvidence) add(l decode.Layout, rec *parse.Record) {
	if e.asg == nil {
		e.asg, e.corr = make([]SiteNote, l.Sites), make([]SiteNote, l.Sites)
	}
	if rec.Kind != parse.KindSync && rec.State == "" {
		return // no state named: nothing to parse (and no error to allocate)
	}
	switch rec.Kind {
	case parse.KindSiteState: // asg stat: chassis numbers are sites
		if st, err := decode.ParseSiteState(rec.State); err == nil && rec.Chassis >= 1 && rec.Chassis <= l.Sites {
			e.asg[rec.Chassis-1] = SiteNote{Site: rec.Chassis, State: st, Pos: rec.Pos, What: "asg stat"}
		}
	case parse.KindCorrection: // chassis 0 is site 1 [assumed]
		if st, err := decode.ParseSiteState(rec.State); err == nil && rec.Chassis >= 0 && rec.Chassis < l.Sites {
			e.corr[rec.Chassis] = SiteNote{Site: rec.Chassis + 1, State: st, Pos: rec.Pos, What: "correction line"}
		}
	case parse.KindSync:
		if setMask(rec.Op, rec.HasMask, rec.Mask) && rec.Table == "connections" {
			e.mask, e.hasMask = rec.Mask, true
			e.ownerWord, e.hasOwner = rec.Owner()
		}
	}
}

// addSync is add for a sync line of the connections table read as fields.
func (e *siteEvidence) addSync(f *parse.SyncFields) {
	if setMask(f.Op, f.HasMask, f.Mask) {
		e.mask, e.hasMask = f.Mask, true
		e.ownerWord, e.hasOwner = f.Owner()
	}
}

// setMask reports whether a sync line of op, with its sync_mask, is
// evidence of the sites' states: a SET with a mask that names a site.
func setMask(op string, hasMask bool, mask decode.SyncMask) bool {
	return op == "SET" && hasMask && mask != 0
}

// Sites resolves the site states, in one way for every analysis: --sites;
// else the states observed in the inputs (the last `asg stat` chassis line
// per site or, when there is none, the last correction line per chassis;
// with two sites, a lone STANDBY or DOWN site makes the other ACTIVE);
// else what a sync_mask implies: hint when given (the connection an
// analysis follows), else the latest SET sync_mask of the inputs.
func (f *Feed) Sites(hint *MaskHint) Sites {
	l := f.ctx.Layout
	if f.ctx.Sites.Known() {
		return Sites{States: f.ctx.Sites, From: SitesFlag, Source: "--sites", PerSite: []string{"--sites"}}
	}
	st := make(decode.SiteStates, l.Sites)
	notes := f.sites.asg
	if !anyNote(notes) {
		notes = f.sites.corr
	}
	if anyNote(notes) {
		s := Sites{States: st, From: SitesObserved, PerSite: make([]string, l.Sites)}
		var from []string
		for _, n := range notes {
			if n.Site == 0 {
				continue
			}
			st[n.Site-1] = n.State
			s.Evidence = append(s.Evidence, n)
			if n.What == "asg stat" {
				from = append(from, fmt.Sprintf("site %d %s from asg stat (%s)", n.Site, n.State, n.Pos))
				s.PerSite[n.Site-1] = fmt.Sprintf("asg stat (%s)", n.Pos)
			} else {
				from = append(from, fmt.Sprintf("site %d %s from correction line %s", n.Site, n.State, n.Pos))
				s.PerSite[n.Site-1] = fmt.Sprintf("correction line (%s)", n.Pos)
			}
		}
		if l.Sites == 2 && (st[0] == decode.Unknown) != (st[1] == decode.Unknown) {
			for i := range st {
				if st[i] == decode.Unknown && st[1-i] != decode.Active {
					st[i] = decode.Active
					from = append(from, fmt.Sprintf("site %d ACTIVE inferred (the other site is %s)", i+1, st[1-i]))
					s.PerSite[i] = fmt.Sprintf("inferred (the other site is %s)", st[1-i])
				}
			}
		}
		s.Source = strings.Join(from, "; ")
		return s
	}
	h := hint
	if h == nil && f.sites.hasMask {
		h = &MaskHint{Mask: f.sites.mask}
		if f.sites.hasOwner {
			h.Owner = l.Owner(f.sites.ownerWord).SGM
		}
	}
	if h != nil {
		if ms := l.MaskStates(h.Mask, h.Owner); ms != nil {
			return Sites{States: ms, From: SitesInferred, PerSite: []string{fmt.Sprintf("inferred from sync_mask %s", h.Mask)},
				Source: fmt.Sprintf("read from the latest sync_mask %s (the site with the most members looks ACTIVE; give --sites to be sure)", h.Mask)}
		}
	}
	return Sites{States: st, Source: "unknown (give --sites)"}
}

func anyNote(ns []SiteNote) bool {
	for _, n := range ns {
		if n.Site != 0 {
			return true
		}
	}
	return false
}
