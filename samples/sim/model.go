package sim

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Conn flags.
const (
	// FlagBefore: created before the switchover (owner on site 1).
	FlagBefore uint8 = 1 << iota
	// FlagAccelerated: accelerated by SecureXL, REFRESHed in waves.
	FlagAccelerated
	// FlagAtRisk: designated at risk (see Config.RiskWindow).
	FlagAtRisk
	// FlagUnknownOwner: the CCL id is outside the 2x14 layout.
	FlagUnknownOwner
	// FlagSeed: the seed article's connection.
	FlagSeed
	// FlagCaptureOnly: a connection of Scenario.Gone, named by the kernel
	// debug only, held by no dump.
	FlagCaptureOnly
	// FlagDeleted: a capture-only connection closed during the capture; its
	// owner sends a DELETE at GoneUs. Without it the connection aged out.
	FlagDeleted
)

// Protocol numbers.
const (
	ProtoTCP = 6
	ProtoUDP = 17
)

// Conn is one simulated connection, kept compact so millions fit in memory.
// Src/SPort is the client (initiator) side, Dst/DPort the server side.
type Conn struct {
	Src, Dst     uint32 // IPv4 addresses, as numbers (172.16.61.2 = 0xac103d02)
	SPort, DPort uint16
	Proto        uint8
	Owner        uint8 // CCL id of the owner, 0..63; >= 28 names no SGM
	Flags        uint8
	Inst         uint8    // firewall instance (fw4_N) that handles it
	Rule         uint8    // value word 2
	Ifn          [4]uint8 // value words 9..12; 0xff stands for ffffffff
	DxlC2S       uint16   // the dst_based hash `asg dxl calc` prints, c2s
	DxlS2C       uint16   // same for s2c
	Dist         [Sites]Dist
	MaskBefore   uint32 // sync_mask before the switchover (0 if created after)
	Mask         uint32 // sync_mask now (after the switchover); capture-only: while it lived
	Created      uint32 // value word 5, Unix creation time
	ID1, ID2     uint32 // value words 7 and 8
	V18          uint32 // value word 18 (opaque)
	V19          uint16 // value word 19 (opaque)
	RiskMin      uint8  // at-risk only: id of the holder with low remaining
	RiskMax      uint8  // at-risk only: id of the holder with high remaining
	RemMin       uint16 // at-risk only: remaining on RiskMin
	RemMax       uint16 // at-risk only: remaining on RiskMax
	CreatedUs    int64  // created after the switchover, capture-only or quiet: kdebug time in µs (< 0: before the capture)
	GoneUs       int64  // capture-only: kdebug time of its DELETE or of its last packet (then it ages out)
}

// Scenario is the computed model of one Config. It is immutable once built
// by [New] except for a cache of kernel-debug statistics, so do not call
// its writers concurrently.
type Scenario struct {
	Config
	// Conns are the connections; Conns[0] is the seed connection when
	// IncludeSeedConn is set. (It shadows Config.Conns, the count: use
	// s.Config.Conns for that.)
	Conns []Conn
	// StatesBefore and StatesAfter are the site states (index 0 = site 1)
	// before and after the switchover.
	StatesBefore, StatesAfter [Sites]string
	// DumpSGMs are the ids of the SGMs that produce dumps (present and not
	// on a DOWN site), site 1 first.
	DumpSGMs []int
	// SwitchoverWall is the wall-clock Unix time of T0 (0 when quiet).
	SwitchoverWall int64
	// EndUs is the end of the natural kernel-debug capture, in µs; it
	// corresponds to DumpTime.
	EndUs int64
	// StartWall is the wall-clock Unix time of the kernel-debug clock's 0.
	StartWall int64
	// Gone are the capture-only connections (Config.CaptureOnly): the
	// kernel debug names them, no dump holds them. Event index
	// len(Conns)+j names Gone[j].
	Gone []Conn

	visible uint32         // bits of SGMs that produce dumps
	perm    []uint32       // record order in dumps: conn*2 + (0 entry, 1 link)
	records [LayoutIDs]int // number of records (entries + links) per SGM
	bad     []badLine      // damaged lines, sorted by (sgm, pos, seq)
	kstats  *KdebugStats   // cached after the first kernel-debug run
	active  int            // the ACTIVE site after the switchover (or throughout, quiet): 1 or 2
	hashKey uint64         // key of the dst_based distribution hash
	pre     []bool         // quiet, while building: live connection created before the capture
	cycle   []cycleEntry   // quiet: the REFRESH slots of one refresh interval, by offset
}

