package owners

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Report is the result; `owners --format json` prints it. The field
// names connections, owners_by_sgm, owner_unknown, off_active_site,
// site_states and at_risk are a contract.
type Report struct {
	Connections        int               `json:"connections"`
	OwnersBySGM        map[string]int    `json:"owners_by_sgm"`
	OwnerUnknown       int               `json:"owner_unknown"`
	OwnerNoData        int               `json:"owner_no_data"`
	OwnerOutsideLayout int               `json:"owner_outside_layout"`
	OffActiveSite      int               `json:"off_active_site"`
	SiteStates         map[string]string `json:"site_states"`
	SiteStatesSource   string            `json:"site_states_source"`
	SiteStatesInferred bool              `json:"site_states_inferred,omitempty"`
	BySite             []SiteOwners      `json:"by_site"`
	HeldBySGM          map[string]int64  `json:"held_by_sgm"`
	ExpirySkew         int               `json:"expiry_skew"`
	RiskWindow         uint32            `json:"risk_window"`
	AtRisk             []RiskConn        `json:"at_risk"`
	OwnerConflicts     int64             `json:"owner_conflicts"`
	EntriesWithoutSGM  int64             `json:"entries_without_sgm"`
	Attribution        []Attribution     `json:"attribution"`
	Findings           []string          `json:"findings"`
	Inputs             report.Inputs     `json:"inputs"`
	Layout             string            `json:"layout"`
	DumpTime           string            `json:"dump_time,omitempty"`
	DumpTimeSource     string            `json:"dump_time_source,omitempty"`

	// SGMs are the owners and entries held per SGM, typed, in SGM order:
	// what OwnersBySGM and HeldBySGM print.
	SGMs []SGMCount `json:"-"`
	// Sites are the site states the report used.
	Sites report.Sites `json:"-"`
}

// SGMCount is what one SGM owns and holds.
type SGMCount struct {
	SGM    decode.SGM
	Owners int
	Held   int64
}

// SiteOwners counts owners and held entries on one site.
type SiteOwners struct {
	Site   int    `json:"site"`
	State  string `json:"state"`
	Owners int    `json:"owners"`
	Held   int64  `json:"held"`
}

// RiskConn is an at-risk connection: where it expires first and when.
type RiskConn struct {
	Src          string `json:"src"`
	SPort        uint16 `json:"sport"`
	Dst          string `json:"dst"`
	DPort        uint16 `json:"dport"`
	Proto        uint8  `json:"proto"`
	MinRemaining uint32 `json:"min_remaining"`
	MinSGM       string `json:"min_sgm"`
	MaxRemaining uint32 `json:"max_remaining"`
	MaxSGM       string `json:"max_sgm"`
	Timeout      uint32 `json:"timeout"`
	Owner        string `json:"owner"`
	ExpiresAt    string `json:"expires_at,omitempty"`

	t decode.Tuple // for sorting by address, not by text
}

// Report computes the audit. It does not change the builder.
func (o *Owners) Report() *Report {
	l := o.l
	sites := o.f.Sites(nil)
	st := sites.States
	r := &Report{
		Connections: o.tab.Len(), OwnersBySGM: map[string]int{}, SiteStates: map[string]string{},
		SiteStatesSource: sites.Source, HeldBySGM: map[string]int64{}, RiskWindow: o.riskWindow, AtRisk: []RiskConn{},
		OwnerConflicts: o.conflict, EntriesWithoutSGM: o.noSGM, Attribution: o.attribution(), Findings: []string{},
		Inputs: o.f.Accounting(), Layout: l.String(), SiteStatesInferred: sites.Inferred(),
	}
	o.zone = "Z"
	if o.dumpTime == 0 && o.lastUpdate != 0 {
		// No --dump-time: the newest LastUpdateTime of the -f lines, on
		// the gateway's clock, whose zone the dump does not say.
		o.dumpTime, o.zone = o.lastUpdate, " local"
		r.DumpTimeSource = "newest fw tab -f LastUpdateTime, gateway local time (the dump names no zone)"
		defer func() { o.dumpTime = 0 }()
	} else if o.dumpTime != 0 {
		r.DumpTimeSource = "--dump-time"
	}
	if o.dumpTime != 0 {
		r.DumpTime = o.stamp(0)
	}
	r.SiteStates = sites.Map()
	bySite := make([]SiteOwners, l.Sites)
	for i := range bySite {
		bySite[i] = SiteOwners{Site: i + 1, State: st.Of(i + 1).String()}
	}
	var ownedBy [decode.MaxIDs]int
	o.tab.each(func(_ decode.Tuple, c *connState) {
		switch {
		case c.owner < 0:
			r.OwnerNoData++
		default:
			sgm, ok := l.SGM(int(c.owner))
			if !ok {
				r.OwnerOutsideLayout++
				break
			}
			ownedBy[c.owner]++
			bySite[sgm.Site-1].Owners++
			if s := st.Of(int(sgm.Site)); s != decode.Unknown && s != decode.Active {
				r.OffActiveSite++
			}
		}
		if c.flags&flagExpiry != 0 && c.holders&(c.holders-1) != 0 && c.maxRem-c.minRem > o.riskWindow {
			r.ExpirySkew++
		}
	})
	r.OwnerUnknown = r.OwnerNoData + r.OwnerOutsideLayout
	for id := range ownedBy {
		s, ok := l.SGM(id)
		if !ok || (ownedBy[id] == 0 && o.held[id] == 0) {
			continue
		}
		r.SGMs = append(r.SGMs, SGMCount{SGM: s, Owners: ownedBy[id], Held: o.held[id]})
		if n := ownedBy[id]; n > 0 {
			r.OwnersBySGM[s.String()] = n
		}
		if n := o.held[id]; n > 0 {
			r.HeldBySGM[s.String()] = n
			bySite[s.Site-1].Held += n
		}
	}
	r.BySite = bySite
	o.tab.each(func(t decode.Tuple, c *connState) {
		if o.atRisk(c) {
			r.AtRisk = append(r.AtRisk, o.riskConn(t, c))
		}
	})
	slices.SortFunc(r.AtRisk, func(a, b RiskConn) int {
		return cmp.Or(cmp.Compare(a.MinRemaining, b.MinRemaining), cmp.Compare(a.t.Src, b.t.Src),
			cmp.Compare(a.t.SPort, b.t.SPort), cmp.Compare(a.t.Dst, b.t.Dst), cmp.Compare(a.t.DPort, b.t.DPort), cmp.Compare(a.t.Proto, b.t.Proto))
	})
	r.Sites = sites
	r.Findings = o.findings(r, sites)
	return r
}

