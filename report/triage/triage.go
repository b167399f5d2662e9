// Package triage triages a support bundle as it arrived: the feed fanned
// out to the owners and storms analyses, plus failure evidence of its own
// (SGMs DOWN, kernel panics, versions), turned into findings by severity
// with their evidence.
package triage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/report/timeline"
)

// Severities of findings, most serious first.
const (
	High   = report.High
	Medium = report.Medium
	Info   = report.Info
)

// Finding codes: stable, for scripts. The sync and storm codes are the
// storm report's own findings, reported as they are.
const (
	CodeLostUpdates   = storms.CodeLostUpdates
	CodeRejects       = storms.CodeRejects
	CodeSyncOff       = storms.CodeSyncOff
	CodeRefreshBursts = storms.CodeRefreshBursts
	CodeOffActive     = "OWNERS_OFF_ACTIVE_SITE"
	CodeExpirySkew    = "EXPIRY_SKEW"
	CodeSGMDown       = "SGM_DOWN"
	CodeKernelPanic   = "KERNEL_PANIC"
	CodeJHFPanicFixes = "JHF_PANIC_FIXES"
)

// Finding is one problem, with the SGMs it concerns, plain words, the
// numbers, and where it was seen (`archive!member:line`).
type Finding = report.Finding

// Member is one SGM found in the bundle.
type Member struct {
	SGM string `json:"sgm"`
	// Files are the first maxMemberFiles files attributed to the SGM;
	// FileCount counts them all.
	Files     []string `json:"files"`
	FileCount int      `json:"file_count"`
	Hostname  string   `json:"hostname,omitempty"`
	Version   string   `json:"version,omitempty"`
	Take      *int     `json:"jhf_take"` // null when no take is shown (never guessed)
	State     string   `json:"state,omitempty"`
	// Pstat are the member's `fw ctl pstat` snapshots, in input order (pstat.go).
	Pstat []PstatJSON `json:"pstat"`
}

// FileSummary is what triage made of one input file.
type FileSummary struct {
	Name         string           `json:"name"`
	SGM          string           `json:"sgm"`
	Rule         string           `json:"rule"`
	Recognized   map[string]int64 `json:"recognized"`
	Unrecognized int64            `json:"unrecognized"` // lines no format recognized
	Rejected     int64            `json:"rejected"`     // damaged lines of a known format
	Sections     int              `json:"sections"`
	// Files is how many files a row of a summarized inventory stands for
	// (Name is then their folder); 0 in a row per file.
	Files int `json:"files,omitempty"`
}

// Unrecognized counts the lines no format recognized (other command
// outputs in a cpinfo, log lines), with their most frequent shapes, and
// apart from them the damaged lines of a known format.
type Unrecognized struct {
	Count    int64              `json:"count"`
	Examples []string           `json:"examples"` // "`shape` xN first at file:line"
	Shapes   []report.LineShape `json:"shapes"`
	Rejected Rejected           `json:"rejected"`
}

// Rejected counts damaged lines, with the first of them.
type Rejected struct {
	Count    int64    `json:"count"`
	Examples []string `json:"examples"`
}

// Report is the result; `triage --format json` prints it. members,
// findings (code, severity, sgms, message, evidence) and unrecognized are a
// contract.
type Report struct {
	Members []Member `json:"members"`
	// OutsideLayout are the SGMs the bundle names (file names, host
	// names, member tables) that lie outside --layout: listed, never
	// counted as found.
	OutsideLayout []Member          `json:"outside_layout"`
	SiteStates    report.SiteStates `json:"site_states"`
	SitesSource   string            `json:"site_states_source"`
	Findings      []Finding         `json:"findings"`
	Files         []FileSummary     `json:"files"`
	// FileCount is the number of input files; beyond maxFileRows, Files
	// has one row per folder (FilesSummarized).
	FileCount       int          `json:"file_count"`
	FilesSummarized bool         `json:"files_summarized"`
	Skipped         []string     `json:"skipped"`
	Unrecognized    Unrecognized `json:"unrecognized"`
	// Checked is the evidence the findings rest on.
	Checked report.Evidence `json:"checked"`
	Inputs  report.Inputs   `json:"inputs"`
	Owners  *owners.Report  `json:"owners"`
	Storms  *storms.Report  `json:"storms"`
	// Timeline are the events of the timeline (see timeline.Report), in
	// time order; TimelineReport is the whole of it.
	Timeline       []timeline.Event `json:"timeline"`
	TimelineReport *timeline.Report `json:"-"`
}

