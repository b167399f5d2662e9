// Package filter cuts a capture or a dump down to the lines of one owner,
// site, op, time window or connection, and prints them as they were read,
// so that the output is itself a capture or a dump every command (and
// grep) reads again. The decision is one pure function over the few
// fields of a line ([Matcher.Match]); [Filter] is the analysis that feeds
// it from the records of a [report.Feed] and prints what matches.
package filter

import (
	"slices"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// Conditions are what a line must satisfy: every condition given (AND).
type Conditions struct {
	Owners        []int    // CCL ids (--owner); the owner is one of them
	OwnerSites    []int    // --owner-site: the owner is on one of these sites
	OffActive     bool     // the owner is on a site whose state is known and is not ACTIVE
	OutsideLayout bool     // the owner's CCL id names no SGM of the layout
	MaskHas       []int    // SGM ids the sync_mask holds, all of them (--mask-has)
	Ops           []string // sync ops, upper case (--op)
	Conn          *decode.Tuple
	From, To      *float64 // window on the capture's clock, seconds: From <= t < To
}

// OwnerConditions reports whether some condition is on the owner, which a
// fw tab link line does not carry: a link then takes the owner of the
// full entry it belongs to (see [Index]).
func (c *Conditions) OwnerConditions() bool {
	return len(c.Owners) > 0 || len(c.OwnerSites) > 0 || c.OffActive || c.OutsideLayout
}

// Empty reports whether no condition is given.
func (c *Conditions) Empty() bool {
	return !c.OwnerConditions() && len(c.MaskHas) == 0 && len(c.Ops) == 0 && c.Conn == nil && c.From == nil && c.To == nil
}

// Line is what the decision about one line depends on: the few fields a
// scanner of the line fills (see [LineOf] for the records of a feed).
type Line struct {
	Kind     parse.Kind
	Op       string // sync op, upper case
	HasOwner bool
	Owner    int // CCL id: value word 13 >> 11 & 0x3f, or gconn's clstr mem ID
	HasMask  bool
	Mask     decode.SyncMask
	HasKey   bool
	Key      decode.Tuple
	// Link is a link line's linked key (Kind parse.KindFwTabLink). A link
	// carries no values: its owner is that of the full entry it belongs
	// to, in the same input, under its own key or the key it links (see
	// [Index]), or none.
	Link    decode.Tuple
	Clocked bool
	T       float64 // seconds on the capture's clock
}

// Matcher decides whether a line meets the conditions, under a layout and
// the resolved site states.
type Matcher struct {
	c      Conditions
	layout decode.Layout
	states decode.SiteStates
	rev    decode.Tuple // the reverse of c.Conn
}

// NewMatcher returns the matcher of c. states are the site states
// resolved as every analysis resolves them (report.Feed.Sites); they are
// read only by OffActive.
func NewMatcher(c Conditions, l decode.Layout, states decode.SiteStates) *Matcher {
	m := &Matcher{c: c, layout: l, states: states}
	if c.Conn != nil {
		m.rev = c.Conn.Reverse()
	}
	return m
}

// Match reports whether l meets every condition. A link line is matched
// on the owner of its entry, its own key and linked key (--conn), and has
// no op and no sync_mask.
func (m *Matcher) Match(l *Line) bool {
	c := &m.c
	if !m.Values(l) {
		return false
	}
	if len(c.Ops) > 0 && (l.Op == "" || !slices.Contains(c.Ops, l.Op)) {
		return false
	}
	if c.Conn != nil {
		if !l.HasKey || !m.sameConn(l.Key) && (l.Kind != parse.KindFwTabLink || !m.sameConn(l.Link)) {
			return false
		}
	}
	if c.From != nil || c.To != nil {
		if !l.Clocked || c.From != nil && l.T < *c.From || c.To != nil && l.T >= *c.To {
			return false
		}
	}
	return true
}

func (m *Matcher) sameConn(t decode.Tuple) bool { return t == *m.c.Conn || t == m.rev }

// Values reports whether l meets the conditions on its values (owner and
// sync_mask).
func (m *Matcher) Values(l *Line) bool {
	c := &m.c
	needOwner := len(c.Owners) > 0 || len(c.OwnerSites) > 0 || c.OffActive || c.OutsideLayout
	if needOwner {
		if !l.HasOwner {
			return false
		}
		o := m.layout.OwnerID(l.Owner)
		if len(c.Owners) > 0 && !slices.Contains(c.Owners, l.Owner) {
			return false
		}
		if c.OutsideLayout && o.InLayout {
			return false
		}
		if (len(c.OwnerSites) > 0 || c.OffActive) && !o.InLayout {
			return false
		}
		if len(c.OwnerSites) > 0 && !slices.Contains(c.OwnerSites, int(o.SGM.Site)) {
			return false
		}
		if c.OffActive {
			i := int(o.SGM.Site) - 1
			if i >= len(m.states) || m.states[i] == decode.Unknown || m.states[i] == decode.Active {
				return false
			}
		}
	}
	for _, id := range c.MaskHas {
		if !l.HasMask || !l.Mask.Has(id) {
			return false
		}
	}
	return true
}

// LineOf fills l with the fields of rec that Match reads, at time t on the
// capture's clock (clocked false when the input has none). The owner is
// value word 13 of fw tab -u entries, fw tab -f Bits and kernel-debug sync
// lines of the connections table (DELETE lines without vals have none),
// and the clstr mem ID of gconn rows; a link line has none (see [Index]).
func LineOf(l *Line, rec *parse.Record, t float64, clocked bool) {
	*l = Line{Kind: rec.Kind, Op: rec.Op, HasKey: rec.HasKey, Key: rec.Key.Tuple, Clocked: clocked, T: t,
		HasMask: rec.HasMask, Mask: rec.Mask}
	switch rec.Kind {
	case parse.KindFwTab, parse.KindFwTabF:
		if w, ok := rec.Owner(); ok {
			l.HasOwner, l.Owner = true, decode.CCLID(w)
		}
	case parse.KindSync:
		if w, ok := rec.Owner(); ok && rec.Table == "connections" {
			l.HasOwner, l.Owner = true, decode.CCLID(w)
		}
	case parse.KindGconn:
		if rec.OwnerID >= 0 {
			l.HasOwner, l.Owner = true, rec.OwnerID
		}
	case parse.KindFwTabLink:
		l.Link = rec.Link.Tuple
	}
}
