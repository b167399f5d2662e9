package sim

import (
	"bufio"
	"io"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
)

// KdebugStats describes what a kernel-debug run wrote. It is part of
// truth.json.
type KdebugStats struct {
	// Lines and Bytes written.
	Lines int64 `json:"lines"`
	Bytes int64 `json:"bytes"`
	// TimestampUnit of the @;N; prefix: "us".
	TimestampUnit string `json:"timestamp_unit"`
	// FirstUs and LastUs are the first and last timestamps.
	FirstUs int64 `json:"first_us"`
	LastUs  int64 `json:"last_us"`
	// MessagesByOp counts sync messages by op: SET, REFRESH, DELETE.
	MessagesByOp map[string]int64 `json:"messages_by_op"`
	// RefreshWaves lists the REFRESH waves (only waves with messages).
	RefreshWaves []WaveStats `json:"refresh_waves"`
	// CorrectionLines counts "chassis N is <STATE> in VS0, will not
	// correct" lines.
	CorrectionLines int64 `json:"correction_lines"`
	// OtherLines counts the remaining (background) lines:
	// "fwha_ccl_inbound: no need to correct".
	OtherLines int64 `json:"other_lines"`
	// MaxRefreshPerSecond is the most REFRESH messages in one second of
	// the capture (seconds [n, n+1) of the @;N; clock): a wave's size in a
	// switchover, a small steady number in a quiet capture.
	MaxRefreshPerSecond int64 `json:"max_refresh_per_second"`

	// The counts below are for tests that cut the capture down (filter);
	// they are not part of truth.json.
	//
	// OwnerLines counts the sync lines that carry vals (SET and REFRESH,
	// the owner's and the others': every one carries the connection's
	// value word 13), by the owner's CCL id and op. DELETE lines carry no
	// vals, hence no owner.
	OwnerLines map[int]map[string]int64 `json:"-"`
	// OwnerSeconds counts the same lines by owner and second of the
	// capture's clock ([n, n+1) s): [0] all of them, [1] the REFRESHes.
	OwnerSeconds map[int]map[int64][2]int64 `json:"-"`
	// LineSeconds counts every line of the capture by second.
	LineSeconds map[int64]int64 `json:"-"`
	// ConnLines counts, per event index (Conns, then Gone), the lines
	// that name the connection, in either direction: its sync lines and
	// its correction-layer lines.
	ConnLines []int64 `json:"-"`

	// named has, per event index (Conns, then Gone), bit 0 set when a
	// sync message (SET, REFRESH, DELETE) names the connection and bit 1
	// when one of them is a DELETE.
	named []uint8
}

// WaveStats is one REFRESH wave: every accelerated connection that existed
// at T0 is refreshed by each of its primaries on the new ACTIVE site,
// spread evenly over SpreadS seconds from StartS (kdebug clock).
type WaveStats struct {
	StartS   int64   `json:"start_s"`
	SpreadS  float64 `json:"spread_s"`
	Messages int64   `json:"messages"`
}

// WaveSpreadUs is how long a REFRESH wave lasts, in µs.
const WaveSpreadUs = 1_000_000

type evKind uint8

const (
	evSetPre      evKind = iota // owner SET with the pre-switchover mask
	evSetNonOwner               // non-owner SET, sync_mask=[00000000]
	evSetNew                    // owner SET with the current mask
	evDelete                    // owner DELETE of the members leaving the mask
	evRefresh                   // REFRESH by sender
	evCorrection                // "will not correct" line
	evInbound                   // "no need to correct" line
	evClose                     // owner DELETE of a connection that closed, full mask
)

type event struct {
	t      int64
	conn   uint32
	kind   evKind
	sender uint8
	rev    bool // packet/key in the s2c orientation
}

// miscEvents builds every kdebug event except the T0-aligned REFRESH waves,
// sorted by time.
func (s *Scenario) miscEvents() []event {
	rng := rand.New(rand.NewPCG(s.Seed, rngStream+1))
	t0 := int64(s.SwitchoverAt) * 1e6
	ri := int64(s.RefreshInterval) * 1e6
	var ev []event
	for i := range s.Conns {
		c := &s.Conns[i]
		known := c.Flags&FlagUnknownOwner == 0
		if c.Flags&FlagBefore != 0 {
			if known && rng.IntN(2) == 0 {
				ev = append(ev, event{t: 5e5 + rng.Int64N(t0-1e6), conn: uint32(i), kind: evSetPre, sender: c.Owner})
			}
			if others := c.MaskBefore &^ (1 << c.Owner); others != 0 && rng.IntN(5) == 0 {
				snd := nthBit(others, rng.IntN(bits.OnesCount32(others)))
				ev = append(ev, event{t: 5e5 + rng.Int64N(t0-1e6), conn: uint32(i), kind: evSetNonOwner,
					sender: uint8(snd), rev: snd == SGMID(1, int(c.Dist[0].S2CPrimary))})
			}
			if known {
				t := t0 + rng.Int64N(2e5)
				ev = append(ev, event{t: t, conn: uint32(i), kind: evSetNew, sender: c.Owner})
				if c.MaskBefore&^c.Mask&^(1<<c.Owner) != 0 {
					ev = append(ev, event{t: t + 1 + rng.Int64N(50), conn: uint32(i), kind: evDelete, sender: c.Owner})
				}
				if c.Proto == ProtoTCP && rng.IntN(20) == 0 {
					t := t0 + 1e6 + rng.Int64N(s.EndUs-t0-2e6)
					rev := rng.IntN(2) == 0
					ev = append(ev, event{t: t, conn: uint32(i), kind: evCorrection, rev: rev},
						event{t: t + 3, conn: uint32(i), kind: evInbound, rev: rev})
				}
			}
			continue
		}
		// Created after the switchover, owner on site 2.
		ev = append(ev, event{t: c.CreatedUs, conn: uint32(i), kind: evSetNew, sender: c.Owner})
		d := c.Dist[1]
		if rng.IntN(2) == 0 {
			snd := SGMID(2, int(d.S2CPrimary))
			if snd == int(c.Owner) {
				snd = SGMID(2, int(d.C2SPrimary))
			}
			if snd != int(c.Owner) {
				ev = append(ev, event{t: c.CreatedUs + 100 + rng.Int64N(1900), conn: uint32(i), kind: evSetNonOwner,
					sender: uint8(snd), rev: snd == SGMID(2, int(d.S2CPrimary))})
			}
		}
		if c.Flags&FlagAccelerated != 0 {
			for _, p := range s.refreshers(c) {
				jit := rng.Int64N(5e5)
				for t := c.CreatedUs + ri + jit; t < s.EndUs; t += ri {
					ev = append(ev, event{t: t, conn: uint32(i), kind: evRefresh, sender: uint8(p),
						rev: p != SGMID(2, int(d.C2SPrimary))})
				}
			}
		}
	}
	for t := int64(5e5); t < s.EndUs; t += 15e5 + rng.Int64N(1e6) {
		ev = append(ev, event{t: t, conn: uint32(rng.IntN(len(s.Conns))), kind: evInbound, rev: rng.IntN(2) == 0})
	}
	ev = s.goneEvents(ev)
	sortEvents(ev)
	return ev
}