type evidence struct {
	sgm decode.SGM
	pos string
	msg string
}

// Triage is the builder of the bundle triage: it feeds every record to the
// owners and storms builders and collects the failure evidence itself.
type Triage struct {
	f      *report.Feed
	owners *owners.Owners
	storms *storms.Storms
	pstat  *storms.Pstat // fw ctl pstat snapshots (pstat.go)
	tl     *timeline.Timeline

	sections []int    // KindSection records per input
	chassis  int      // the last `asg stat` chassis line's number in the current input
	failures failures // DOWN members and kernel panics, bounded (bounded.go)
	version  map[decode.SGM]evidence
	take     map[decode.SGM]int
	hosts    map[decode.SGM]string
}

// New returns a builder fed by f (it registers itself, after the owners
// and storms builders it fans the feed out to).
func New(f *report.Feed, riskWindow uint32, storm storms.Options) *Triage {
	t := &Triage{
		f: f, owners: owners.New(f, riskWindow, 0), storms: storms.New(f, storm), pstat: storms.NewPstat(f), tl: timeline.New(f),
		version: map[decode.SGM]evidence{}, take: map[decode.SGM]int{}, hosts: map[decode.SGM]string{},
	}
	f.Use(t)
	return t
}

// Triage does not say how many value words it reads, so the feed checks
// every one (a damaged word past the owner's is reported as unrecognized).

// StartInput begins one file of the bundle.
func (t *Triage) StartInput(in *report.Input) {
	for len(t.sections) <= in.Index { // the feed's last input may stand for many
		t.sections = append(t.sections, 0)
	}
	t.chassis = 0
}

// Add takes one record.
func (t *Triage) Add(it *report.Item) {
	rec := it.Record
	switch rec.Kind {
	case parse.KindHostname:
		if s, ok := parse.SGMFromHostname(rec.Text); ok {
			t.hosts[s] = rec.Text
		}
	case parse.KindSection:
		t.sections[it.Input]++
	case parse.KindSiteState:
		t.chassis = rec.Chassis
	case parse.KindMemberState:
		if rec.State != "DOWN" {
			return
		}
		var s decode.SGM
		if t.chassis > 0 && t.chassis <= 255 && rec.Value >= 0 && rec.Value <= 255 {
			s = decode.SGM{Site: uint8(t.chassis), Member: uint8(rec.Value)}
		}
		t.failures.add(CodeSGMDown, s, rec.Value, rec.Pos)
	case parse.KindPanic:
		t.failures.add(CodeKernelPanic, it.SGM(), -1, rec.Pos)
	case parse.KindVersion:
		s := it.SGM()
		if rec.Text != "" {
			t.version[s] = evidence{sgm: s, pos: rec.Pos.String(), msg: rec.Text}
		}
		if rec.Value >= 0 {
			t.take[s] = rec.Value
		}
	}
}

// Report computes the triage.
func (t *Triage) Report() *Report {
	sites := t.f.Sites(nil)
	or := t.owners.Report()
	sr := t.storms.Report()
	t.pstat.Fill(sr)
	stats := t.f.Stats()
	r := &Report{
		SiteStates: sites.Map(), SitesSource: sites.Source, Findings: []Finding{}, Skipped: []string{},
		Inputs: t.f.Accounting(), Owners: or, Storms: sr,
		Checked: t.f.Evidence(),
	}
	for _, s := range t.f.Skipped() {
		r.Skipped = append(r.Skipped, s.String())
	}
	r.Unrecognized = Unrecognized{Count: stats.UnrecognizedLines(), Examples: []string{}, Shapes: r.Inputs.UnrecognizedShapes,
		Rejected: Rejected{Count: stats.RejectedLines(), Examples: []string{}}}
	for _, sh := range r.Inputs.UnrecognizedShapes {
		r.Unrecognized.Examples = append(r.Unrecognized.Examples, report.Sanitize(fmt.Sprintf("`%s` x%d first at %s", sh.Shape, sh.Count, sh.First)))
	}
	for _, e := range stats.Examples {
		r.Unrecognized.Rejected.Examples = append(r.Unrecognized.Rejected.Examples, report.Sanitize(e.Error()))
	}
	r.Members, r.OutsideLayout = t.members()
	t.pstatMembers(r.Members)
	t.pstatMembers(r.OutsideLayout)
	r.Files, r.FileCount, r.FilesSummarized = t.files()
	t.tl.SetCapture(CaptureOf(sr))
	r.TimelineReport = t.tl.Report(timeline.Options{})
	r.Timeline = r.TimelineReport.Events
	r.Findings = t.timelineFindings(r.TimelineReport, t.findings(r, sites))
	report.SortFindings(r.Findings)
	return r
}

