package sim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Truth is the known ground truth of a scenario; it marshals to truth.json.
//
// A quiet scenario has Switchover false, no switchover_at, switchover_wall
// or site_states_before, and an empty kdebug.refresh_waves: a triage of it
// must find no switchover, no REFRESH burst or wave, no lost updates and no
// queue overflow.
type Truth struct {
	Scenario    string `json:"scenario"`
	Seed        uint64 `json:"seed"`
	Layout      string `json:"layout"`
	SGMsPerSite int    `json:"sgms_per_site"`
	// Switchover is true when the capture shows a site switchover at
	// SwitchoverAt ("switchover"), false for a quiet capture.
	Switchover       bool              `json:"switchover"`
	SiteStatesBefore map[string]string `json:"site_states_before,omitempty"` // before the switchover; none when quiet
	SiteStates       map[string]string `json:"site_states"`                  // after the switchover (quiet: throughout)
	SwitchoverAt     int               `json:"switchover_at,omitempty"`      // T0, seconds on the kdebug clock
	SwitchoverWall   int64             `json:"switchover_wall,omitempty"`    // T0 as a Unix time
	DumpTime         int64             `json:"dump_time"`                    // Unix time of the fw tab dumps
	RiskWindow       int               `json:"risk_window"`
	Timeout          int               `json:"timeout"`
	UDPTimeout       int               `json:"udp_timeout"`
	RefreshInterval  int               `json:"refresh_interval"`
	Connections      int               `json:"connections"` // distinct canonical tuples of the dumps
	TCPConnections   int               `json:"tcp_connections"`
	// TableConnections is the live set: the distinct connections
	// (direction-free 5-tuples) that the fw tab dumps hold, all SGMs
	// together. It equals Connections.
	TableConnections int `json:"table_connections"`
	// CaptureConnections is the number of distinct connections (direction-
	// free 5-tuples) the kernel debug's sync messages (SET, REFRESH,
	// DELETE, by their keys) name. Its correction and background lines
	// name only connections of the dumps.
	CaptureConnections int `json:"capture_connections"`
	// CaptureOnlyConnections is how many of CaptureConnections no dump
	// holds: connections that closed during the capture, or UDP flows that
	// aged out before the dumps (see Config.CaptureOnly).
	CaptureOnlyConnections int `json:"capture_only_connections"`
	// CaptureOnlyDeleted is how many of CaptureOnlyConnections the capture
	// shows a DELETE for; the rest aged out silently.
	CaptureOnlyDeleted int               `json:"capture_only_deleted"`
	DumpSGMs           []string          `json:"dump_sgms"`     // SGMs that produce dumps
	OwnersBySGM        map[string]int    `json:"owners_by_sgm"` // owners inside the layout, non-zero counts only
	OwnerUnknown       int               `json:"owner_unknown"`
	OffActiveSite      int               `json:"off_active_site"` // owners in the layout on a non-ACTIVE site after the switchover
	AtRisk             []RiskConn        `json:"at_risk"`
	BadLines           []BadLine         `json:"bad_lines"`
	Files              []string          `json:"files"`
	Kdebug             KdebugStats       `json:"kdebug"`
	Conns              []ConnTruth       `json:"conns,omitempty"`
	CaptureOnlyConns   []CaptureOnlyConn `json:"capture_only_conns,omitempty"` // with TruthConns, in capture order of their first message
}

// CaptureOnlyConn is a connection the kernel debug names and no dump
// holds.
type CaptureOnlyConn struct {
	Tuple
	OwnerID int    `json:"owner_id"`
	Owner   string `json:"owner"`
	Mask    string `json:"mask"` // its sync_mask while it lived
	Created int64  `json:"created"`
	// FirstUs is the time of its owner's SET; LastUs of its DELETE when
	// Deleted, else of its last packet: it aged out UDPTimeout later.
	FirstUs     int64 `json:"first_us"`
	LastUs      int64 `json:"last_us"`
	Deleted     bool  `json:"deleted"`
	Accelerated bool  `json:"accelerated"`
}

// Tuple is a connection's canonical 5-tuple: Src/SPort is the client.
type Tuple struct {
	Src   string `json:"src"`
	SPort int    `json:"sport"`
	Dst   string `json:"dst"`
	DPort int    `json:"dport"`
	Proto int    `json:"proto"`
}

// RiskConn is an at-risk connection: some holder will expire it soon while
// another was refreshed recently.
type RiskConn struct {
	Tuple
	MinRemaining int    `json:"min_remaining"`
	MinSGM       string `json:"min_sgm"`
	MaxRemaining int    `json:"max_remaining"`
	MaxSGM       string `json:"max_sgm"`
}

