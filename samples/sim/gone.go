package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// Capture-only connections (Config.CaptureOnly) and the timeline of the
// quiet scenario.
//
// Why these connections exist, and why no dump holds them: the dumps are a
// snapshot of the connections table at DumpTime, while the capture records
// every sync message over its whole length. A TCP connection opened and
// closed during the capture is gone from every table by then; its owner's
// DELETE is in the capture. A UDP flow that went idle is removed by each
// SGM's own aging when its idle timeout runs out, which sends no sync
// message, so the capture shows its SET and nothing after. Every
// connection still alive at DumpTime is held at least by the primaries of
// the ACTIVE site, whose dumps are always taken (and are in the bundle), so
// no live connection is capture-only: a "live but not dumped" connection
// would need an SGM whose dump is missing to be its only holder, which the
// sync_mask rule never allows.

// goneAged is how many of n capture-only connections age out instead of
// being closed: one in five, at least one when there are two or more.
func goneAged(n int) int {
	a := n / 5
	if a == 0 && n >= 2 {
		a = 1
	}
	return a
}

// nonOwnerSet decides, without drawing from a generator, whether the
// capture-only connection j also shows a non-owner SET (its s2c primary
// saw the first reply), and how many µs after the owner's.
func (s *Scenario) nonOwnerSet(j int) (bool, int64) {
	h := mix(s.Seed ^ uint64(j)<<24 ^ 0x6f6e6c79)
	return h&1 == 0, 100 + int64(h>>8%1900)
}

// genGone builds the capture-only connections' addresses, distribution,
// owner member and lifetime; the times and the owner's site are set by
// placeGone (switchover) or quietTimes (quiet).
func (s *Scenario) genGone(rng *rand.Rand) error {
	g := s.CaptureOnly
	if g == 0 {
		return nil
	}
	seen := make(map[tupleKey]struct{}, len(s.Conns)+g)
	for i := range s.Conns {
		c := &s.Conns[i]
		seen[tupleKey{c.Src, c.Dst, c.SPort, c.DPort, c.Proto}] = struct{}{}
	}
	aged := make([]bool, g)
	for _, k := range rng.Perm(g)[:goneAged(g)] {
		aged[k] = true
	}
	ri := int64(s.RefreshInterval) * 1e6
	s.Gone = make([]Conn, g)
	for j := range s.Gone {
		c := &s.Gone[j]
		c.Flags = FlagCaptureOnly
		c.Proto = ProtoTCP
		if aged[j] {
			c.Proto = ProtoUDP
		} else {
			c.Flags |= FlagDeleted
		}
		pickTuple(rng, c, func() uint32 { return s.Conns[rng.IntN(len(s.Conns))].Dst }, seen) // the same servers
		s.distribute(c)
		if rng.Float64()*100 < s.AcceleratedPct {
			c.Flags |= FlagAccelerated
		}
		// The owner's member number for now; placement adds the site.
		c.Owner = pickOwnerMember(rng, c.Dist[0].C2SPrimary, c.Dist[0].S2CPrimary, s.SGMsPerSite)
		c.Inst = uint8(rng.IntN(8))
		c.Rule = uint8(1 + rng.IntN(40))
		c.Ifn = [4]uint8{uint8(1 + rng.IntN(0x60)), 0xff, 0xff, 0xff}
		c.ID1, c.ID2, c.V18 = rng.Uint32(), rng.Uint32(), rng.Uint32()
		c.V19 = 0x7f00 | uint16(rng.IntN(256))
		// The lifetime (first to last packet) for now, in GoneUs.
		switch r := rng.Float64(); {
		case aged[j]:
			c.GoneUs = rng.Int64N(5e6)
		case !s.Quiet():
			// Shorter than a refresh interval: no REFRESH, so the waves
			// stay exactly the connections older than T0.
			c.GoneUs = 1e6 + rng.Int64N(max(1, min(120e6, ri-1e6)-1e6))
		case r < 0.7:
			c.GoneUs = 1e6 + rng.Int64N(119e6)
		case r < 0.95:
			c.GoneUs = 120e6 + rng.Int64N(1680e6)
		default:
			c.GoneUs = 1800e6 + rng.Int64N(5400e6)
		}
	}
	if !s.Quiet() {
		return s.placeGone(rng)
	}
	return nil
}

// placeGone sets the times of the capture-only connections of a
// switchover: each lives wholly before T0 (owner on site 1, the old masks;
// an aged-out one has also expired before T0, else T0 would have sent it a
// new mask) or wholly after it (owner on site 2), and none of its messages
// falls within 3 s before T0 (the DOWN SGM of the bundle panics 2 s
// before it) or within a second of a REFRESH wave.
func (s *Scenario) placeGone(rng *rand.Rand) error {
	t0 := int64(s.SwitchoverAt) * 1e6
	ri := int64(s.RefreshInterval) * 1e6
	free := func(t int64) bool {
		if t < 5e5 || t >= s.EndUs-5e5 || (t >= t0-3e6 && t < t0+2e6) {
			return false
		}
		for w := range s.Waves {
			if st := t0 + int64(w)*ri; t >= st-1e6 && t < st+2e6 {
				return false
			}
		}
		return true
	}
	for j := range s.Gone {
		c := &s.Gone[j]
		life := c.GoneUs
		deleted := c.Flags&FlagDeleted != 0
		expiry := int64(0)
		if !deleted {
			expiry = int64(s.UDPTimeout) * 1e6
		}
		nonOwner, delta := s.nonOwnerSet(j)
		placed := false
		for try := 0; try < 2000 && !placed; try++ {
			if try > 0 && try%200 == 0 {
				life /= 2 // a shorter life fits more places
			}
			start := 5e5 + rng.Int64N(s.EndUs-1e6)
			end := start + life
			before, after := end+expiry < t0-3e6, start >= t0+2e6
			switch {
			case !before && !after, end+expiry >= s.EndUs-5e5, !free(start),
				nonOwner && !free(start+delta), deleted && !free(end):
				continue
			}
			placed = true
			site, states := 2, s.StatesAfter
			if before {
				site, states = 1, s.StatesBefore
				c.Flags |= FlagBefore
			}
			c.Owner = uint8(SGMID(site, int(c.Owner)))
			c.Mask = SyncMask(int(c.Owner), c.Dist, states)
			c.CreatedUs, c.GoneUs = start, end
			c.Created = uint32(s.StartWall + start/1e6)
		}
		if !placed {
			return cfgErr("the capture is too short to place %d capture-only connections clear of T0 and the waves (%d UDP ones must age out within it, udp timeout %d s)",
				len(s.Gone), goneAged(len(s.Gone)), s.UDPTimeout)
		}
	}
	return nil
}

