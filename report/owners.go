package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// DefaultRiskWindow is R of the at-risk rule, in seconds.
const DefaultRiskWindow = 600

// connState is what the owners report keeps per distinct connection: 24
// bytes, next to its canonical tuple in a connTable slot.
type connState struct {
	minRem, maxRem, timeout uint32
	holders                 uint64 // bit per SGM id holding a full entry
	owner                   int8   // CCL id, -1 when no input named it
	minSGM, maxSGM          int8   // SGM ids, -1 when not attributed
	flags                   uint8
}

const (
	flagExpiry   = 1 << iota // some entry gave remaining/timeout
	flagReversed             // shown reversed from the canonical tuple (client side first)
	flagOriented             // orientation fixed by a dir-0 entry
)

// Owners is the builder of the owner placement audit: feed it every record
// of every SGM's dumps with Add, then call Report. A connection is its
// canonical 5-tuple: seen under any key, on any SGM, it counts once.
type Owners struct {
	ctx        Context
	riskWindow uint32
	dumpTime   int64

	tab *connTable

	cur      []int // SGM ids the current input's records belong to
	curRule  string
	attrib   []Attribution
	noSGM    int64 // full entries from inputs with no SGM
	conflict int64 // connections whose inputs disagree on the owner
	held     [decode.MaxIDs]int64
	corr     []siteEvidence
	stats    parse.Stats
	// lastUpdate is the latest LastUpdateTime of the fw tab -f lines, as
	// Unix seconds of the gateway's local clock (the zone is not printed).
	lastUpdate int64
	zone       string // suffix of rendered times, set by Report
}

type siteEvidence struct {
	site  int
	state decode.SiteState
	pos   parse.Pos
}

// Attribution says which SGM an input's entries were attributed to, and by
// which rule.
type Attribution struct {
	Input string   `json:"input"`
	SGMs  []string `json:"sgms"`
	Rule  string   `json:"rule"`
}

// NewOwners returns an empty builder. riskWindow is R of the at-risk rule
// (0 means DefaultRiskWindow); dumpTime is the Unix time the dumps were
// taken, 0 when unknown.
func NewOwners(ctx Context, riskWindow uint32, dumpTime int64) *Owners {
	if riskWindow == 0 {
		riskWindow = DefaultRiskWindow
	}
	return &Owners{ctx: ctx, riskWindow: riskWindow, dumpTime: dumpTime, tab: newConnTable(0)}
}

// Grow makes room for about n more distinct connections, so that a big
// dump does not rehash its table again and again.
func (o *Owners) Grow(n int) {
	if n > 0 && n <= 1<<26 {
		o.tab.Grow(o.tab.Len() + n)
	}
}

// StartInput begins an input; its entries belong to src.SGM until a header
// line names another SGM.
func (o *Owners) StartInput(src parse.Source, name string) {
	o.cur = o.cur[:0]
	o.curRule = src.Rule
	if id, ok := o.ctx.Layout.ID(src.SGM); ok && !src.SGM.IsZero() {
		o.cur = append(o.cur, id)
	}
	o.attrib = append(o.attrib, Attribution{Input: name, SGMs: []string{}, Rule: src.Rule})
	o.noteAttribution()
}

// EndInput folds the input's line accounting into the report.
func (o *Owners) EndInput(s *parse.Stats) { o.stats.Add(s) }

// Read feeds every record of r, an input from src, into the builder. Under
// strict the first rejected line is returned as an error; otherwise rejected
// lines are only counted.
func (o *Owners) Read(src parse.Source, r *parse.Reader, strict bool) error {
	o.StartInput(src, r.Name())
	defer o.EndInput(r.Stats())
	// Only the owner word is read of the values: the others are counted,
	// not decoded (see parse.Reader.SetValueWords).
	r.SetValueWords(decode.WordBits + 1)
	return readRecords(r, strict, o.Add)
}

func (o *Owners) noteAttribution() {
	a := &o.attrib[len(o.attrib)-1]
	for _, id := range o.cur {
		s, _ := o.ctx.Layout.SGM(id)
		if !slices.Contains(a.SGMs, s.String()) {
			a.SGMs = append(a.SGMs, s.String())
		}
	}
	if o.curRule != "" {
		a.Rule = o.curRule
	}
}