func sortEvents(ev []event) {
	slices.SortStableFunc(ev, func(a, b event) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
}

// goneEvents appends the SETs and DELETEs of the capture-only connections
// (their REFRESHes, quiet only, come from the REFRESH slots): the owner's
// SET when it opens, maybe a non-owner SET from the other primary of the
// site that was ACTIVE then, and the owner's DELETE, to its whole
// sync_mask, when it closes.
func (s *Scenario) goneEvents(ev []event) []event {
	for j := range s.Gone {
		c := &s.Gone[j]
		i := uint32(len(s.Conns) + j)
		ev = append(ev, event{t: c.CreatedUs, conn: i, kind: evSetNew, sender: c.Owner})
		site := SiteOf(int(c.Owner))
		d := c.Dist[site-1]
		if ok, delta := s.nonOwnerSet(j); ok {
			snd := SGMID(site, int(d.S2CPrimary))
			if snd == int(c.Owner) {
				snd = SGMID(site, int(d.C2SPrimary))
			}
			if snd != int(c.Owner) {
				ev = append(ev, event{t: c.CreatedUs + delta, conn: i, kind: evSetNonOwner,
					sender: uint8(snd), rev: snd == SGMID(site, int(d.S2CPrimary))})
			}
		}
		if c.Flags&FlagDeleted != 0 {
			ev = append(ev, event{t: c.GoneUs, conn: i, kind: evClose, sender: c.Owner})
		}
	}
	return ev
}

// quietEvents builds every event of a quiet capture except the REFRESHes,
// sorted by time: the SETs of the connections opened during the capture,
// the capture-only connections' SETs and DELETEs, and low-rate background
// lines about connections that predate the capture.
func (s *Scenario) quietEvents() []event {
	rng := rand.New(rand.NewPCG(s.Seed, rngStream+1))
	var ev, old []event
	a := s.active
	for i := range s.Conns {
		c := &s.Conns[i]
		if c.CreatedUs < 0 {
			old = append(old, event{conn: uint32(i)})
			continue
		}
		ev = append(ev, event{t: c.CreatedUs, conn: uint32(i), kind: evSetNew, sender: c.Owner})
		d := c.Dist[a-1]
		if rng.IntN(2) == 0 {
			snd := SGMID(a, int(d.S2CPrimary))
			if snd == int(c.Owner) {
				snd = SGMID(a, int(d.C2SPrimary))
			}
			if snd != int(c.Owner) {
				ev = append(ev, event{t: c.CreatedUs + 100 + rng.Int64N(1900), conn: uint32(i), kind: evSetNonOwner,
					sender: uint8(snd), rev: snd == SGMID(a, int(d.S2CPrimary))})
			}
		}
	}
	if len(old) > 0 {
		for t := int64(5e5); t < s.EndUs; t += 15e5 + rng.Int64N(1e6) {
			ev = append(ev, event{t: t, conn: old[rng.IntN(len(old))].conn, kind: evInbound, rev: rng.IntN(2) == 0})
		}
	}
	ev = s.goneEvents(ev)
	sortEvents(ev)
	return ev
}

// refreshers are the SGMs that send REFRESH for an accelerated connection
// after the switchover: its primaries (c2s, then s2c if different) on the
// ACTIVE site (2 after a switchover, 1 in a quiet capture). Backups hold
// no SecureXL entry and do not refresh.
func (s *Scenario) refreshers(c *Conn) []int {
	d := c.Dist[s.active-1]
	a, b := SGMID(s.active, int(d.C2SPrimary)), SGMID(s.active, int(d.S2CPrimary))
	if a == b {
		return []int{a}
	}
	return []int{a, b}
}

// kdWriter renders kdebug lines and keeps statistics.
type kdWriter struct {
	s     *Scenario
	bw    *bufio.Writer
	buf   []byte
	st    KdebugStats
	limit int64
	state string // upper-case state of site 1 after the switchover
	err   error
	sec   int64 // the second of the last REFRESH, and how many it holds
	inSec int64
}

// full reports whether the size limit is reached.
func (k *kdWriter) full() bool { return k.err != nil || (k.limit > 0 && k.st.Bytes >= k.limit) }

func (k *kdWriter) prefix(t int64, inst uint8, kern bool) {
	k.buf = append(k.buf[:0], "@;"...)
	k.buf = appendDec(k.buf, int(t))
	if kern {
		k.buf = append(k.buf, ";[kern];[tid_"...)
		k.buf = appendDec(k.buf, 40+int(inst))
	} else {
		k.buf = append(k.buf, ";[vs_0];[tid_"...)
		k.buf = appendDec(k.buf, int(inst))
	}
	k.buf = append(k.buf, "];[fw4_"...)
	k.buf = appendDec(k.buf, int(inst))
	k.buf = append(k.buf, "];"...)
}

func (k *kdWriter) flushLine(t int64) {
	if k.st.Lines == 0 {
		k.st.FirstUs = t
	}
	k.st.LastUs = t
	k.st.LineSeconds[t/1e6]++
	k.st.Lines++
	k.st.Bytes += int64(len(k.buf))
	if _, err := k.bw.Write(k.buf); err != nil {
		k.err = err
	}
}

// sync writes a SET/REFRESH/DELETE line.
func (k *kdWriter) sync(t int64, op string, i int, rev bool, mask uint32, maskForm int) {
	s := k.s
	c := s.conn(i)
	k.prefix(t, c.Inst, false)
	b := k.buf
	b = append(b, op...)
	b = append(b, ": connections (8158) keys(6)=<0,"...)
	src, sp, dst, dp := c.Src, c.SPort, c.Dst, c.DPort
	if rev {
		src, sp, dst, dp = dst, dp, src, sp
	}
	b = appendHex(b, src)
	b = append(b, ',')
	b = appendHex(b, uint32(sp))
	b = append(b, ',')
	b = appendHex(b, dst)
	b = append(b, ',')
	b = appendHex(b, uint32(dp))
	b = append(b, ',')
	b = appendHex(b, uint32(c.Proto))
	b = append(b, '>')
	if op != "DELETE" {
		b = append(b, " vals(34)="...)
		vals := s.vals(c)
		for n, w := range vals {
			if n == 0 {
				b = append(b, '<')
			} else {
				b = append(b, ',')
			}
			b = appendHex(b, w)
		}
		b = append(b, '>')
	}
	switch maskForm {
	case 0: // owner
		b = append(b, " sync_mask=[0x"...)
		b = appendHex8(b, mask)
	case 1: // non-owner
		b = append(b, " sync_mask=[00000000"...)
	default: // DELETE spacing variant
		b = append(b, " sync_mask=[ 0x"...)
		b = appendHex8(b, mask)
	}
	b = append(b, ']')
	owner := maskForm != 1
	if op != "DELETE" {
		to := s.TimeoutOf(c)
		h := mix(uint64(t) ^ uint64(i)<<20)
		b = append(b, " refresh time="...)
		b = appendDec(b, to+int(h%18))
		b = append(b, " aggressive time="...)
		if c.Proto == ProtoTCP {
			b = appendDec(b, 500+int(h>>8%30))
		} else {
			b = appendDec(b, to/2)
		}
	}
	if owner {
		b = append(b, " ttl=0 sync time=1 kmask=0 op_code=0 no n6addrs;\n"...)
	} else {
		b = append(b, " ttl=0 sync time=2 kmask=0 op_code=40 no n6addrs;\n"...)
	}
	k.buf = b
	k.st.MessagesByOp[op]++
	k.st.ConnLines[i]++
	if op != "DELETE" {
		o := int(c.Owner)
		if k.st.OwnerLines[o] == nil {
			k.st.OwnerLines[o], k.st.OwnerSeconds[o] = map[string]int64{}, map[int64][2]int64{}
		}
		k.st.OwnerLines[o][op]++
		n := k.st.OwnerSeconds[o][t/1e6]
		n[0]++
		if op == "REFRESH" {
			n[1]++
		}
		k.st.OwnerSeconds[o][t/1e6] = n
	}
	k.st.named[i] |= 1
	switch op {
	case "DELETE":
		k.st.named[i] |= 2
	case "REFRESH":
		if sec := t / 1e6; sec != k.sec || k.inSec == 0 {
			k.sec, k.inSec = sec, 0
		}
		k.inSec++
		k.st.MaxRefreshPerSecond = max(k.st.MaxRefreshPerSecond, k.inSec)
	}
	k.flushLine(t)
}

// packet writes a correction-layer line about a packet of conn i.
func (k *kdWriter) packet(t int64, i int, rev bool, correction bool) {
	c := &k.s.Conns[i]
	k.st.ConnLines[i]++
	k.prefix(t, c.Inst, true)
	b := k.buf
	if correction {
		b = append(b, "fwha_ccl_is_stateful_corr_needed: <"...)
	} else {
		b = append(b, "fwha_ccl_inbound: no need to correct <"...)
	}
	src, sp, dst, dp := c.Src, c.SPort, c.Dst, c.DPort
	if rev {
		src, sp, dst, dp = dst, dp, src, sp
	}
	b = appendIP(b, src)
	b = append(b, '(')
	b = appendDec(b, int(sp))
	b = append(b, ") -> "...)
	b = appendIP(b, dst)
	b = append(b, '(')
	b = appendDec(b, int(dp))
	b = append(b, ") IPP"...)
	b = appendDec(b, int(c.Proto))
	b = append(b, '>')
	if correction {
		b = append(b, ": chassis 0 is "...)
		b = append(b, k.state...)
		b = append(b, " in VS0, will not correct;\n"...)
		k.st.CorrectionLines++
	} else {
		b = append(b, '\n')
		k.st.OtherLines++
	}
	k.buf = b
	k.flushLine(t)
}

func (k *kdWriter) event(e *event) {
	s := k.s
	i := int(e.conn)
	c := s.conn(i)
	switch e.kind {
	case evSetPre:
		k.sync(e.t, "SET", i, false, c.MaskBefore, 0)
	case evSetNew:
		k.sync(e.t, "SET", i, false, c.Mask, 0)
	case evSetNonOwner:
		k.sync(e.t, "SET", i, e.rev, 0, 1)
	case evDelete:
		k.sync(e.t, "DELETE", i, false, c.MaskBefore&^c.Mask&^(1<<c.Owner), 2)
	case evRefresh:
		k.refresh(e.t, i, e.sender, e.rev)
	case evCorrection:
		k.packet(e.t, i, e.rev, true)
	case evInbound:
		k.packet(e.t, i, e.rev, false)
	case evClose:
		k.sync(e.t, "DELETE", i, false, c.Mask, 2)
	}
}

func (k *kdWriter) refresh(t int64, i int, sender uint8, rev bool) {
	c := k.s.conn(i)
	if sender == c.Owner {
		k.sync(t, "REFRESH", i, false, c.Mask, 0)
	} else {
		k.sync(t, "REFRESH", i, rev, 0, 1)
	}
}

// waveCursor walks the REFRESH waves: for wave w, every accelerated
// connection that existed at T0, each of its refreshers, in order.
type waveCursor struct {
	s     *Scenario
	total int64 // messages per wave
	wave  int
	j     int64 // message index within the wave
	i     int   // connection index
	r     int   // refresher index within the connection
}

func (s *Scenario) waveMember(c *Conn) bool {
	return c.Flags&FlagBefore != 0 && c.Flags&FlagAccelerated != 0
}

func newWaveCursor(s *Scenario) *waveCursor {
	wc := &waveCursor{s: s}
	for i := range s.Conns {
		if c := &s.Conns[i]; s.waveMember(c) {
			wc.total += int64(len(s.refreshers(c)))
		}
	}
	wc.seek()
	return wc
}

// seek moves (i, r) to the next message at or after the current position.
func (wc *waveCursor) seek() {
	for wc.i < len(wc.s.Conns) {
		c := &wc.s.Conns[wc.i]
		if wc.s.waveMember(c) && wc.r < len(wc.s.refreshers(c)) {
			return
		}
		wc.i++
		wc.r = 0
	}
}

func (wc *waveCursor) time() int64 {
	s := wc.s
	start := int64(s.SwitchoverAt+wc.wave*s.RefreshInterval) * 1e6
	return start + wc.j*WaveSpreadUs/wc.total
}

func (wc *waveCursor) advance() {
	wc.j++
	wc.r++
	wc.seek()
	if wc.i == len(wc.s.Conns) {
		wc.wave++
		wc.j, wc.i, wc.r = 0, 0, 0
		wc.seek()
	}
}

// WriteKdebug writes the kernel-debug capture of the switchover:
// background SETs with the old masks before T0, the owners' SETs with the
// new masks (and DELETEs for members leaving the mask) at T0, REFRESH waves
// at T0 + k*RefreshInterval, SETs and REFRESHes of connections created after
// T0, correction lines ("chassis 0 is STANDBY in VS0, will not correct") for
// packets of site-1-owned connections after T0, and low-rate background
// lines. Timestamps are µs. The statistics are kept for [Scenario.Truth].
//
// A quiet scenario's capture holds instead the SETs of the connections
// opened during it, the REFRESHes of every accelerated connection spread
// evenly over each refresh interval (see [Scenario.Quiet]) and background
// lines; the capture-only connections' SETs and DELETEs are in both. With
// KdebugBytes past the natural size, a quiet capture goes on with further
// refresh intervals of the connections alive at its end.
func (s *Scenario) WriteKdebug(w io.Writer) error {
	k := &kdWriter{s: s, bw: bufio.NewWriterSize(w, 1<<16), limit: s.KdebugBytes,
		state: strings.ToUpper(s.After), buf: make([]byte, 0, 1024)}
	k.st.TimestampUnit = "us"
	k.st.MessagesByOp = map[string]int64{}
	k.st.named = make([]uint8, len(s.Conns)+len(s.Gone))
	k.st.ConnLines = make([]int64, len(s.Conns)+len(s.Gone))
	k.st.OwnerLines, k.st.OwnerSeconds = map[int]map[string]int64{}, map[int]map[int64][2]int64{}
	k.st.LineSeconds = map[int64]int64{}
	k.st.RefreshWaves = []WaveStats{}
	if s.Quiet() {
		s.writeQuiet(k)
	} else {
		s.writeSwitchover(k)
	}
	if k.err != nil {
		return k.err
	}
	if err := k.bw.Flush(); err != nil {
		return err
	}
	st := k.st
	s.kstats = &st
	return nil
}

// writeSwitchover renders the switchover capture into k.
func (s *Scenario) writeSwitchover(k *kdWriter) {
	misc := s.miscEvents()
	wc := newWaveCursor(s)
	waveMsgs := map[int]int64{}
	for !k.full() {
		haveWave := wc.total > 0 && (wc.wave < s.Waves || (s.KdebugBytes > 0 && len(misc) == 0))
		if len(misc) == 0 && !haveWave {
			break
		}
		if len(misc) > 0 && (!haveWave || misc[0].t <= wc.time()) {
			k.event(&misc[0])
			misc = misc[1:]
			continue
		}
		c := &s.Conns[wc.i]
		p := s.refreshers(c)[wc.r]
		k.refresh(wc.time(), wc.i, uint8(p), p != SGMID(2, int(c.Dist[1].C2SPrimary)))
		waveMsgs[wc.wave]++
		wc.advance()
	}
	for w := 0; ; w++ {
		n, ok := waveMsgs[w]
		if !ok {
			break
		}
		k.st.RefreshWaves = append(k.st.RefreshWaves, WaveStats{
			StartS: int64(s.SwitchoverAt + w*s.RefreshInterval), SpreadS: WaveSpreadUs / 1e6, Messages: n})
	}
}

// writeQuiet renders the quiet capture into k: the events of quietEvents
// merged with the REFRESH slots, interval after interval.
func (s *Scenario) writeQuiet(k *kdWriter) {
	misc := s.quietEvents()
	ri := int64(s.RefreshInterval) * 1e6
	// Past the natural end only a bigger KdebugBytes goes on, and only
	// with a live connection that keeps refreshing.
	endless := false
	if s.KdebugBytes > 0 {
		for _, e := range s.cycle {
			if int(e.conn) < len(s.Conns) {
				endless = true
				break
			}
		}
	}
	var cyc int64 // interval number
	j := 0        // entry within it
	// next moves (cyc, j) to the next REFRESH to write and returns its time,
	// or false when there is none before the end.
	next := func() (int64, bool) {
		for len(s.cycle) > 0 {
			if j == len(s.cycle) {
				cyc, j = cyc+1, 0
			}
			e := &s.cycle[j]
			t := cyc*ri + e.off
			if t >= s.EndUs && !endless {
				return 0, false
			}
			c := s.conn(int(e.conn))
			if t > c.CreatedUs+ri/2 && (c.Flags&FlagCaptureOnly == 0 || t < c.GoneUs) {
				return t, true
			}
			j++
		}
		return 0, false
	}
	for !k.full() {
		rt, ok := next()
		if len(misc) == 0 && !ok {
			break
		}
		if len(misc) > 0 && (!ok || misc[0].t <= rt) {
			k.event(&misc[0])
			misc = misc[1:]
			continue
		}
		e := &s.cycle[j]
		k.refresh(rt, int(e.conn), e.sender, e.rev)
		j++
	}
}

// KdebugStats returns the statistics of the kernel debug, generating it
// into io.Discard if it was not written yet.
func (s *Scenario) KdebugStats() (KdebugStats, error) {
	if s.kstats == nil {
		if err := s.WriteKdebug(io.Discard); err != nil {
			return KdebugStats{}, err
		}
	}
	return *s.kstats, nil
}