// BadLine is a damaged line in a dump file (path relative to the output
// directory, 1-based line).
type BadLine struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Holder is one SGM holding a connection entry in its dump.
type Holder struct {
	SGM       string `json:"sgm"`
	Remaining int    `json:"remaining"`
	Timeout   int    `json:"timeout"`
}

// SiteDist is the `asg dxl calc` result of one connection on one site:
// primary first, then backup.
type SiteDist struct {
	Site int      `json:"site"`
	C2S  []string `json:"c2s"`
	S2C  []string `json:"s2c"`
}

// ConnTruth is everything known about one connection.
type ConnTruth struct {
	Tuple
	OwnerID          int        `json:"owner_id"`
	Owner            string     `json:"owner"` // "" when the id is outside the layout
	Mask             string     `json:"mask"`
	MaskBefore       string     `json:"mask_before,omitempty"`
	Created          int64      `json:"created"`
	BeforeSwitchover bool       `json:"before_switchover"`
	Accelerated      bool       `json:"accelerated"`
	AtRisk           bool       `json:"at_risk"`
	Dist             []SiteDist `json:"dist"`
	Holders          []Holder   `json:"holders"`
}

// TupleOf returns connection i's canonical tuple.
func (s *Scenario) TupleOf(i int) Tuple {
	c := &s.Conns[i]
	return Tuple{IPString(c.Src), int(c.SPort), IPString(c.Dst), int(c.DPort), int(c.Proto)}
}

func maskString(m uint32) string { return fmt.Sprintf("0x%08x", m) }

// Files lists every file [Scenario.WriteDir] writes, relative and sorted.
func (s *Scenario) Files() []string {
	f := []string{FileFwTabAll, FileKdebug, FileDxl, FileTruth}
	for _, id := range s.DumpSGMs {
		f = append(f, SGMFile(id, FileFwTab), SGMFile(id, FileGconn))
	}
	slices.Sort(f)
	return f
}

