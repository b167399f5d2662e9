package owners

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
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
	SiteStates         report.SiteStates `json:"site_states"`
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
	// Basis says which connections are counted: those the table dumps
	// hold or, without any, those the capture shows and does not delete.
	Basis              string `json:"basis"`
	CaptureOnly        int    `json:"capture_only"`
	CaptureOnlyDeleted int    `json:"capture_only_deleted"`
	// OffActiveAt are the entry lines of the first connections owned off
	// the ACTIVE site (input order).
	OffActiveAt    []string         `json:"off_active_at"`
	Findings       []report.Finding `json:"findings"`
	Inputs         report.Inputs    `json:"inputs"`
	Layout         string           `json:"layout"`
	DumpTime       string           `json:"dump_time,omitempty"`
	DumpT          int64            `json:"dump_t,omitempty"` // dump_time in Unix seconds, when it is UTC
	DumpTimeSource string           `json:"dump_time_source,omitempty"`

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
	ExpiresT     int64  `json:"expires_t,omitempty"` // expires_at in Unix seconds, when it is UTC (--dump-time)
	// At is the entry line that expires first.
	At string `json:"at,omitempty"`

	t decode.Tuple // for sorting by address, not by text
}

// Report computes the audit. It does not change the builder.
func (o *Owners) Report() *Report {
	o.finish()
	l := o.l
	sites := o.f.Sites(nil)
	st := sites.States
	r := &Report{
		OffActiveAt: []string{}, OwnersBySGM: map[string]int{}, SiteStates: report.SiteStates{},
		SiteStatesSource: sites.Source, HeldBySGM: map[string]int64{}, RiskWindow: o.riskWindow, AtRisk: []RiskConn{},
		OwnerConflicts: o.conflict, EntriesWithoutSGM: o.noSGM, Attribution: o.attribution(), Findings: []report.Finding{},
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
		if o.zone == "Z" {
			r.DumpT = o.dumpTime
		}
	}
	r.SiteStates = sites.Map()
	bySite := make([]SiteOwners, l.Sites)
	for i := range bySite {
		bySite[i] = SiteOwners{Site: i + 1, State: st.Of(i + 1).String()}
	}
	t := o.tally(st)
	r.CaptureOnly, r.CaptureOnlyDeleted, r.Connections = t.captureOnly, t.captureOnlyDeleted, t.connections
	r.OwnerNoData, r.OwnerOutsideLayout, r.OffActiveSite, r.ExpirySkew = t.ownerNoData, t.ownerOutside, t.offActive, t.expirySkew
	ownedBy, offAt := &t.ownedBy, &t.offAt
	for i, n := range t.siteOwners {
		bySite[i].Owners += n
	}
	r.AtRisk = append(r.AtRisk, t.atRisk...)
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
	r.OffActiveAt = offAt.positions(o.f)
	if n := r.OffActiveSite - len(r.OffActiveAt); n > 0 && len(r.OffActiveAt) > 0 {
		r.OffActiveAt = append(r.OffActiveAt, fmt.Sprintf("and %d more", n))
	}
	r.Basis = "connections held by the table dumps (fw tab -u/-f, gconn); those seen only in the capture are counted apart"
	if o.tables == 0 {
		r.Basis = "no table dump: connections seen in the capture, minus those it shows deleted"
	}
	slices.SortFunc(r.AtRisk, func(a, b RiskConn) int {
		return cmp.Or(cmp.Compare(a.MinRemaining, b.MinRemaining), cmp.Compare(a.t.Src, b.t.Src),
			cmp.Compare(a.t.SPort, b.t.SPort), cmp.Compare(a.t.Dst, b.t.Dst), cmp.Compare(a.t.DPort, b.t.DPort), cmp.Compare(a.t.Proto, b.t.Proto))
	})
	r.Sites = sites
	r.Findings = o.findings(r, sites)
	return r
}

// tally is what Report counts over the connections, of one partition or
// of them all.
type tally struct {
	captureOnly, captureOnlyDeleted, connections     int
	ownerNoData, ownerOutside, offActive, expirySkew int
	ownedBy                                          [decode.MaxIDs]int
	siteOwners                                       []int // by site - 1
	offAt                                            firstRefs
	atRisk                                           []RiskConn // unsorted
}

// tally counts the connections, each partition on a goroutine of its own
// (the table is far bigger than the caches, and a pass over it was a
// serial tail of the run), and sums the partitions' counts in partition
// order. Nothing it returns depends on that order or on the slots': the
// counts are sums, offAt keeps the earliest positions, and Report sorts
// the connections at risk.
func (o *Owners) tally(st decode.SiteStates) *tally {
	parts := make([]tally, len(o.tab.parts))
	var wg sync.WaitGroup
	for i, p := range o.tab.parts {
		wg.Go(func() { o.tallyPart(&parts[i], p, st) })
	}
	wg.Wait()
	t := &tally{siteOwners: make([]int, o.l.Sites)}
	for i := range parts {
		pt := &parts[i]
		t.captureOnly += pt.captureOnly
		t.captureOnlyDeleted += pt.captureOnlyDeleted
		t.connections += pt.connections
		t.ownerNoData += pt.ownerNoData
		t.ownerOutside += pt.ownerOutside
		t.offActive += pt.offActive
		t.expirySkew += pt.expirySkew
		for id, n := range pt.ownedBy {
			t.ownedBy[id] += n
		}
		for s, n := range pt.siteOwners {
			t.siteOwners[s] += n
		}
		for j := range pt.offAt.refs {
			t.offAt.add(pt.offAt.refs[j])
		}
		t.atRisk = append(t.atRisk, pt.atRisk...)
	}
	return t
}