// cycleEntry is one REFRESH of a quiet capture's refresh interval: the
// connection (event index) and the sender refresh it at Off µs after the
// start of every interval, while the connection is alive and at least
// half an interval old.
type cycleEntry struct {
	off    int64
	conn   uint32
	sender uint8
	rev    bool
}

// quietTimes sets the creation (and, for capture-only connections, end)
// times of a quiet scenario and its REFRESH slots.
//
// The REFRESHes are spread evenly: every accelerated connection that can
// REFRESH during the capture gets one slot of RefreshInterval/n (n such
// connections, in a random order); its c2s primary refreshes at the slot's
// start (plus a jitter within the first quarter of the slot) and its s2c
// primary, when it is another SGM, half a slot later (at most 0.5 s). So
// no second holds more than 2*(ceil(n/RefreshInterval)+1) REFRESHes,
// about 1.75 times the mean with 4 SGMs per site. A connection created
// during the capture is created just before one of its slots, so it first
// REFRESHes one interval after its first packet, as SecureXL does.
func (s *Scenario) quietTimes(rng *rand.Rand) {
	ri := int64(s.RefreshInterval) * 1e6
	var slotted []int // event indexes
	for i := range s.Conns {
		if s.Conns[i].Flags&FlagAccelerated != 0 {
			slotted = append(slotted, i)
		}
	}
	for j := range s.Gone {
		if c := &s.Gone[j]; c.Flags&FlagAccelerated != 0 && c.GoneUs > ri {
			slotted = append(slotted, len(s.Conns)+j)
		}
	}
	n := int64(len(slotted))
	phase := make(map[int]int64, len(slotted))
	if n > 0 {
		w := ri / n
		d := min(w/2, 5e5)
		for k, p := range rng.Perm(len(slotted)) {
			i := slotted[p]
			off := int64(k)*ri/n + rng.Int64N(max(1, w/4))
			phase[i] = off
			c := s.conn(i)
			for r, snd := range s.refreshers(c) {
				e := cycleEntry{off: off, conn: uint32(i), sender: uint8(snd)}
				if r == 1 {
					e.off, e.rev = (off+d)%ri, true
				}
				s.cycle = append(s.cycle, e)
			}
		}
		slices.SortFunc(s.cycle, func(a, b cycleEntry) int {
			return cmp.Or(cmp.Compare(a.off, b.off), cmp.Compare(a.conn, b.conn), cmp.Compare(a.sender, b.sender))
		})
	}
	// place picks a start in [lo, hi] µs, just before one of the
	// connection's slots when it has one.
	place := func(i int, lo, hi int64) int64 {
		if hi < lo {
			hi = lo
		}
		if ph, ok := phase[i]; ok {
			delta := rng.Int64N(max(1, min(5e5, ri/4)))
			mlo := ceilDiv(lo+delta-ph, ri)
			mhi := floorDiv(hi+delta-ph, ri)
			if mlo <= mhi {
				return ph + (mlo+rng.Int64N(mhi-mlo+1))*ri - delta
			}
		}
		return lo + rng.Int64N(hi-lo+1)
	}
	for i := range s.Conns {
		c := &s.Conns[i]
		switch {
		case c.Flags&FlagSeed != 0:
		case s.pre[i]:
			c.Created = uint32(s.StartWall - int64(60+rng.IntN(6*3600)))
		default:
			c.CreatedUs = place(i, 1e6, s.EndUs-1e6)
			c.Created = uint32(s.StartWall + c.CreatedUs/1e6)
			continue
		}
		c.CreatedUs = (int64(c.Created) - s.StartWall) * 1e6
	}
	for j := range s.Gone {
		c := &s.Gone[j]
		life := c.GoneUs
		hi := s.EndUs - 1e6 - life
		if c.Flags&FlagDeleted == 0 {
			hi -= int64(s.UDPTimeout)*1e6 + 1e6 // aged out before the dumps
		}
		if hi < 1e6 { // a TCP life longer than the capture: half of it
			life = (s.EndUs - 2e6) / 2
			hi = s.EndUs - 1e6 - life
		}
		start := place(len(s.Conns)+j, 1e6, hi)
		c.Owner = uint8(SGMID(s.active, int(c.Owner)))
		c.Mask = SyncMask(int(c.Owner), c.Dist, s.StatesAfter)
		c.CreatedUs, c.GoneUs = start, start+life
		c.Created = uint32(s.StartWall + start/1e6)
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }
