// Package owners is the owner placement audit: where the connection owners
// (CCL_ID) live across every SGM's dumps after a switchover, which
// connections some SGM is about to expire, and what the failure of one SGM
// costs.
package owners

import (
	"math"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// DefaultRiskWindow is R of the at-risk rule, in seconds.
const DefaultRiskWindow = report.DefaultRiskWindow

// connState is what the owners report keeps per distinct connection: 32
// bytes, next to its canonical tuple in a connTable slot.
type connState struct {
	minRem, maxRem, timeout uint32
	atLine                  uint32 // line of the entry that expires first (see atIn)
	holders                 uint64 // bit per SGM id holding a full entry
	atIn                    int32  // input of that entry, -1 when no entry gave an expiry
	owner                   int8   // CCL id, -1 when no input named it
	minSGM, maxSGM          int8   // SGM ids, -1 when not attributed
	flags                   uint8
}

const (
	flagExpiry   = 1 << iota // some entry gave remaining/timeout
	flagReversed             // shown reversed from the canonical tuple (client side first)
	flagOriented             // orientation fixed by a dir-0 entry
	flagTable                // a table dump holds it (fw tab -u/-f entry or link, gconn row)
	flagDeleted              // the capture shows a DELETE of it
)

// Owners is the builder of the owner placement audit: it takes every record
// of every SGM's dumps from a [report.Feed], then Report computes the
// audit. A connection is its canonical 5-tuple: seen under any key, on any
// SGM, it counts once.
type Owners struct {
	f          *report.Feed
	l          decode.Layout
	riskWindow uint32
	dumpTime   int64

	tab *connTable

	ids      []int // SGM ids of the current record's SGMs (scratch)
	tables   int   // distinct connections a table dump holds
	noSGM    int64 // full entries from inputs with no SGM
	conflict int64 // connections whose inputs disagree on the owner
	held     [decode.MaxIDs]int64
	// lastUpdate is the latest LastUpdateTime of the fw tab -f lines, as
	// Unix seconds of the gateway's local clock (the zone is not printed).
	lastUpdate int64
	zone       string // suffix of rendered times, set by Report
}

// Attribution says which SGM an input's entries were attributed to, and by
// which rule.
type Attribution struct {
	Input string   `json:"input"`
	SGMs  []string `json:"sgms"`
	Rule  string   `json:"rule"`
}

// New returns a builder fed by f (it registers itself). riskWindow is R
// of the at-risk rule (0 means DefaultRiskWindow); dumpTime is the Unix
// time the dumps were taken, 0 when unknown.
func New(f *report.Feed, riskWindow uint32, dumpTime int64) *Owners {
	if riskWindow == 0 {
		riskWindow = DefaultRiskWindow
	}
	o := &Owners{f: f, l: f.Layout(), riskWindow: riskWindow, dumpTime: dumpTime, tab: newConnTable(0)}
	f.Use(o)
	return o
}

// Grow makes room for about n more distinct connections, so that a big
// dump does not rehash its table again and again.
func (o *Owners) Grow(n int) {
	if n > 0 && n <= 1<<26 {
		o.tab.Grow(o.tab.Len() + n)
	}
}

// ValueWords is how many value words the audit reads: up to the owner
// word; the others are counted, not decoded.
func (o *Owners) ValueWords() int { return decode.WordBits + 1 }

func (o *Owners) conn(t decode.Tuple) *connState {
	c := t.Canonical()
	return o.tab.get(c, o.tab.hash(c))
}

// Add takes one record.
func (o *Owners) Add(it *report.Item) {
	rec := it.Record
	switch rec.Kind {
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
		o.table(c)
		if rec.HasExpiry {
			o.hold(c, rec.Expiry, it)
		}
	case parse.KindFwTabLink:
		o.table(o.conn(rec.Link.Tuple)) // the link joins the entry it points to
	case parse.KindGconn:
		c := o.conn(rec.Key.Tuple)
		o.table(c)
		if rec.OwnerID >= 0 {
			o.setOwner(c, rec.OwnerID)
		}
	case parse.KindSync:
		if rec.HasKey && rec.Table == "connections" {
			c := o.conn(rec.Key.Tuple)
			if w, ok := rec.Owner(); ok {
				o.setOwner(c, decode.CCLID(w))
			}
			if rec.Op == "DELETE" {
				c.flags |= flagDeleted
			}
		}
	}
}

// table marks c as held by a table dump.
func (o *Owners) table(c *connState) {
	if c.flags&flagTable == 0 {
		c.flags |= flagTable
		o.tables++
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

// hold records an entry's expiry on every SGM the record belongs to.
func (o *Owners) hold(c *connState, e decode.Expiry, it *report.Item) {
	if c.flags&flagExpiry == 0 || e.Remaining < c.minRem {
		c.atIn, c.atLine = int32(it.Input), uint32(min(it.Pos.Line, math.MaxUint32))
	}
	o.ids = o.ids[:0]
	for _, s := range it.SGMs {
		if id, ok := o.l.ID(s); ok {
			o.ids = append(o.ids, id)
		}
	}
	if len(o.ids) == 0 {
		o.noSGM++
		o.expiry(c, e, -1)
		return
	}
	for _, id := range o.ids {
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

// live reports whether the connection counts: when table dumps were read,
// the connections a table holds; without any, the capture's connections
// but those it shows deleted.
func (o *Owners) live(c *connState) bool {
	if o.tables > 0 {
		return c.flags&flagTable != 0
	}
	return c.flags&flagDeleted == 0
}

// atRisk applies the rule: with R the risk window and a timeout longer than
// 2R, some SGM expires the connection within R (lowest remaining < R) while
// another refreshed it within the last R (highest remaining > timeout - R).
func (o *Owners) atRisk(c *connState) bool {
	return c.flags&flagExpiry != 0 && decode.AtRisk(c.minRem, c.maxRem, c.timeout, o.riskWindow)
}

// OwnedBy counts the connections owned by SGM s and, of those, how many
// some other SGM still holds a full entry for: after s fails, the first are
// the connections it was responsible for, the second those a backup can
// carry on.
func (o *Owners) OwnedBy(s decode.SGM) (owned, heldElsewhere int) {
	id, ok := o.l.ID(s)
	if !ok {
		return 0, 0
	}
	o.tab.each(func(_ decode.Tuple, c *connState) {
		if int(c.owner) != id {
			return
		}
		if !o.live(c) {
			return
		}
		owned++
		if id < 64 && c.holders&^(1<<uint(id)) != 0 {
			heldElsewhere++
		}
	})
	return owned, heldElsewhere
}
