package trace

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// annotate orders the events and explains each: the mask by site, the
// sets, and what each change of the owner's sync_mask says.
func (t *Trace) annotate(r *Report, fwd decode.Tuple, owner decode.Owner, prim []decode.SGM, havePrim bool) (evs []Event, last decode.SyncMask, haveLast bool) {
	l := t.l
	events := slices.Clone(t.events)
	clocked := 0
	for _, e := range events {
		if e.hasKey {
			clocked++
		}
	}
	switch {
	case len(events) == 0:
		r.Clock = "no sync message or correction line about the connection"
	case clocked == 0:
		r.Clock = "no timestamps (capture taken without -T): events in input order"
	default:
		slices.SortStableFunc(events, func(a, b traceEvent) int {
			if a.hasKey != b.hasKey {
				if a.hasKey {
					return 1
				}
				return -1
			}
			return cmp.Compare(a.key, b.key)
		})
		r.Clock = fmt.Sprintf("timestamps from @;N; prefixes, unit %g s; inputs merged on one timeline as if their clocks agreed", t.f.TSUnit())
		if report.IsEpoch(events[len(events)-1].key) { // the unstamped sort first
			r.Clock += "; Unix times (from 2001 on), shown as dates"
		}
		if clocked < len(events) {
			r.Clock += fmt.Sprintf("; %d events without a stamp keep their place after the previous stamp of their input", len(events)-clocked)
		}
	}
	if t.dropped > 0 {
		r.EventsDropped = t.dropped
		r.Clock += fmt.Sprintf("; %d events beyond the first %d were counted, not kept", t.dropped, MaxTraceEvents)
	}
	decimals := max(3, int(math.Round(-math.Log10(t.f.TSUnit()))))
	var prevStates decode.SiteStates
	evs = make([]Event, 0, len(events))
	for _, ev := range events {
		e := Event{Source: ev.source, Kind: ev.kind.String(), Op: ev.op, SGMs: []string{}, decimals: decimals}
		if ev.hasT {
			v := math.Round(ev.t*1e9) / 1e9
			e.T, e.Time = &v, report.TimeString(v)
		}
		if !ev.sgm.IsZero() {
			s := ev.sgm.String()
			e.SGM = &s
		}
		e.Direction = "forward"
		if ev.tuple != fwd {
			e.Direction = "reverse"
		}
		var notes []string
		if ev.kind == parse.KindSync && ev.table != "connections" {
			notes = append(notes, "table "+ev.table)
		}
		switch {
		case ev.kind == parse.KindCorrection:
			notes = append(notes, t.correctionNote(ev, owner)...)
		case !ev.hasMask:
			notes = append(notes, "no sync_mask on the line")
		default:
			ms := ev.mask.String()
			e.SyncMask = &ms
			members, _ := l.Members(ev.mask)
			e.SGMs = report.Names(members)
			switch {
			case ev.mask == 0:
				notes = append(notes, "empty mask: sent by a non-owner SGM, which does not know the sync destinations")
			case ev.op == "DELETE":
				e.BySite = (&report.Context{Layout: l}).Mask(ev.mask, owner, nil, false).BySite
				notes = append(notes, fmt.Sprintf("DELETE to %s: they drop their copy of the entry (they left the sync_mask)", strings.Join(e.SGMs, ", ")))
			default:
				st, from := l.MaskStates(ev.mask, owner.SGM), "sync_mask"
				if st == nil && t.ctx.Sites.Known() {
					st, from = t.ctx.Sites, "--sites"
				}
				ctx := report.Context{Layout: l, Sites: st, DXL: t.ctx.DXL}
				mj := ctx.Mask(ev.mask, owner, prim, havePrim)
				e.BySite, e.Sets = mj.BySite, mj.Sets
				if st != nil {
					e.StatesText, e.StatesFrom = st.String(), from
					e.SiteStates = report.SiteStateMap(st, from)
				}
				for _, n := range mj.Notes {
					if !strings.HasPrefix(n, "no asg dxl calc result") { // said once, in the verdict
						notes = append(notes, n)
					}
				}
				switch {
				case !haveLast:
					notes = append(notes, "first sync_mask seen"+statesText(st, from))
					r.Masks = append(r.Masks, ms)
				case ev.mask != last:
					e.MaskChange = true
					r.MaskChanges++
					r.Masks = append(r.Masks, ms)
					notes = append(notes, describeChange(l, last, ev.mask, prevStates, st, owner.SGM, prim, havePrim)...)
				}
				last, haveLast, prevStates = ev.mask, true, st
			}
		}
		e.Note = strings.Join(notes, "; ")
		evs = append(evs, e)
	}
	return evs, last, haveLast
}