const rngStream = 0x6d61657374726f // "maestro"

// New builds the scenario model for cfg. It validates cfg first.
func New(cfg Config) (*Scenario, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Scenario{Config: cfg, active: 2}
	s.StatesBefore = [Sites]string{StateActive, StateStandby}
	s.StatesAfter = [Sites]string{cfg.After, StateActive}
	if cfg.Quiet() {
		s.StatesAfter, s.active = s.StatesBefore, 1
	}
	for site := 1; site <= Sites; site++ {
		if s.StatesAfter[site-1] == StateDown {
			continue
		}
		for m := 1; m <= cfg.SGMsPerSite; m++ {
			id := SGMID(site, m)
			s.DumpSGMs = append(s.DumpSGMs, id)
			s.visible |= 1 << id
		}
	}
	t0 := int64(cfg.SwitchoverAt) * 1e6
	if cfg.Quiet() {
		s.EndUs = int64(cfg.CaptureSeconds) * 1e6
		s.StartWall = cfg.DumpTime - int64(cfg.CaptureSeconds)
	} else {
		s.EndUs = t0 + int64(cfg.Waves-1)*int64(cfg.RefreshInterval)*1e6 + 5e6
		s.SwitchoverWall = cfg.DumpTime - (s.EndUs-t0)/1e6
		s.StartWall = s.SwitchoverWall - int64(cfg.SwitchoverAt)
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, rngStream))
	s.genConns(rng)
	if err := s.pickAtRisk(rng); err != nil {
		return nil, err
	}
	s.perm = make([]uint32, 2*len(s.Conns))
	for i := range s.perm {
		s.perm[i] = uint32(i)
	}
	for i := len(s.perm) - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		s.perm[i], s.perm[j] = s.perm[j], s.perm[i]
	}
	for i := range s.Conns {
		for m := s.Conns[i].Mask & s.visible; m != 0; m &= m - 1 {
			s.records[bits.TrailingZeros32(m)] += 2
		}
	}
	s.genBadLines(rng)
	// Capture-only connections and the quiet timeline draw from streams of
	// their own, so a scenario without them renders as before.
	if err := s.genGone(rand.New(rand.NewPCG(cfg.Seed, rngStream+2))); err != nil {
		return nil, err
	}
	if cfg.Quiet() {
		s.quietTimes(rand.New(rand.NewPCG(cfg.Seed, rngStream+3)))
	}
	s.pre = nil
	return s, nil
}

// conn returns the connection an event index names: Conns[i], or
// Gone[i-len(Conns)].
func (s *Scenario) conn(i int) *Conn {
	if i < len(s.Conns) {
		return &s.Conns[i]
	}
	return &s.Gone[i-len(s.Conns)]
}

type tupleKey struct {
	src, dst     uint32
	sport, dport uint16
	proto        uint8
}

var (
	tcpPorts = []uint16{443, 443, 443, 80, 179, 22, 8080, 3389, 1433, 445, 25, 636, 8443, 5432}
	udpPorts = []uint16{53, 53, 123, 514, 161, 8116, 1812, 500}
)