func (o *Owners) conn(t decode.Tuple) *connState {
	c := t.Canonical()
	return o.tab.get(c, o.tab.hash(c))
}

// Add takes one record.
func (o *Owners) Add(rec *parse.Record) {
	switch rec.Kind {
	case parse.KindSGMHeader:
		if o.curRule == parse.RuleCommandLine {
			return // the user's FILE@SGM wins over the file's own headers
		}
		o.cur = o.cur[:0]
		for _, s := range rec.SGMs {
			if id, ok := o.ctx.Layout.ID(s); ok {
				o.cur = append(o.cur, id)
			}
		}
		o.curRule = parse.RuleHeader
		o.noteAttribution()
	case parse.KindFwTab, parse.KindFwTabF:
		if !rec.HasKey {
			return
		}
		if rec.LastUpdate != "" {
			if t, err := time.Parse("02Jan2006 15:04:05", rec.LastUpdate); err == nil {
				o.lastUpdate = max(o.lastUpdate, t.Unix())
			}
		}
		c := o.conn(rec.Key.Tuple)
		if rec.Key.Dir == 0 && c.flags&flagOriented == 0 {
			c.flags |= flagOriented
			if rec.Key.Tuple != rec.Key.Canonical() {
				c.flags |= flagReversed
			}
		}
		if w, ok := rec.Owner(); ok {
			o.setOwner(c, decode.CCLID(w))
		}
		if rec.HasExpiry {
			o.hold(c, rec.Expiry)
		}
	case parse.KindFwTabLink:
		o.conn(rec.Link.Tuple) // the link joins the entry it points to
	case parse.KindGconn:
		if rec.OwnerID >= 0 {
			o.setOwner(o.conn(rec.Key.Tuple), rec.OwnerID)
		}
	case parse.KindSync:
		if rec.HasKey && rec.Table == "connections" {
			c := o.conn(rec.Key.Tuple)
			if w, ok := rec.Owner(); ok {
				o.setOwner(c, decode.CCLID(w))
			}
		}
	case parse.KindCorrection:
		if rec.Chassis >= 0 {
			if st, err := decode.ParseSiteState(rec.State); err == nil {
				o.corr = append(o.corr, siteEvidence{site: rec.Chassis + 1, state: st, pos: rec.Pos})
			}
		}
	}
}

func (o *Owners) setOwner(c *connState, id int) {
	switch {
	case c.owner < 0:
		c.owner = int8(id)
	case int(c.owner) != id:
		o.conflict++
	}
}

// hold records an entry's expiry on every SGM of the current input.
func (o *Owners) hold(c *connState, e decode.Expiry) {
	if len(o.cur) == 0 {
		o.noSGM++
		o.expiry(c, e, -1)
		return
	}
	for _, id := range o.cur {
		if id < 64 && c.holders&(1<<uint(id)) == 0 {
			c.holders |= 1 << uint(id)
			o.held[id]++
		}
		o.expiry(c, e, id)
	}
}

func (o *Owners) expiry(c *connState, e decode.Expiry, sgm int) {
	if c.flags&flagExpiry == 0 || e.Remaining < c.minRem {
		c.minRem, c.minSGM = e.Remaining, int8(sgm)
	}
	if c.flags&flagExpiry == 0 || e.Remaining > c.maxRem {
		c.maxRem, c.maxSGM = e.Remaining, int8(sgm)
	}
	c.timeout = max(c.timeout, e.Timeout)
	c.flags |= flagExpiry
}

// atRisk applies the rule: with R the risk window and a timeout longer than
// 2R, some SGM expires the connection within R (lowest remaining < R) while
// another refreshed it within the last R (highest remaining > timeout - R).
func (o *Owners) atRisk(c *connState) bool {
	return c.flags&flagExpiry != 0 && decode.AtRisk(c.minRem, c.maxRem, c.timeout, o.riskWindow)
}