// members are the SGMs the bundle names, those of the layout and those
// outside it.
func (t *Triage) members() (inLayout, outside []Member) {
	by := map[decode.SGM]*Member{}
	get := func(s decode.SGM) *Member {
		m := by[s]
		if m == nil {
			m = &Member{SGM: s.String(), Files: []string{}}
			by[s] = m
		}
		return m
	}
	for _, in := range t.f.Inputs() {
		if s := in.SGM(); !s.IsZero() {
			m := get(s)
			if m.FileCount++; len(m.Files) < maxMemberFiles {
				m.Files = append(m.Files, in.Name)
			}
		}
	}
	for s, h := range t.hosts {
		get(s).Hostname = h
	}
	for s, v := range t.version {
		if !s.IsZero() {
			get(s).Version = v.msg
		}
	}
	for s, n := range t.take {
		if !s.IsZero() {
			get(s).Take = &n
		}
	}
	for _, d := range t.failures.list {
		if d.code == CodeSGMDown && !d.sgm.IsZero() {
			get(d.sgm).State = "DOWN"
		}
	}
	inLayout, outside = make([]Member, 0, len(by)), []Member{}
	l := t.f.Layout()
	for _, s := range sortedSGMKeys(by) {
		if _, ok := l.ID(s); ok {
			inLayout = append(inLayout, *by[s])
		} else {
			outside = append(outside, *by[s])
		}
	}
	return inLayout, outside
}

func sortedSGMKeys[V any](m map[decode.SGM]V) []decode.SGM {
	ks := make([]decode.SGM, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, decode.SGM.Compare)
	return ks
}

func sgmList(ss ...decode.SGM) []string {
	out := []string{}
	for _, s := range ss {
		if !s.IsZero() && !slices.Contains(out, s.String()) {
			out = append(out, s.String())
		}
	}
	return out
}