func (s *Scenario) genConns(rng *rand.Rand) {
	cfg := s.Config
	n := cfg.Conns
	N := cfg.SGMsPerSite
	s.Conns = make([]Conn, n)
	seen := make(map[tupleKey]struct{}, n)

	// Servers: a pool, so connections share destinations (dst_based hash).
	nsrv := min(max(32, n/8), 1<<16)
	servers := make([]uint32, nsrv)
	for i := range servers {
		if rng.IntN(3) == 0 {
			servers[i] = 0xc0a80000 | uint32(rng.IntN(256))<<8 | uint32(1+rng.IntN(254))
		} else {
			servers[i] = 0xac100000 | uint32(rng.IntN(64))<<8 | uint32(1+rng.IntN(254))
		}
	}
	hashKey := rng.Uint64()
	s.hashKey = hashKey

	// Which connections have an owner outside the layout.
	first := b2i(cfg.IncludeSeedConn)
	unknown := make([]bool, n)
	if cfg.UnknownOwner > 0 {
		idx := rng.Perm(n - first)
		for _, k := range idx[:cfg.UnknownOwner] {
			unknown[k+first] = true
		}
	}
	t0 := int64(cfg.SwitchoverAt) * 1e6
	ri := int64(cfg.RefreshInterval) * 1e6
	if cfg.Quiet() {
		s.pre = make([]bool, n)
	}

	for i := range s.Conns {
		c := &s.Conns[i]
		if i == 0 && cfg.IncludeSeedConn {
			*c = seedConn()
			if cfg.Quiet() {
				c.Flags &^= FlagBefore
				s.pre[0] = true
			}
		} else {
			c.Proto = ProtoTCP
			if rng.Float64()*100 < cfg.UDPPct {
				c.Proto = ProtoUDP
			}
			pickTuple(rng, c, func() uint32 { return servers[rng.IntN(nsrv)] }, seen)
			s.distribute(c)
			pc, ps := c.Dist[0].C2SPrimary, c.Dist[0].S2CPrimary

			// In "quiet" BeforePct says which connections predate the
			// capture; there is no switchover to predate.
			if pre := unknown[i] || rng.Float64()*100 < cfg.BeforePct; cfg.Quiet() {
				s.pre[i] = pre
			} else if pre {
				c.Flags |= FlagBefore
			}
			if rng.Float64()*100 < cfg.AcceleratedPct {
				c.Flags |= FlagAccelerated
			}
			site := 2
			if c.Flags&FlagBefore != 0 || cfg.Quiet() {
				site = 1
			}
			c.Owner = uint8(SGMID(site, int(pickOwnerMember(rng, pc, ps, N))))
			if unknown[i] {
				c.Owner = uint8(40 + rng.IntN(24))
				c.Flags |= FlagUnknownOwner
			}
			c.Inst = uint8(rng.IntN(8))
			c.Rule = uint8(1 + rng.IntN(40))
			c.Ifn = [4]uint8{uint8(1 + rng.IntN(0x60)), 0xff, 0xff, 0xff}
			c.ID1, c.ID2, c.V18 = rng.Uint32(), rng.Uint32(), rng.Uint32()
			c.V19 = 0x7f00 | uint16(rng.IntN(256))
			switch {
			case cfg.Quiet():
				// Set by quietTimes.
			case c.Flags&FlagBefore != 0:
				c.Created = uint32(s.SwitchoverWall - int64(60+rng.IntN(6*3600)))
			default:
				// Created between T0+2s and T0+RI-1s, so its own REFRESHes
				// (every RI after creation) never fall inside a wave.
				c.CreatedUs = t0 + 2e6 + rng.Int64N(ri-3e6)
				c.Created = uint32(s.SwitchoverWall + (c.CreatedUs-t0)/1e6)
			}
		}
		if c.Flags&FlagBefore != 0 {
			c.MaskBefore = SyncMask(int(c.Owner), c.Dist, s.StatesBefore)
		}
		c.Mask = SyncMask(int(c.Owner), c.Dist, s.StatesAfter)
	}
}