// OwnersReport is the result; `owners --format json` prints it. The field
// names connections, owners_by_sgm, owner_unknown, off_active_site,
// site_states and at_risk are a contract.
type OwnersReport struct {
	Connections        int               `json:"connections"`
	OwnersBySGM        map[string]int    `json:"owners_by_sgm"`
	OwnerUnknown       int               `json:"owner_unknown"`
	OwnerNoData        int               `json:"owner_no_data"`
	OwnerOutsideLayout int               `json:"owner_outside_layout"`
	OffActiveSite      int               `json:"off_active_site"`
	SiteStates         map[string]string `json:"site_states"`
	SiteStatesSource   string            `json:"site_states_source"`
	BySite             []SiteOwners      `json:"by_site"`
	HeldBySGM          map[string]int64  `json:"held_by_sgm"`
	ExpirySkew         int               `json:"expiry_skew"`
	RiskWindow         uint32            `json:"risk_window"`
	AtRisk             []RiskConn        `json:"at_risk"`
	OwnerConflicts     int64             `json:"owner_conflicts"`
	EntriesWithoutSGM  int64             `json:"entries_without_sgm"`
	Attribution        []Attribution     `json:"attribution"`
	Findings           []string          `json:"findings"`
	Inputs             Inputs            `json:"inputs"`
	Layout             string            `json:"layout"`
	DumpTime           string            `json:"dump_time,omitempty"`
	DumpTimeSource     string            `json:"dump_time_source,omitempty"`
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

// Inputs is the line accounting of every input read.
type Inputs struct {
	Lines            int64            `json:"lines"`
	Recognized       map[string]int64 `json:"recognized"`
	Ignored          map[string]int64 `json:"ignored"`
	Rejected         map[string]int64 `json:"rejected"`
	RejectedExamples []string         `json:"rejected_examples"`
}

// NewInputs summarizes line accounting.
func NewInputs(s *parse.Stats) Inputs {
	in := Inputs{Lines: s.Lines, Recognized: map[string]int64{}, Ignored: map[string]int64{}, Rejected: map[string]int64{}, RejectedExamples: []string{}}
	for _, k := range s.Kinds() {
		in.Recognized[k.String()] = s.Recognized[k]
	}
	for k, v := range s.Ignored {
		in.Ignored[k] = v
	}
	for k, v := range s.Rejected {
		in.Rejected[k] = v
	}
	for _, e := range s.Examples {
		in.RejectedExamples = append(in.RejectedExamples, e.Error())
	}
	return in
}

// siteStates returns the states to use and where they came from: --sites
// first, else the last correction line per chassis, completed for a
// dual-site group by inference.
func (o *Owners) siteStates() (decode.SiteStates, string) {
	l := o.ctx.Layout
	if o.ctx.Sites.Known() {
		return o.ctx.Sites, "--sites"
	}
	st := make(decode.SiteStates, l.Sites)
	var from []string
	for _, e := range o.corr {
		if e.site <= l.Sites {
			st[e.site-1] = e.state
		}
	}
	for site := 1; site <= l.Sites; site++ {
		for i := len(o.corr) - 1; i >= 0; i-- {
			if e := o.corr[i]; e.site == site {
				from = append(from, fmt.Sprintf("site %d %s from correction line %s", site, e.state, e.pos))
				break
			}
		}
	}
	if len(from) == 0 {
		return st, "unknown (give --sites)"
	}
	if l.Sites == 2 && (st[0] == decode.Unknown) != (st[1] == decode.Unknown) {
		for i := range st {
			if st[i] == decode.Unknown && st[1-i] != decode.Active {
				st[i] = decode.Active
				from = append(from, fmt.Sprintf("site %d ACTIVE inferred (the other site is %s)", i+1, st[1-i]))
			}
		}
	}
	return st, strings.Join(from, "; ")
}

// Report computes the audit. It does not change the builder.
func (o *Owners) Report() *OwnersReport {
	l := o.ctx.Layout
	st, src := o.siteStates()
	r := &OwnersReport{
		Connections: o.tab.Len(), OwnersBySGM: map[string]int{}, SiteStates: map[string]string{},
		SiteStatesSource: src, HeldBySGM: map[string]int64{}, RiskWindow: o.riskWindow, AtRisk: []RiskConn{},
		OwnerConflicts: o.conflict, EntriesWithoutSGM: o.noSGM, Attribution: o.attrib, Findings: []string{},
		Inputs: NewInputs(&o.stats), Layout: l.String(),
	}
	if r.Attribution == nil {
		r.Attribution = []Attribution{}
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
	for i, s := range st {
		if s != decode.Unknown {
			r.SiteStates[strconv.Itoa(i+1)] = s.String()
		}
	}
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
	for id, n := range ownedBy {
		if n > 0 {
			s, _ := l.SGM(id)
			r.OwnersBySGM[s.String()] = n
		}
	}
	for id, n := range o.held {
		if s, ok := l.SGM(id); ok && n > 0 {
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
	r.Findings = o.findings(r, st)
	return r
}

// stamp renders the dump time plus sec, in UTC or, from -f lines, in the
// gateway's unnamed local zone.
func (o *Owners) stamp(sec uint32) string {
	t := time.Unix(o.dumpTime+int64(sec), 0).UTC().Format("2006-01-02T15:04:05")
	return t + o.zone
}

func (o *Owners) sgmName(id int8) string {
	if s, ok := o.ctx.Layout.SGM(int(id)); ok && id >= 0 {
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
func (o *Owners) findings(r *OwnersReport, st decode.SiteStates) []string {
	var f []string
	n := r.Connections
	if n == 0 {
		return append(f, "No connection entries found in the input.")
	}
	for _, s := range r.BySite {
		state := st.Of(s.Site)
		if s.Owners == 0 || state == decode.Unknown || state == decode.Active {
			continue
		}
		f = append(f, fmt.Sprintf("%s of %s connections (%s) are owned by SGMs on site %d, which is %s: their packets are not corrected to the owner (MBS-3944), and the owner's SET and DELETE messages cross the inter-site sync.",
			thousands(int64(s.Owners)), thousands(int64(n)), pct(s.Owners, n), s.Site, state))
	}
	if len(r.AtRisk) > 0 {
		first := r.AtRisk[0]
		where := first.MinSGM
		if where == "" {
			where = "an unattributed SGM"
		}
		f = append(f, fmt.Sprintf("%s connections (%s) are at risk of being dropped: some SGM will expire them within %d s while another refreshed them in the last %d s; the most urgent expires on %s in %d s.",
			thousands(int64(len(r.AtRisk))), pct(len(r.AtRisk), n), o.riskWindow, o.riskWindow, where, first.MinRemaining))
	}
	if r.ExpirySkew > 0 {
		f = append(f, fmt.Sprintf("%s connections are held by several SGMs whose remaining times differ by more than %d s (expiry skew).",
			thousands(int64(r.ExpirySkew)), o.riskWindow))
	}
	if r.OwnerOutsideLayout > 0 {
		f = append(f, fmt.Sprintf("%s connections carry an owner id outside layout %s: no SGM is named (check --layout).",
			thousands(int64(r.OwnerOutsideLayout)), o.ctx.Layout))
	}
	if r.OwnerNoData > 0 {
		f = append(f, fmt.Sprintf("%s connections have no owner information (only link entries or sync lines without values).", thousands(int64(r.OwnerNoData))))
	}
	if r.OwnerConflicts > 0 {
		f = append(f, fmt.Sprintf("%s times the inputs disagreed on a connection's owner; the first owner seen was kept.", thousands(r.OwnerConflicts)))
	}
	if !st.Known() {
		f = append(f, "Site states are unknown: give --sites (e.g. 1=standby,2=active) to count owners off the ACTIVE site.")
	}
	if r.EntriesWithoutSGM > 0 {
		f = append(f, fmt.Sprintf("%s entries came from inputs that name no SGM: name it with FILE@1_03, a 1_03 in the file name, or a 1_03: header.", thousands(r.EntriesWithoutSGM)))
	}
	return f
}

func pct(a, b int) string {
	if b == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(a)/float64(b))
}

// thousands renders 2104 as "2,104".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// WriteOwnersTable renders the audit for people.
func WriteOwnersTable(w io.Writer, r *OwnersReport, p Palette) error {
	fmt.Fprintf(w, "%s\n", p.Bold.Sprintf("Owner placement: %s connections, layout %s", thousands(int64(r.Connections)), r.Layout))
	fmt.Fprintf(w, "Site states: %s\n\n", Sanitize(r.SiteStatesSource))
	var rows [][]string
	for _, s := range r.BySite {
		rows = append(rows, []string{strconv.Itoa(s.Site), s.State, thousands(int64(s.Owners)), pct(s.Owners, r.Connections), thousands(s.Held)})
	}
	if err := renderRows(w, []string{"Site", "State", "Owners", "Share", "Entries held"}, rows,
		tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight); err != nil {
		return err
	}
	fmt.Fprintln(w)
	rows = rows[:0]
	for _, s := range sortedNames(r.OwnersBySGM, r.HeldBySGM) {
		rows = append(rows, []string{s, thousands(int64(r.OwnersBySGM[s])), thousands(r.HeldBySGM[s])})
	}
	rows = append(rows, []string{"unknown", thousands(int64(r.OwnerUnknown)), ""})
	if err := renderRows(w, []string{"SGM", "Owners", "Entries held"}, rows, tw.AlignLeft, tw.AlignRight, tw.AlignRight); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Findings"))
	for _, f := range r.Findings {
		fmt.Fprintf(w, "- %s\n", f)
	}
	return nil
}

// sortedNames merges the SGM names of two maps, in SGM order.
func sortedNames(a map[string]int, b map[string]int64) []string {
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names) // "1_02" < "2_01": zero-padded names sort in SGM order
	return names
}

var riskHeader = []string{"src", "sport", "dst", "dport", "proto", "min_remaining", "min_sgm", "max_remaining", "max_sgm", "timeout", "owner", "expires_at"}

func riskRow(c RiskConn) []string {
	return []string{c.Src, strconv.Itoa(int(c.SPort)), c.Dst, strconv.Itoa(int(c.DPort)), decode.ProtoName(c.Proto),
		strconv.Itoa(int(c.MinRemaining)), c.MinSGM, strconv.Itoa(int(c.MaxRemaining)), c.MaxSGM, strconv.Itoa(int(c.Timeout)), c.Owner, c.ExpiresAt}
}

// WriteRiskTable lists at-risk connections, most urgent first.
func WriteRiskTable(w io.Writer, list []RiskConn) error {
	rows := make([][]string, 0, len(list))
	for _, c := range list {
		rows = append(rows, riskRow(c))
	}
	return renderRows(w, []string{"Src", "SPort", "Dst", "DPort", "Proto", "Expires in (s)", "On SGM", "Refreshed, left (s)", "On SGM", "Timeout", "Owner", "Expires at"}, rows,
		tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignRight, tw.AlignLeft, tw.AlignLeft)
}

// WriteRiskCSV lists at-risk connections as CSV.
func WriteRiskCSV(w io.Writer, list []RiskConn) error {
	rows := make([][]string, 0, len(list))
	for _, c := range list {
		rows = append(rows, riskRow(c))
	}
	return writeCSV(w, riskHeader, rows)
}

// WriteOwnersCSV renders one row per SGM.
func WriteOwnersCSV(w io.Writer, r *OwnersReport) error {
	var rows [][]string
	for _, s := range sortedNames(r.OwnersBySGM, r.HeldBySGM) {
		sgm, _ := decode.ParseSGM(s)
		rows = append(rows, []string{s, strconv.Itoa(int(sgm.Site)), r.SiteStates[strconv.Itoa(int(sgm.Site))],
			strconv.Itoa(r.OwnersBySGM[s]), strconv.FormatInt(r.HeldBySGM[s], 10)})
	}
	rows = append(rows, []string{"unknown", "", "", strconv.Itoa(r.OwnerUnknown), ""})
	return writeCSV(w, []string{"sgm", "site", "site_state", "owners", "held"}, rows)
}

// OwnedBy counts the connections owned by SGM s and, of those, how many
// some other SGM still holds a full entry for: after s fails, the first are
// the connections it was responsible for, the second those a backup can
// carry on.
func (o *Owners) OwnedBy(s decode.SGM) (owned, heldElsewhere int) {
	id, ok := o.ctx.Layout.ID(s)
	if !ok {
		return 0, 0
	}
	o.tab.each(func(_ decode.Tuple, c *connState) {
		if int(c.owner) != id {
			return
		}
		owned++
		if id < 64 && c.holders&^(1<<uint(id)) != 0 {
			heldElsewhere++
		}
	})
	return owned, heldElsewhere
}