func statesText(st decode.SiteStates, from string) string {
	if st == nil {
		return ": no site stands out, site states unknown"
	}
	if from == "--sites" {
		return ": site states from --sites " + st.String()
	}
	var parts []string
	for i, s := range st {
		parts = append(parts, fmt.Sprintf("site %d looks %s", i+1, s))
	}
	return ": " + strings.Join(parts, ", ")
}

// correctionNote explains a correction line.
func (t *Trace) correctionNote(ev traceEvent, owner decode.Owner) []string {
	var notes []string
	if ev.decision != "" {
		notes = append(notes, ev.decision)
	}
	if ev.chassis >= 0 && ev.state != "" {
		site := ev.chassis + 1
		n := fmt.Sprintf("chassis %d is site %d (0-based chassis numbers, assumed), %s", ev.chassis, site, ev.state)
		if owner.InLayout && int(owner.SGM.Site) == site && ev.state != "ACTIVE" {
			n += fmt.Sprintf(": the owner %s sits there, so the packet is not corrected to it (MBS-3944) and is handled by whichever SGM receives it", owner.SGM)
		}
		notes = append(notes, n)
	}
	return notes
}

// describeChange says what a change of the owner's sync_mask from a to b
// tells: which site went DOWN (its members other than the owner left the
// mask), which came back STANDBY (its primaries returned), which now looks
// ACTIVE (the site with the most members).
func describeChange(l decode.Layout, a, b decode.SyncMask, sa, sb decode.SiteStates, owner decode.SGM, prim []decode.SGM, havePrim bool) []string {
	left, _ := l.Members(a &^ b)
	joined, _ := l.Members(b &^ a)
	var notes []string
	turned := 0 // a site whose turn to ACTIVE was already told
	for site := 1; site <= l.Sites; site++ {
		lft, jnd := onSite(left, site), onSite(joined, site)
		was, now := sa.Of(site), sb.Of(site)
		switch {
		case now == decode.Down && was != decode.Down && len(lft) > 0:
			if owner.Site == uint8(site) {
				notes = append(notes, fmt.Sprintf("site %d went DOWN: its members other than the owner %s left the mask (%s)", site, owner, strings.Join(report.Names(lft), ", ")))
			} else {
				notes = append(notes, fmt.Sprintf("site %d went DOWN: all its members left the mask (%s)", site, strings.Join(report.Names(lft), ", ")))
			}
			lft = nil
		case now == decode.Standby && was == decode.Active && len(lft) > 0 && len(jnd) == 0:
			notes = append(notes, fmt.Sprintf("site %d turned STANDBY: only its primaries stay in the mask (%s left)", site, strings.Join(report.Names(lft), ", ")))
			lft = nil
		case now == decode.Active && was == decode.Standby && len(jnd) > 0 && len(lft) == 0:
			notes = append(notes, fmt.Sprintf("site %d turned ACTIVE: its backup joined the mask (%s)", site, strings.Join(report.Names(jnd), ", ")))
			jnd, turned = nil, site
		case now == decode.Standby && was == decode.Down && len(jnd) > 0:
			what := "members"
			if havePrim && allIn(jnd, prim) {
				what = "primaries"
			}
			notes = append(notes, fmt.Sprintf("site %d came back STANDBY: its %s returned to the mask (%s)", site, what, strings.Join(report.Names(jnd), ", ")))
			jnd = nil
		}
		if len(jnd) > 0 {
			notes = append(notes, fmt.Sprintf("site %d gained %s", site, strings.Join(report.Names(jnd), ", ")))
		}
		if len(lft) > 0 {
			notes = append(notes, fmt.Sprintf("site %d lost %s", site, strings.Join(report.Names(lft), ", ")))
		}
	}
	if act := activeSite(sb); act > 0 && act != activeSite(sa) && act != turned {
		members, _ := l.Members(b)
		notes = append(notes, fmt.Sprintf("site %d now looks ACTIVE (most mask members: %d of %d)", act, len(onSite(members, act)), len(members)))
	}
	return notes
}

func onSite(sgms []decode.SGM, site int) []decode.SGM {
	var out []decode.SGM
	for _, s := range sgms {
		if int(s.Site) == site {
			out = append(out, s)
		}
	}
	return out
}

func allIn(a, b []decode.SGM) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