func (o *Owners) tallyPart(t *tally, p *part, st decode.SiteStates) {
	l := o.l
	t.siteOwners = make([]int, l.Sites)
	p.each(func(k decode.Tuple, c *connState) {
		if !o.live(c) {
			if o.tables > 0 {
				t.captureOnly++
				if c.flags&flagDeleted != 0 {
					t.captureOnlyDeleted++
				}
			}
			return
		}
		t.connections++
		switch {
		case c.owner < 0:
			t.ownerNoData++
		default:
			sgm, ok := l.SGM(int(c.owner))
			if !ok {
				t.ownerOutside++
				break
			}
			t.ownedBy[c.owner]++
			t.siteOwners[sgm.Site-1]++
			if s := st.Of(int(sgm.Site)); s != decode.Unknown && s != decode.Active {
				t.offActive++
				t.offAt.add(p.ref(c))
			}
		}
		if hs := p.holdings[c.held].holders; c.flags&flagExpiry != 0 && hs&(hs-1) != 0 && c.maxRem-c.minRem > o.riskWindow {
			t.expirySkew++
		}
		if o.atRisk(c) {
			t.atRisk = append(t.atRisk, o.riskConn(k, c, p.ref(c)))
		}
	})
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

func (o *Owners) riskConn(t decode.Tuple, c *connState, at entryRef) RiskConn {
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
		if o.zone == "Z" {
			rc.ExpiresT = o.dumpTime + int64(c.minRem)
		}
	}
	rc.At = refText(o.f, at)
	return rc
}

// refText renders where an entry was read.
func refText(f *report.Feed, r entryRef) string {
	if in := f.Input(int(r.in)); in != nil {
		return fmt.Sprintf("%s:%d", in.Name, r.line)
	}
	return ""
}

// firstRefs keeps the report.MaxEvidence earliest entry positions (input,
// then line) of a set of connections, in fixed memory whatever their
// number, so that evidence does not depend on the table's slot order.
type firstRefs struct{ refs []entryRef }

func (fr *firstRefs) add(r entryRef) {
	if r.in < 0 {
		return
	}
	less := func(a, b entryRef) bool { return a.in < b.in || (a.in == b.in && a.line < b.line) }
	if len(fr.refs) == report.MaxEvidence && !less(r, fr.refs[len(fr.refs)-1]) {
		return
	}
	if len(fr.refs) < report.MaxEvidence {
		fr.refs = append(fr.refs, r)
	} else {
		fr.refs[len(fr.refs)-1] = r
	}
	for i := len(fr.refs) - 1; i > 0 && less(fr.refs[i], fr.refs[i-1]); i-- {
		fr.refs[i], fr.refs[i-1] = fr.refs[i-1], fr.refs[i]
	}
}

func (fr *firstRefs) positions(f *report.Feed) []string {
	out := []string{}
	for _, r := range fr.refs {
		out = append(out, refText(f, r))
	}
	return out
}

// Finding codes of the owner placement audit.
const (
	CodeNoConnections = "NO_CONNECTIONS"
	CodeOffActive     = "OWNERS_OFF_ACTIVE_SITE"
	CodeAtRisk        = "AT_RISK"
	CodeExpirySkew    = "EXPIRY_SKEW"
	CodeOutsideLayout = "OWNER_OUTSIDE_LAYOUT"
	CodeNoOwner       = "OWNER_NO_DATA"
	CodeConflicts     = "OWNER_CONFLICTS"
	CodeSitesUnknown  = "SITE_STATES_UNKNOWN"
	CodeNoSGM         = "ENTRIES_WITHOUT_SGM"
	CodeCaptureOnly   = "CAPTURE_ONLY"
)