// InferredNote is what a statement about site states adds when they were
// only read from a sync_mask: an inference, not an observation.
func InferredNote(sites report.Sites) string {
	if sites.Inferred() {
		return " (site states inferred from a sync_mask, not observed: confirm with --sites)"
	}
	return ""
}

// attribution lists, per input, the SGMs its entries were attributed to and
// by which rule (the feed's one precedence rule).
func (o *Owners) attribution() []Attribution {
	out := []Attribution{}
	for _, in := range o.f.Inputs() {
		a := Attribution{Input: in.Name, SGMs: []string{}, Rule: in.Rule}
		for _, s := range in.SGMs {
			if _, ok := o.l.ID(s); ok {
				a.SGMs = append(a.SGMs, s.String())
			}
		}
		out = append(out, a)
	}
	return out
}

// stamp renders the dump time plus sec, in UTC or, from -f lines, in the
// gateway's unnamed local zone.
func (o *Owners) stamp(sec uint32) string {
	t := time.Unix(o.dumpTime+int64(sec), 0).UTC().Format("2006-01-02T15:04:05")
	return t + o.zone
}

func (o *Owners) sgmName(id int8) string {
	if s, ok := o.l.SGM(int(id)); ok && id >= 0 {
		return s.String()
	}
	return ""
}

func (o *Owners) riskConn(t decode.Tuple, c *connState) RiskConn {
	if c.flags&flagReversed != 0 {
		t = t.Reverse()
	}
	rc := RiskConn{
		Src: decode.IPv4(t.Src).String(), SPort: t.SPort, Dst: decode.IPv4(t.Dst).String(), DPort: t.DPort, Proto: t.Proto,
		MinRemaining: c.minRem, MinSGM: o.sgmName(c.minSGM), MaxRemaining: c.maxRem, MaxSGM: o.sgmName(c.maxSGM),
		Timeout: c.timeout, Owner: o.sgmName(c.owner), t: t,
	}
	if o.dumpTime != 0 {
		rc.ExpiresAt = o.stamp(c.minRem)
	}
	return rc
}

// findings explains the report in plain words, most serious first.
func (o *Owners) findings(r *Report, sites report.Sites) []string {
	var f []string
	st := sites.States
	n := r.Connections
	if n == 0 {
		return append(f, "No connection entries found in the input.")
	}
	for _, s := range r.BySite {
		state := st.Of(s.Site)
		if s.Owners == 0 || state == decode.Unknown || state == decode.Active {
			continue
		}
		f = append(f, fmt.Sprintf("%s of %s connections (%s) are owned by SGMs on site %d, which is %s: their packets are not corrected to the owner (MBS-3944), and the owner's SET and DELETE messages cross the inter-site sync%s.",
			report.Thousands(int64(s.Owners)), report.Thousands(int64(n)), report.Pct(s.Owners, n), s.Site, state, InferredNote(sites)))
	}
	if len(r.AtRisk) > 0 {
		first := r.AtRisk[0]
		where := first.MinSGM
		if where == "" {
			where = "an unattributed SGM"
		}
		f = append(f, fmt.Sprintf("%s connections (%s) are at risk of being dropped: some SGM will expire them within %d s while another refreshed them in the last %d s; the most urgent expires on %s in %d s.",
			report.Thousands(int64(len(r.AtRisk))), report.Pct(len(r.AtRisk), n), o.riskWindow, o.riskWindow, where, first.MinRemaining))
	}
	if r.ExpirySkew > 0 {
		f = append(f, fmt.Sprintf("%s connections are held by several SGMs whose remaining times differ by more than %d s (expiry skew).",
			report.Thousands(int64(r.ExpirySkew)), o.riskWindow))
	}
	if r.OwnerOutsideLayout > 0 {
		f = append(f, fmt.Sprintf("%s connections carry an owner id outside layout %s: no SGM is named (check --layout).",
			report.Thousands(int64(r.OwnerOutsideLayout)), o.l))
	}
	if r.OwnerNoData > 0 {
		f = append(f, fmt.Sprintf("%s connections have no owner information (only link entries or sync lines without values).", report.Thousands(int64(r.OwnerNoData))))
	}
	if r.OwnerConflicts > 0 {
		f = append(f, fmt.Sprintf("%s times the inputs disagreed on a connection's owner; the first owner seen was kept.", report.Thousands(r.OwnerConflicts)))
	}
	if !st.Known() {
		f = append(f, "Site states are unknown: give --sites (e.g. 1=standby,2=active) to count owners off the ACTIVE site.")
	}
	if r.EntriesWithoutSGM > 0 {
		f = append(f, fmt.Sprintf("%s entries came from inputs that name no SGM: name it with FILE@1_03, a 1_03 in the file name, or a 1_03: header.", report.Thousands(r.EntriesWithoutSGM)))
	}
	return f
}