func activeSite(st decode.SiteStates) int {
	for i, s := range st {
		if s == decode.Active {
			return i + 1
		}
	}
	return 0
}

// sites are the current states, resolved by the feed as everywhere
// else; the sync_mask to infer them from, when nothing states them, is the
// connection's latest.
func (t *Trace) sites(last decode.SyncMask, haveLast bool, owner decode.Owner) report.Sites {
	var hint *report.MaskHint
	if haveLast {
		hint = &report.MaskHint{Mask: last, Owner: owner.SGM}
	}
	return t.f.Sites(hint)
}

// holderRows fills the holders and the expiry verdict.
func (t *Trace) holderRows(r *Report, last decode.SyncMask, haveLast bool, stamp func(uint32) string) {
	l := t.l
	hs := make([]*holder, 0, len(t.holders))
	for _, h := range t.holders {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b *holder) int {
		if a.sgm.IsZero() != b.sgm.IsZero() {
			if a.sgm.IsZero() {
				return 1
			}
			return -1
		}
		return cmp.Or(a.sgm.Compare(b.sgm), cmp.Compare(a.seq, b.seq))
	})
	var minH, maxH *holder
	var timeout uint32
	for _, h := range hs {
		row := Holder{Kind: holdNames[h.kind], Sources: h.sources}
		if !h.sgm.IsZero() {
			s := h.sgm.String()
			row.SGM = &s
			if id, ok := l.ID(h.sgm); ok && haveLast && last != 0 {
				in := last.Has(id)
				row.InMask = &in
			}
		}
		switch {
		case h.hasExp:
			rem, to := h.exp.Remaining, h.exp.Timeout
			age := h.exp.Age()
			row.Remaining, row.Timeout, row.RefreshedAgo = &rem, &to, &age
			row.ExpiresIn = decode.Duration(rem)
			row.ExpiresAt = stamp(rem)
			row.Meaning = fmt.Sprintf("expires in %s unless refreshed; refreshed %s ago (timeout %s)", decode.Duration(rem), decode.Duration(age), decode.Duration(to))
			if row.ExpiresAt != "" {
				row.Meaning += ", at " + row.ExpiresAt
			}
			if minH == nil || rem < minH.exp.Remaining {
				minH = h
			}
			if maxH == nil || rem > maxH.exp.Remaining {
				maxH = h
			}
			timeout = max(timeout, to)
		case h.kind == holdLink:
			row.Meaning = "link entry only: the full entry (with its expiry) is under the other direction's key"
		case h.kind == holdGconn:
			row.Meaning = "in the global connections table (gconn); no expiry there"
		default:
			row.Meaning = "full entry without remaining/timeout"
		}
		if row.InMask != nil && !*row.InMask {
			row.Meaning += "; not in the latest sync_mask: sync updates no longer reach it"
		}
		r.Holders = append(r.Holders, row)
	}
	if minH == nil {
		return
	}
	sgm := func(h *holder) *string {
		if h.sgm.IsZero() {
			return nil
		}
		s := h.sgm.String()
		return &s
	}
	R := t.opt.RiskWindow
	r.Expiry = &Expiry{
		MinSGM: sgm(minH), MinRemaining: minH.exp.Remaining, MaxSGM: sgm(maxH), MaxRemaining: maxH.exp.Remaining,
		Timeout: timeout, RefreshedAgo: timeout - min(timeout, maxH.exp.Remaining), ExpiresAt: stamp(minH.exp.Remaining),
	}
	// The at-risk rule of the owners report.
	r.Expiry.AtRisk = decode.AtRisk(minH.exp.Remaining, maxH.exp.Remaining, timeout, R)
}

func nameOr(s *string, alt string) string {
	if s == nil {
		return alt
	}
	return *s
}