// distribute sets the `asg dxl calc` hashes and the distribution of c from
// its addresses: dst_based, c2s by the server address, s2c by the client
// address; the backup is chosen per connection and is shared by both
// directions unless it is that direction's primary. The same member
// numbers on both sites.
func (s *Scenario) distribute(c *Conn) {
	N := s.SGMsPerSite
	dxl := func(ip uint32) uint16 { return uint16(mix(s.hashKey^uint64(ip)) % 1000) }
	c.DxlC2S, c.DxlS2C = dxl(c.Dst), dxl(c.Src)
	pc := uint8(1 + int(c.DxlC2S)%N)
	ps := uint8(1 + int(c.DxlS2C)%N)
	b0 := uint8(1 + int(mix(s.hashKey^uint64(c.Src)<<32^uint64(c.Dst))>>7)%N)
	backup := func(p uint8) uint8 {
		if N == 1 || b0 != p {
			return b0
		}
		return b0%uint8(N) + 1
	}
	d := Dist{C2SPrimary: pc, C2SBackup: backup(pc), S2CPrimary: ps, S2CBackup: backup(ps)}
	c.Dist = [Sites]Dist{d, d}
}

// pickOwnerMember draws the owner's member number: the member that saw the
// first packet, mostly the c2s primary, sometimes the s2c primary, rarely
// any member.
func pickOwnerMember(rng *rand.Rand, pc, ps uint8, n int) uint8 {
	switch r := rng.Float64(); {
	case r < 0.85:
		return pc
	case r < 0.95:
		return ps
	default:
		return uint8(1 + rng.IntN(n))
	}
}

// seedConn is the seed article's connection, words taken from its SET line.
func seedConn() Conn {
	return Conn{
		Src: 0xac103d02, SPort: 30675, Dst: 0xac103d42, DPort: 179, Proto: ProtoTCP,
		Owner: uint8(SGMID(1, 2)), Flags: FlagBefore | FlagAccelerated | FlagSeed,
		Inst: 7, Rule: 0xf, Ifn: [4]uint8{0xff, 0xff, 0x4e, 0xff},
		DxlC2S: 318, DxlS2C: 418, Dist: SeedDist,
		Created: 0x68c7d7a2, ID1: 0x7c718362, ID2: 0xc36bddf7, V18: 0xcec4bb88, V19: 0x7fba,
	}
}

// AtRiskTarget is the number of connections designated at risk:
// round(AtRiskPct/100 * number of TCP connections).
func (s *Scenario) AtRiskTarget() int {
	return int(math.Round(s.AtRiskPct / 100 * float64(s.TCPConns())))
}

// TCPConns counts the TCP connections.
func (s *Scenario) TCPConns() int {
	n := 0
	for i := range s.Conns {
		if s.Conns[i].Proto == ProtoTCP {
			n++
		}
	}
	return n
}

// pickAtRisk designates exactly AtRiskTarget TCP connections with at least
// two visible holders (not the seed connection), preferring those created
// before the switchover: one backup holder gets remaining in [10, R-1]
// (or [1, R-1] when R <= 10), the active c2s primary gets remaining in
// [timeout-R+1, timeout].
func (s *Scenario) pickAtRisk(rng *rand.Rand) error {
	k := s.AtRiskTarget()
	if k == 0 {
		return nil
	}
	var pre, post []int
	for i := range s.Conns {
		c := &s.Conns[i]
		if c.Proto != ProtoTCP || c.Flags&FlagSeed != 0 || bits.OnesCount32(c.Mask&s.visible) < 2 {
			continue
		}
		if c.Flags&FlagBefore != 0 {
			pre = append(pre, i)
		} else {
			post = append(post, i)
		}
	}
	rng.Shuffle(len(pre), func(a, b int) { pre[a], pre[b] = pre[b], pre[a] })
	rng.Shuffle(len(post), func(a, b int) { post[a], post[b] = post[b], post[a] })
	pre = append(pre, post...)
	cand := pre
	if len(cand) < k {
		return cfgErr("only %d TCP connections can be at risk, %d wanted", len(cand), k)
	}
	R, T := s.RiskWindow, s.Timeout
	lo := 10
	if R-1 < lo {
		lo = 1
	}
	for _, i := range cand[:k] {
		c := &s.Conns[i]
		hold := c.Mask & s.visible
		a, d := s.active, c.Dist[s.active-1]
		maxID := SGMID(a, int(d.C2SPrimary))
		if hold&(1<<maxID) == 0 {
			maxID = bits.TrailingZeros32(hold)
		}
		others := hold &^ (1 << maxID)
		backups := others &^ (1<<SGMID(a, int(d.S2CPrimary)) | 1<<SGMID(a, int(d.C2SPrimary)))
		if backups == 0 {
			backups = others
		}
		c.Flags |= FlagAtRisk
		c.RiskMax = uint8(maxID)
		c.RiskMin = uint8(nthBit(backups, rng.IntN(bits.OnesCount32(backups))))
		c.RemMin = uint16(lo + rng.IntN(R-lo))
		c.RemMax = uint16(T - R + 1 + rng.IntN(R))
	}
	return nil
}

