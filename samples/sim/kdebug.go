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
	slices.SortStableFunc(ev, func(a, b event) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	return ev
}

// refreshers are the SGMs that send REFRESH for an accelerated connection
// after the switchover: its primaries (c2s, then s2c if different) on the
// ACTIVE site 2. Backups hold no SecureXL entry and do not refresh.
func (s *Scenario) refreshers(c *Conn) []int {
	a, b := SGMID(2, int(c.Dist[1].C2SPrimary)), SGMID(2, int(c.Dist[1].S2CPrimary))
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
	k.st.Lines++
	k.st.Bytes += int64(len(k.buf))
	if _, err := k.bw.Write(k.buf); err != nil {
		k.err = err
	}
}

// sync writes a SET/REFRESH/DELETE line.
func (k *kdWriter) sync(t int64, op string, i int, rev bool, mask uint32, maskForm int) {
	s := k.s
	c := &s.Conns[i]
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
		vals := s.Vals(i)
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
	k.flushLine(t)
}

// packet writes a correction-layer line about a packet of conn i.
func (k *kdWriter) packet(t int64, i int, rev bool, correction bool) {
	c := &k.s.Conns[i]
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
	c := &s.Conns[i]
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
	}
}

func (k *kdWriter) refresh(t int64, i int, sender uint8, rev bool) {
	c := &k.s.Conns[i]
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
func (s *Scenario) WriteKdebug(w io.Writer) error {
	misc := s.miscEvents()
	k := &kdWriter{s: s, bw: bufio.NewWriterSize(w, 1<<16), limit: s.KdebugBytes,
		state: strings.ToUpper(s.After), buf: make([]byte, 0, 1024)}
	k.st.TimestampUnit = "us"
	k.st.MessagesByOp = map[string]int64{}
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
	if k.err != nil {
		return k.err
	}
	if err := k.bw.Flush(); err != nil {
		return err
	}
	k.st.RefreshWaves = []WaveStats{}
	for w := 0; ; w++ {
		n, ok := waveMsgs[w]
		if !ok {
			break
		}
		k.st.RefreshWaves = append(k.st.RefreshWaves, WaveStats{
			StartS: int64(s.SwitchoverAt + w*s.RefreshInterval), SpreadS: WaveSpreadUs / 1e6, Messages: n})
	}
	st := k.st
	s.kstats = &st
	return nil
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
