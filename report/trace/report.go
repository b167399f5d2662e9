package trace

import (
	"fmt"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Report is the result; `trace --format json` prints it. The fields
// connection, owner, holders, events (t, source, sgm, op, sync_mask, sgms,
// note) and verdict are a contract.
type Report struct {
	Connection       Conn              `json:"connection"`
	Found            bool              `json:"found"`
	Owner            *Owner            `json:"owner"`
	SiteStates       report.SiteStates `json:"site_states"`
	SiteStatesSource string            `json:"site_states_source"`
	Holders          []Holder          `json:"holders"`
	Expiry           *Expiry           `json:"expiry"`
	Events           []Event           `json:"events"`
	EventsDropped    int64             `json:"events_dropped,omitempty"`
	MaskChanges      int               `json:"mask_changes"`
	Masks            []string          `json:"masks"`
	Clock            string            `json:"clock"`
	Verdict          string            `json:"verdict"`
	RiskWindow       uint32            `json:"risk_window"`
	DumpTime         string            `json:"dump_time,omitempty"`
	DumpT            int64             `json:"dump_t,omitempty"` // dump_time in Unix seconds, when it is UTC
	DumpTimeSource   string            `json:"dump_time_source,omitempty"`
	Layout           string            `json:"layout"`
	Searched         Search            `json:"searched"`
	Inputs           report.Inputs     `json:"inputs"`
}

// Conn is the connection, client first when a table entry said which
// side that is.
type Conn struct {
	Src         string `json:"src"`
	SPort       uint16 `json:"sport"`
	Dst         string `json:"dst"`
	DPort       uint16 `json:"dport"`
	Proto       uint8  `json:"proto"`
	ProtoName   string `json:"proto_name"`
	Service     string `json:"service,omitempty"`
	Forward     string `json:"forward"`
	Reverse     string `json:"reverse"`
	Orientation string `json:"orientation"`
}

// Owner is the connection owner and whether correction reaches it.
type Owner struct {
	CCLID     int      `json:"ccl_id"`
	SGM       *string  `json:"sgm"`
	Site      *int     `json:"site,omitempty"`
	SiteState string   `json:"site_state,omitempty"`
	Corrected *bool    `json:"corrected"`
	Note      string   `json:"note"`
	Sources   int      `json:"sources"`
	Conflicts []string `json:"conflicts,omitempty"`
}

// Holder is one SGM holding the connection: entry kind (full, link,
// gconn) and, for full entries, remaining/timeout in seconds.
type Holder struct {
	SGM          *string  `json:"sgm"`
	Kind         string   `json:"kind"`
	Remaining    *uint32  `json:"remaining"`
	Timeout      *uint32  `json:"timeout"`
	ExpiresIn    string   `json:"expires_in,omitempty"`
	RefreshedAgo *uint32  `json:"refreshed_ago,omitempty"`
	ExpiresAt    string   `json:"expires_at,omitempty"`
	ExpiresT     int64    `json:"expires_t,omitempty"` // expires_at in Unix seconds, when it is UTC
	InMask       *bool    `json:"in_mask"`
	Meaning      string   `json:"meaning"`
	Sources      []string `json:"sources"`
}

// Expiry applies the at-risk rule of the owners report to the
// holders: where the entry expires first, and where it was refreshed last.
type Expiry struct {
	AtRisk       bool    `json:"at_risk"`
	MinSGM       *string `json:"min_sgm"`
	MinRemaining uint32  `json:"min_remaining"`
	MaxSGM       *string `json:"max_sgm"`
	MaxRemaining uint32  `json:"max_remaining"`
	Timeout      uint32  `json:"timeout"`
	RefreshedAgo uint32  `json:"refreshed_ago"`
	ExpiresAt    string  `json:"expires_at,omitempty"`
	ExpiresT     int64   `json:"expires_t,omitempty"` // expires_at in Unix seconds, when it is UTC
}

// Event is one sync message or correction line about the connection.
// t is seconds on the capture's clock, null when the line had no stamp;
// sgm is the SGM whose input it came from, null when unknown.
type Event struct {
	T          *float64          `json:"t"`
	Time       string            `json:"time,omitempty"` // t in RFC 3339 UTC when the clock is a Unix time
	Source     string            `json:"source"`
	SGM        *string           `json:"sgm"`
	Kind       string            `json:"kind"`
	Op         string            `json:"op"`
	Direction  string            `json:"direction"`
	SyncMask   *string           `json:"sync_mask"`
	SGMs       []string          `json:"sgms"`
	BySite     []report.SiteJSON `json:"by_site,omitempty"`
	SiteStates report.SiteStates `json:"site_states,omitempty"`      // the states the mask is read with, each from StatesFrom
	StatesText string            `json:"site_states_text,omitempty"` // the same as one string, "1=STANDBY,2=ACTIVE"
	StatesFrom string            `json:"site_states_from,omitempty"`
	Sets       *report.SetsJSON  `json:"sets,omitempty"`
	MaskChange bool              `json:"mask_change"`
	Note       string            `json:"note"`

	decimals int
}

// Search says what was searched, for the "appears nowhere" message.
type Search struct {
	Inputs      []string `json:"inputs"`
	Lines       int64    `json:"lines"`
	Parsed      int64    `json:"parsed"`
	Prefiltered int64    `json:"prefiltered"`
	Patterns    []string `json:"patterns"`
	Matched     int64    `json:"matched"`
}

// NotFoundText says plainly that the connection appears nowhere and what
// was searched.
func (r *Report) NotFoundText() string {
	s := r.Searched
	in := s.Inputs
	more := ""
	if len(in) > 5 {
		more = fmt.Sprintf(" and %d more", len(in)-5)
		in = in[:5]
	}
	return fmt.Sprintf("connection %s appears nowhere: searched %d %s (%s%s), %s lines, for its addresses as %s; the %s lines that passed (naming both addresses, or headers and asg dxl calc) were parsed and none is about this connection",
		r.Connection.Forward, len(s.Inputs), pluralWord(len(s.Inputs), "input"), strings.Join(in, ", "), more,
		report.Thousands(s.Lines), patternText(s.Patterns), report.Thousands(s.Parsed))
}

// patternText renders the patterns as "ac103d02 or 172.16.61.2, and
// ac103d42 or 172.16.61.66".
func patternText(p []string) string {
	var parts []string
	for i := 0; i+1 < len(p); i += 2 {
		parts = append(parts, p[i]+" or "+p[i+1])
	}
	return strings.Join(parts, ", and ")
}

func pluralWord(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// Report computes the trace. It does not change the builder.
func (t *Trace) Report() *Report {
	l := t.l
	stats := t.f.Stats()
	r := &Report{
		Found: t.matched > 0, SiteStates: report.SiteStates{}, Holders: []Holder{}, Events: []Event{},
		Masks: []string{}, RiskWindow: t.opt.RiskWindow, Layout: l.String(), Inputs: t.f.Accounting(),
	}
	fwd := t.orientation(r)
	r.Searched = Search{
		Inputs: []string{}, Lines: stats.Lines, Prefiltered: stats.Ignored["prefiltered"],
		Patterns: parse.NewConnFilter(t.given).Patterns(), Matched: t.matched,
	}
	for _, in := range t.f.Inputs() {
		r.Searched.Inputs = append(r.Searched.Inputs, in.Name)
	}
	// Lines of a JSON document (such as a truth.json in a folder) are
	// skipped by the Reader, not parsed.
	r.Searched.Parsed = r.Searched.Lines - r.Searched.Prefiltered - stats.Ignored["json document"]

	// Dump time: --dump-time, else the newest LastUpdateTime of the -f lines.
	dump, zone := t.opt.DumpTime, "Z"
	switch {
	case dump != 0:
		r.DumpTimeSource = "--dump-time"
	case t.lastUpdate != 0:
		dump, zone = t.lastUpdate, " local"
		r.DumpTimeSource = "newest fw tab -f LastUpdateTime of this connection, gateway local time (the dump names no zone)"
	}
	stamp := func(sec uint32) string {
		if dump == 0 {
			return ""
		}
		return time.Unix(dump+int64(sec), 0).UTC().Format("2006-01-02T15:04:05") + zone
	}
	r.DumpTime = stamp(0)

	owner, ownerKnown := t.owner(r)
	prim, havePrim := t.ctx.DXL.Primaries(fwd)
	evs, lastMask, haveLast := t.annotate(r, fwd, owner, prim, havePrim)
	sites := t.sites(lastMask, haveLast, owner)
	st := sites.States
	r.SiteStatesSource = sites.Source
	r.SiteStates = sites.Map()
	r.Events = evs
	if ownerKnown && owner.InLayout {
		site := int(owner.SGM.Site)
		r.Owner.Site = &site
		if s := st.Of(site); s != decode.Unknown {
			r.Owner.SiteState = s.String()
			ok := s == decode.Active
			r.Owner.Corrected = &ok
			if ok {
				r.Owner.Note = fmt.Sprintf("on ACTIVE site %d: the correction layer forwards the connection's packets to it", site)
			} else {
				r.Owner.Note = fmt.Sprintf("on %s site %d: the correction layer does not forward packets to it (MBS-3944), and its SET and DELETE messages cross the inter-site sync", s, site)
			}
		} else {
			r.Owner.Note = fmt.Sprintf("on site %d, whose state is unknown (give --sites)", site)
		}
	}
	t.holderRows(r, lastMask, haveLast, stamp)
	if dump != 0 && zone == "Z" { // the numbers beside the UTC strings
		r.DumpT = dump
		for i := range r.Holders {
			if h := &r.Holders[i]; h.Remaining != nil && h.ExpiresAt != "" {
				h.ExpiresT = dump + int64(*h.Remaining)
			}
		}
		if x := r.Expiry; x != nil && x.ExpiresAt != "" {
			x.ExpiresT = dump + int64(x.MinRemaining)
		}
	}
	r.Verdict = t.verdict(r, owner, ownerKnown, lastMask, haveLast, st, havePrim)
	return r
}

// orientation fills r.Connection and returns the forward tuple.
func (t *Trace) orientation(r *Report) decode.Tuple {
	fwd, how := t.given, "as given (no table entry of direction 0 said which side is the client)"
	switch {
	case t.oriented:
		fwd, how = t.forward, "client first, from a table key of direction 0"
	case serviceOf(t.given.Proto, t.given.SPort) != "" && serviceOf(t.given.Proto, t.given.DPort) == "":
		fwd, how = t.given.Reverse(), "client first, the server being the well-known port"
	case serviceOf(t.given.Proto, t.given.DPort) != "" && serviceOf(t.given.Proto, t.given.SPort) == "":
		how = "client first, the server being the well-known port"
	}
	r.Connection = Conn{
		Src: decode.IPv4(fwd.Src).String(), SPort: fwd.SPort, Dst: decode.IPv4(fwd.Dst).String(), DPort: fwd.DPort,
		Proto: fwd.Proto, ProtoName: decode.ProtoName(fwd.Proto), Forward: fwd.String(), Reverse: fwd.Reverse().String(),
		Orientation: how,
	}
	if s := serviceOf(fwd.Proto, fwd.DPort); s != "" {
		r.Connection.Service = fmt.Sprintf("%s (%d/%s)", s, fwd.DPort, decode.ProtoName(fwd.Proto))
	} else if s := serviceOf(fwd.Proto, fwd.SPort); s != "" {
		r.Connection.Service = fmt.Sprintf("%s (%d/%s)", s, fwd.SPort, decode.ProtoName(fwd.Proto))
	}
	return fwd
}

// owner fills r.Owner from the first owner seen; later disagreements are
// listed.
func (t *Trace) owner(r *Report) (decode.Owner, bool) {
	if len(t.owners) == 0 {
		return decode.Owner{}, false
	}
	l := t.l
	o := l.OwnerID(t.owners[0].id)
	r.Owner = &Owner{CCLID: o.ID, Sources: len(t.owners)}
	if o.InLayout {
		s := o.SGM.String()
		r.Owner.SGM = &s
	} else {
		r.Owner.Note = fmt.Sprintf("CCL id %d lies outside layout %s: no SGM is named (check --layout)", o.ID, l)
	}
	for _, w := range t.owners[1:] {
		if w.id != o.ID && len(r.Owner.Conflicts) < 8 {
			r.Owner.Conflicts = append(r.Owner.Conflicts, fmt.Sprintf("%s says %s", w.source, l.OwnerID(w.id).Describe(l)))
		}
	}
	return o, true
}