func (t *Triage) findings(r *Report, sites report.Sites) []Finding {
	st := sites.States
	var out []Finding
	add := func(f Finding) { out = append(out, f.Clean()) }
	sr, or := r.Storms, r.Owners
	// Sync health and storms: the storm report's own findings, so that
	// storms and triage give the same answer on the same inputs.
	for _, f := range sr.Findings {
		if slices.Contains(storms.TriageCodes, f.Code) {
			add(f)
		}
	}
	// Ownership.
	if or.OffActiveSite > 0 {
		var sgms []string
		for _, c := range or.SGMs {
			if state := st.Of(int(c.SGM.Site)); c.Owners > 0 && state != decode.Unknown && state != decode.Active {
				sgms = append(sgms, c.SGM.String())
			}
		}
		add(Finding{Code: CodeOffActive, Severity: High, SGMs: sgms,
			Message: fmt.Sprintf("%s of %s connections (%s) are owned by SGMs on a site that is not ACTIVE: their packets are not corrected to the owner (MBS-3944) and the owner's SET and DELETE cross the inter-site sync%s.",
				report.Thousands(int64(or.OffActiveSite)), report.Thousands(int64(or.Connections)), report.Pct(or.OffActiveSite, or.Connections), sites.InferredNote()),
			Evidence: append(siteEvidence(sites), or.OffActiveAt...), Numbers: map[string]int64{"off_active_site": int64(or.OffActiveSite), "connections": int64(or.Connections)}})
	}
	if len(or.AtRisk) > 0 || or.ExpirySkew > 0 {
		f := Finding{Code: CodeExpirySkew, Severity: Medium,
			Message: fmt.Sprintf("%s connections are held by SGMs whose remaining times differ by more than %d s.", report.Thousands(int64(or.ExpirySkew)), or.RiskWindow),
			Numbers: map[string]int64{"expiry_skew": int64(or.ExpirySkew), "at_risk": int64(len(or.AtRisk))}}
		if len(or.AtRisk) > 0 {
			a := or.AtRisk[0]
			f.Severity = High
			f.Message += fmt.Sprintf(" %s of them are at risk of being dropped: some SGM expires them within %d s while another refreshed them within that time; the first, %s:%d -> %s:%d, expires on %s in %d s.",
				report.Thousands(int64(len(or.AtRisk))), or.RiskWindow, a.Src, a.SPort, a.Dst, a.DPort, a.MinSGM, a.MinRemaining)
			for _, c := range or.AtRisk {
				if c.MinSGM != "" && !slices.Contains(f.SGMs, c.MinSGM) {
					f.SGMs = append(f.SGMs, c.MinSGM)
				}
			}
			slices.Sort(f.SGMs)
		}
		f.Evidence = owners.RiskEvidence(or.AtRisk)
		add(f)
	}
	// Failures.
	for _, s := range t.failures.list {
		owned, held := t.owners.OwnedBy(s.sgm)
		f := Finding{SGMs: sgmList(s.sgm), Severity: High, Evidence: s.evidence()}
		what := s.sgm.String()
		if s.sgm.IsZero() {
			what = "an SGM the bundle does not name"
		}
		switch s.code {
		case CodeSGMDown:
			f.Code, f.Message = CodeSGMDown, s.what+s.lastNote("rows")+"."
			if s.sgm.IsZero() {
				f.Message += " The output does not say which site it is on."
			}
		default:
			f.Code, f.Message = CodeKernelPanic, fmt.Sprintf("%s had a kernel panic (%d trace lines%s).", what, s.n, strings.TrimSuffix(strings.TrimPrefix(s.lastNote("lines"), fmt.Sprintf(" (%d lines", s.n)), ")"))
		}
		if !s.sgm.IsZero() && owned > 0 {
			f.Message += fmt.Sprintf(" It owned %d connections: %d are still held by other SGMs (a backup can carry them on), %d are held nowhere else and are lost.", owned, held, owned-held)
			f.Numbers = map[string]int64{"owned": int64(owned), "held_elsewhere": int64(held), "lost": int64(owned - held)}
		}
		add(f)
	}
	// One finding for every SGM below the take, not one per SGM.
	var low []decode.SGM
	var lowTakes []int
	var lowAt []string
	for _, s := range sortedSGMKeys(t.version) {
		v := t.version[s]
		if take, ok := t.take[s]; v.msg == "R81.10" && ok && take < 79 && !s.IsZero() {
			low, lowAt = append(low, s), append(lowAt, v.pos)
			if !slices.Contains(lowTakes, take) {
				lowTakes = append(lowTakes, take)
			}
		}
	}
	if len(low) > 0 {
		slices.Sort(lowTakes)
		takes := strings.Trim(strings.ReplaceAll(fmt.Sprint(lowTakes), " ", ", "), "[]")
		add(Finding{Code: CodeJHFPanicFixes, Severity: Info, SGMs: sgmList(low...),
			Message: fmt.Sprintf("%d %s %s R81.10 Jumbo Hotfix take %s, below take 79, which fixes kernel panics with VPN traffic (PRJ-54398) and a memory leak (PRJ-57107).",
				len(low), report.Plural(len(low), "SGM"), map[bool]string{true: "runs", false: "run"}[len(low) == 1], takes),
			Evidence: lowAt, Numbers: map[string]int64{"sgms": int64(len(low)), "lowest_take": int64(lowTakes[0])}})
	}
	return append(out, t.pstatFindings(out)...) // pstat.go
}

// siteEvidence lists where the states of the sites that are not ACTIVE
// were read, when they were observed.
func siteEvidence(sites report.Sites) []string {
	var ev []string
	for _, n := range sites.Evidence {
		if n.State != decode.Active && n.State != decode.Unknown {
			ev = append(ev, fmt.Sprintf("%s (site %d %s)", n.Pos, n.Site, n.State))
		}
	}
	return ev
}