// findings explains the report in plain words, most serious first.
func (o *Owners) findings(r *Report, sites report.Sites) []report.Finding {
	var f []report.Finding
	add := func(code, sev, msg string, ev []string, nums map[string]int64) {
		if ev == nil {
			ev = []string{}
		}
		f = append(f, report.Finding{Code: code, Severity: sev, Message: msg, Evidence: ev, Numbers: nums}.Clean())
	}
	st := sites.States
	n := r.Connections
	if r.CaptureOnly > 0 {
		add(CodeCaptureOnly, report.Info, fmt.Sprintf("%s connections were seen only in the kernel-debug capture, %s of them deleted there: no table dump holds them, so they are not counted.",
			report.Thousands(int64(r.CaptureOnly)), report.Thousands(int64(r.CaptureOnlyDeleted))), nil,
			map[string]int64{"capture_only": int64(r.CaptureOnly), "capture_only_deleted": int64(r.CaptureOnlyDeleted)})
	}
	if n == 0 {
		add(CodeNoConnections, report.Info, "No connection entries found in the input.", nil, nil)
		return f
	}
	for _, s := range r.BySite {
		state := st.Of(s.Site)
		if s.Owners == 0 || state == decode.Unknown || state == decode.Active {
			continue
		}
		var sgms []string
		for _, c := range r.SGMs {
			if int(c.SGM.Site) == s.Site && c.Owners > 0 {
				sgms = append(sgms, c.SGM.String())
			}
		}
		fd := report.Finding{Code: CodeOffActive, Severity: report.High, SGMs: sgms, Evidence: r.OffActiveAt,
			Message: fmt.Sprintf("%s of %s connections (%s) are owned by SGMs on site %d, which is %s: their packets are not corrected to the owner (MBS-3944), and the owner's SET and DELETE messages cross the inter-site sync%s.",
				report.Thousands(int64(s.Owners)), report.Thousands(int64(n)), report.Pct(s.Owners, n), s.Site, state, sites.InferredNote()),
			Numbers: map[string]int64{"owners": int64(s.Owners), "connections": int64(n), "site": int64(s.Site)}}
		f = append(f, fd.Clean())
	}
	if len(r.AtRisk) > 0 {
		first := r.AtRisk[0]
		where := first.MinSGM
		if where == "" {
			where = "an unattributed SGM"
		}
		add(CodeAtRisk, report.High, fmt.Sprintf("%s connections (%s) are at risk of being dropped: some SGM will expire them within %d s while another refreshed them in the last %d s; the most urgent expires on %s in %d s.",
			report.Thousands(int64(len(r.AtRisk))), report.Pct(len(r.AtRisk), n), o.riskWindow, o.riskWindow, where, first.MinRemaining),
			RiskEvidence(r.AtRisk), map[string]int64{"at_risk": int64(len(r.AtRisk))})
	}
	if r.ExpirySkew > 0 {
		add(CodeExpirySkew, report.Medium, fmt.Sprintf("%s connections are held by several SGMs whose remaining times differ by more than %d s (expiry skew).",
			report.Thousands(int64(r.ExpirySkew)), o.riskWindow), nil, map[string]int64{"expiry_skew": int64(r.ExpirySkew)})
	}
	if r.OwnerOutsideLayout > 0 {
		add(CodeOutsideLayout, report.Medium, fmt.Sprintf("%s connections carry an owner id outside layout %s: no SGM is named (check --layout).",
			report.Thousands(int64(r.OwnerOutsideLayout)), o.l), nil, map[string]int64{"owner_outside_layout": int64(r.OwnerOutsideLayout)})
	}
	if r.OwnerNoData > 0 {
		add(CodeNoOwner, report.Info, fmt.Sprintf("%s connections have no owner information (only link entries or sync lines without values).", report.Thousands(int64(r.OwnerNoData))),
			nil, map[string]int64{"owner_no_data": int64(r.OwnerNoData)})
	}
	if r.OwnerConflicts > 0 {
		add(CodeConflicts, report.Medium, fmt.Sprintf("%s times the inputs disagreed on a connection's owner; the first owner seen was kept.", report.Thousands(r.OwnerConflicts)),
			nil, map[string]int64{"owner_conflicts": r.OwnerConflicts})
	}
	if !st.Known() {
		add(CodeSitesUnknown, report.Info, "Site states are unknown: give --sites (e.g. 1=standby,2=active) to count owners off the ACTIVE site.", nil, nil)
	}
	if r.EntriesWithoutSGM > 0 {
		add(CodeNoSGM, report.Medium, fmt.Sprintf("%s entries came from inputs that name no SGM: name it with FILE@1_03, a 1_03 in the file name, or a 1_03: header.", report.Thousands(r.EntriesWithoutSGM)),
			nil, map[string]int64{"entries_without_sgm": r.EntriesWithoutSGM})
	}
	return f
}

// RiskEvidence cites the entry lines of the most urgent at-risk
// connections, with how soon each expires.
func RiskEvidence(list []RiskConn) []string {
	var ev []string
	more := 0
	for _, c := range list {
		switch {
		case c.At == "":
		case len(ev) == report.MaxEvidence:
			more++
		default:
			ev = append(ev, fmt.Sprintf("%s (%s:%d -> %s:%d expires on %s in %d s)", c.At, c.Src, c.SPort, c.Dst, c.DPort, nameOr(c.MinSGM, "an unattributed SGM"), c.MinRemaining))
		}
	}
	if more > 0 {
		ev = append(ev, fmt.Sprintf("and %d more", more))
	}
	return ev
}

func nameOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