func nthBit(m uint32, n int) int {
	for ; n > 0; n-- {
		m &= m - 1
	}
	return bits.TrailingZeros32(m)
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// TimeoutOf is the idle timeout of a connection (Timeout or UDPTimeout).
func (s *Scenario) TimeoutOf(c *Conn) int {
	if c.Proto == ProtoUDP {
		return s.UDPTimeout
	}
	return s.Timeout
}

// Holders returns the ids of the SGMs whose dumps hold connection i: the
// members of its sync_mask that are present and not on a DOWN site,
// ascending. (A DOWN owner is in the mask but produces no dump.)
func (s *Scenario) Holders(i int) []int {
	var out []int
	for m := s.Conns[i].Mask & s.visible; m != 0; m &= m - 1 {
		out = append(out, bits.TrailingZeros32(m))
	}
	return out
}

// Remaining is the remaining time (seconds) of connection i on holder id at
// dump time. Holders not designated at risk get a per-connection base in
// [R, timeout-R] plus a small per-holder jitter kept in that range (any
// value in [1, timeout] when timeout <= 2R, which can never be at risk).
func (s *Scenario) Remaining(i, id int) int {
	c := &s.Conns[i]
	if c.Flags&FlagAtRisk != 0 {
		if id == int(c.RiskMin) {
			return int(c.RemMin)
		}
		if id == int(c.RiskMax) {
			return int(c.RemMax)
		}
	}
	to := s.TimeoutOf(c)
	lo, hi := 1, to
	if to > 2*s.RiskWindow {
		lo, hi = s.RiskWindow, to-s.RiskWindow
	}
	span := uint64(hi - lo + 1)
	base := int(mix(s.Seed^uint64(i)*0x100000001b3) % span)
	jit := int(mix(s.Seed^uint64(i)<<6^uint64(id)^0x5bd1e995)%61) - 30
	return lo + min(max(base+jit, 0), int(span)-1)
}

// IsDumpSGM reports whether SGM id produces dumps.
func (s *Scenario) IsDumpSGM(id int) bool {
	return id >= 0 && id < LayoutIDs && s.visible&(1<<id) != 0
}

// pickTuple draws a client address and port and a server (dst) and port
// for c until the tuple is one seen does not hold, and adds it.
func pickTuple(rng *rand.Rand, c *Conn, dst func() uint32, seen map[tupleKey]struct{}) {
	for {
		c.Src = 0x0a000000 | uint32(1+rng.IntN(250))<<16 | uint32(rng.IntN(256))<<8 | uint32(1+rng.IntN(254))
		c.Dst = dst()
		c.SPort = uint16(1024 + rng.IntN(65536-1024))
		if c.Proto == ProtoTCP {
			c.DPort = tcpPorts[rng.IntN(len(tcpPorts))]
		} else {
			c.DPort = udpPorts[rng.IntN(len(udpPorts))]
		}
		k := tupleKey{c.Src, c.Dst, c.SPort, c.DPort, c.Proto}
		if _, dup := seen[k]; !dup {
			seen[k] = struct{}{}
			return
		}
	}
}