// Truth computes the ground truth. The kernel-debug statistics come from
// the last WriteKdebug run, or from a run into io.Discard.
func (s *Scenario) Truth() Truth {
	states := func(st [Sites]string) map[string]string {
		m := map[string]string{}
		for i, v := range st {
			m[strconv.Itoa(i+1)] = v
		}
		return m
	}
	t := Truth{
		Scenario: s.Scenario, Seed: s.Seed, Layout: "2x14", SGMsPerSite: s.SGMsPerSite,
		Switchover: !s.Quiet(), SiteStates: states(s.StatesAfter), DumpTime: s.DumpTime,
		RiskWindow: s.RiskWindow, Timeout: s.Timeout, UDPTimeout: s.UDPTimeout,
		RefreshInterval: s.RefreshInterval,
		Connections:     len(s.Conns), TCPConnections: s.TCPConns(),
		OwnersBySGM: map[string]int{}, AtRisk: []RiskConn{}, BadLines: []BadLine{},
		Files: s.Files(),
	}
	if !s.Quiet() {
		t.SiteStatesBefore = states(s.StatesBefore)
		t.SwitchoverAt, t.SwitchoverWall = s.SwitchoverAt, s.SwitchoverWall
	}
	for _, id := range s.DumpSGMs {
		t.DumpSGMs = append(t.DumpSGMs, SGMName(id))
	}
	for i := range s.Conns {
		c := &s.Conns[i]
		if c.Owner >= LayoutIDs {
			t.OwnerUnknown++
		} else {
			t.OwnersBySGM[SGMName(int(c.Owner))]++
			if s.StatesAfter[SiteOf(int(c.Owner))-1] != StateActive {
				t.OffActiveSite++
			}
		}
		if c.Flags&FlagAtRisk != 0 {
			t.AtRisk = append(t.AtRisk, RiskConn{Tuple: s.TupleOf(i),
				MinRemaining: int(c.RemMin), MinSGM: SGMName(int(c.RiskMin)),
				MaxRemaining: int(c.RemMax), MaxSGM: SGMName(int(c.RiskMax))})
		}
		if s.TruthConns {
			t.Conns = append(t.Conns, s.connTruth(i))
		}
	}
	slices.SortFunc(t.AtRisk, func(a, b RiskConn) int {
		return cmp.Or(cmp.Compare(a.MinRemaining, b.MinRemaining), compareTuple(a.Tuple, b.Tuple))
	})
	offset := 0 // lines of fwtab-all.txt before the SGM's banner
	for _, id := range s.DumpSGMs {
		for _, b := range s.bad {
			if b.sgm == id {
				t.BadLines = append(t.BadLines,
					BadLine{File: SGMFile(id, FileFwTab), Line: b.line, Reason: b.reason},
					BadLine{File: FileFwTabAll, Line: offset + 1 + b.line, Reason: b.reason})
			}
		}
		offset += 1 + s.dumpLines(id)
	}
	slices.SortFunc(t.BadLines, func(a, b BadLine) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	t.Kdebug, _ = s.KdebugStats() // io.Discard cannot fail
	t.TableConnections = s.tableConns(s.visible)
	t.CaptureConnections, t.CaptureOnlyConnections, t.CaptureOnlyDeleted = s.captureCounts(t.Kdebug, s.visible)
	if s.TruthConns {
		t.CaptureOnlyConns = s.captureOnlyConns(t.Kdebug, s.visible)
	}
	return t
}

// tableConns counts the connections some SGM of dumps (a bit set of ids)
// holds in its dump.
func (s *Scenario) tableConns(dumps uint32) int {
	n := 0
	for i := range s.Conns {
		if s.Conns[i].Mask&dumps != 0 {
			n++
		}
	}
	return n
}

// heldBy reports whether the connection of event index i is in a dump of
// an SGM of dumps.
func (s *Scenario) heldBy(i int, dumps uint32) bool {
	return i < len(s.Conns) && s.Conns[i].Mask&dumps != 0
}

// captureCounts counts, in the capture st describes, the connections its
// sync messages name, those of them no dump of dumps holds, and those of
// them with a DELETE.
func (s *Scenario) captureCounts(st KdebugStats, dumps uint32) (named, only, deleted int) {
	for i, f := range st.named {
		if f&1 == 0 {
			continue
		}
		named++
		if !s.heldBy(i, dumps) {
			only++
			if f&2 != 0 {
				deleted++
			}
		}
	}
	return named, only, deleted
}

// captureOnlyConns lists the connections the capture names and no dump of
// dumps holds, by their first message.
func (s *Scenario) captureOnlyConns(st KdebugStats, dumps uint32) []CaptureOnlyConn {
	var out []CaptureOnlyConn
	for i, f := range st.named {
		if f&1 == 0 || s.heldBy(i, dumps) {
			continue
		}
		c := s.conn(i)
		out = append(out, CaptureOnlyConn{
			Tuple:   Tuple{IPString(c.Src), int(c.SPort), IPString(c.Dst), int(c.DPort), int(c.Proto)},
			OwnerID: int(c.Owner), Owner: SGMName(int(c.Owner)), Mask: maskString(c.Mask), Created: int64(c.Created),
			FirstUs: c.CreatedUs, LastUs: c.GoneUs, Deleted: f&2 != 0, Accelerated: c.Flags&FlagAccelerated != 0,
		})
	}
	slices.SortStableFunc(out, func(a, b CaptureOnlyConn) int { return cmp.Compare(a.FirstUs, b.FirstUs) })
	return out
}

func compareTuple(a, b Tuple) int {
	return cmp.Or(cmp.Compare(ipNum(a.Src), ipNum(b.Src)), cmp.Compare(a.SPort, b.SPort),
		cmp.Compare(ipNum(a.Dst), ipNum(b.Dst)), cmp.Compare(a.DPort, b.DPort), cmp.Compare(a.Proto, b.Proto))
}

// ipNum parses a dotted IPv4 string into a number (0 if malformed).
func ipNum(s string) uint32 {
	var v, part uint32
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			v, part = v<<8|part, 0
			continue
		}
		part = part*10 + uint32(s[i]-'0')
	}
	return v<<8 | part
}

func (s *Scenario) connTruth(i int) ConnTruth {
	c := &s.Conns[i]
	ct := ConnTruth{
		Tuple: s.TupleOf(i), OwnerID: int(c.Owner), Owner: SGMName(int(c.Owner)),
		Mask: maskString(c.Mask), Created: int64(c.Created),
		BeforeSwitchover: c.Flags&FlagBefore != 0, Accelerated: c.Flags&FlagAccelerated != 0,
		AtRisk: c.Flags&FlagAtRisk != 0, Holders: []Holder{},
	}
	if ct.BeforeSwitchover {
		ct.MaskBefore = maskString(c.MaskBefore)
	}
	for si, d := range c.Dist {
		name := func(m uint8) string { return SGMName(SGMID(si+1, int(m))) }
		ct.Dist = append(ct.Dist, SiteDist{Site: si + 1,
			C2S: []string{name(d.C2SPrimary), name(d.C2SBackup)},
			S2C: []string{name(d.S2CPrimary), name(d.S2CBackup)}})
	}
	to := s.TimeoutOf(c)
	for _, id := range s.Holders(i) {
		ct.Holders = append(ct.Holders, Holder{SGM: SGMName(id), Remaining: s.Remaining(i, id), Timeout: to})
	}
	return ct
}

// WriteTruth writes truth.json (indented by 2, trailing newline).
func (s *Scenario) WriteTruth(w io.Writer) error {
	b, err := json.MarshalIndent(s.Truth(), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