// verdict tells the story in plain words.
func (t *Trace) verdict(r *Report, owner decode.Owner, ownerKnown bool, last decode.SyncMask, haveLast bool, st decode.SiteStates, havePrim bool) string {
	if !r.Found {
		return "The connection appears in none of the inputs."
	}
	var s []string
	switch {
	case !ownerKnown:
		s = append(s, "No input names the owner (no entry with value words, no gconn row).")
	case !owner.InLayout:
		s = append(s, fmt.Sprintf("The owner id %d lies outside layout %s: no SGM is named.", owner.ID, t.l))
	default:
		state := st.Of(int(owner.SGM.Site))
		switch state {
		case decode.Unknown:
			s = append(s, fmt.Sprintf("Owner %s sits on site %d, whose state is unknown (give --sites).", owner.SGM, owner.SGM.Site))
		case decode.Active:
			s = append(s, fmt.Sprintf("Owner %s sits on ACTIVE site %d: correction reaches it.", owner.SGM, owner.SGM.Site))
		default:
			s = append(s, fmt.Sprintf("Owner %s sits on %s site %d: the correction layer does not forward packets to it (MBS-3944).", owner.SGM, state, owner.SGM.Site))
		}
	}
	if len(r.Masks) > 1 {
		s = append(s, fmt.Sprintf("Its sync_mask changed %d %s: %s.", r.MaskChanges, pluralWord(r.MaskChanges, "time"), strings.Join(r.Masks, " -> ")))
	}
	if haveLast {
		if ms := t.l.MaskStates(last, owner.SGM); ms != nil {
			if act := activeSite(ms); act > 0 {
				s = append(s, fmt.Sprintf("The latest sync_mask %s says site %d is ACTIVE (%s).", last, act, ms))
			}
			switch {
			case t.ctx.Sites.Known() && !statesAgree(ms, t.ctx.Sites):
				s = append(s, fmt.Sprintf("That disagrees with --sites %s: the capture may predate the last switchover.", t.ctx.Sites))
			case !t.ctx.Sites.Known() && st != nil && !statesAgree(ms, st):
				s = append(s, fmt.Sprintf("That disagrees with the site states observed in the inputs (%s): the mask and the observation are from different moments; give --sites to settle it.", st))
			}
		}
	}
	if haveLast && !havePrim {
		s = append(s, "No asg dxl calc result for this address pair: give --dxl (or put its output among the inputs) to split each mask into active and backup sync sets.")
	}
	var notInMask []string
	for _, h := range r.Holders {
		if h.InMask != nil && !*h.InMask && h.SGM != nil {
			notInMask = append(notInMask, *h.SGM)
		}
	}
	if len(notInMask) > 0 {
		s = append(s, fmt.Sprintf("%s %s the entry but %s not in the latest sync_mask: no update reaches %s, so the entry will expire there.",
			strings.Join(notInMask, ", "), verb(len(notInMask), "holds", "hold"), verb(len(notInMask), "is", "are"), verb(len(notInMask), "it", "them")))
	}
	switch x := r.Expiry; {
	case len(r.Holders) == 0:
		s = append(s, "No table dump holds it: give every SGM's fw tab -t connections -u to see where it expires first.")
	case x == nil:
		s = append(s, "No entry shows remaining/timeout (links or gconn rows only): give fw tab -u dumps to see where it expires first.")
	case x.AtRisk:
		minS, maxS := nameOr(x.MinSGM, "an unattributed SGM"), nameOr(x.MaxSGM, "an unattributed SGM")
		when := fmt.Sprintf("expected drop %s after the dump", decode.Duration(x.MinRemaining))
		if x.ExpiresAt != "" {
			when = "expected drop at " + x.ExpiresAt
		}
		s = append(s, fmt.Sprintf("%s holds the entry with %d s left while %s refreshed it %d s ago: %s unless a REFRESH reaches %s (at risk: some SGM expires it within %d s while another refreshed it within %d s).",
			minS, x.MinRemaining, maxS, x.RefreshedAgo, when, minS, r.RiskWindow, r.RiskWindow))
		if x.ExpiresAt == "" {
			s = append(s, "Give --dump-time for the wall time.")
		}
	default:
		minS := nameOr(x.MinSGM, "an unattributed SGM")
		when := ""
		if x.ExpiresAt != "" {
			when = ", at " + x.ExpiresAt
		}
		s = append(s, fmt.Sprintf("It expires first on %s, in %d s (%s%s) of a %d s timeout; not at risk by the %d s rule.",
			minS, x.MinRemaining, decode.Duration(x.MinRemaining), when, x.Timeout, r.RiskWindow))
	}
	if r.Owner != nil && len(r.Owner.Conflicts) > 0 {
		s = append(s, fmt.Sprintf("The inputs disagree on the owner (%d other %s); the first one seen was kept.", len(r.Owner.Conflicts), pluralWord(len(r.Owner.Conflicts), "reading")))
	}
	return strings.Join(s, " ")
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// statesAgree reports whether two sets of states agree where both know.
func statesAgree(a, b decode.SiteStates) bool {
	for i := range a {
		if i < len(b) && a[i] != decode.Unknown && b[i] != decode.Unknown && a[i] != b[i] {
			return false
		}
	}
	return true
}

// Rendering.
