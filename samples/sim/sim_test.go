package sim

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func mustNew(t *testing.T, c Config) *Scenario {
	t.Helper()
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readDir returns every regular file under dir by relative slash path.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterminism(t *testing.T) {
	c := DefaultConfig()
	c.BadLines = 4
	var runs []map[string][]byte
	for range 2 {
		dir := t.TempDir()
		if err := mustNew(t, c).WriteDir(dir); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, readDir(t, dir))
	}
	if len(runs[0]) != len(runs[1]) {
		t.Fatalf("file sets differ: %d vs %d", len(runs[0]), len(runs[1]))
	}
	for name, b := range runs[0] {
		if !bytes.Equal(b, runs[1][name]) {
			t.Errorf("%s differs between identical runs", name)
		}
	}
	files := mustNew(t, c).Files()
	if len(files) != len(runs[0]) {
		t.Errorf("Files() lists %d files, WriteDir wrote %d", len(files), len(runs[0]))
	}
	for _, f := range files {
		if _, ok := runs[0][f]; !ok {
			t.Errorf("Files() lists %s, not written", f)
		}
	}

	c.Seed = 2
	var other bytes.Buffer
	if err := mustNew(t, c).WriteFwTabAll(&other); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.Bytes(), runs[0][FileFwTabAll]) {
		t.Error("different seeds gave the same fwtab-all.txt")
	}
}

func TestSeedConnection(t *testing.T) {
	if w := CCLWord(SGMID(1, 2)); w != 0x02000800 {
		t.Errorf("CCLWord(1_02) = %#x", w)
	}
	if w := CCLWord(SGMID(2, 3)); w != 0x02008000 {
		t.Errorf("CCLWord(2_03) = %#x", w)
	}
	if id := SGMID(2, 1); id != 14 {
		t.Errorf("SGMID(2,1) = %d", id)
	}
	owner := SGMID(1, 2)
	for _, tc := range []struct {
		s1, s2 string
		want   uint32
	}{
		{StateActive, StateStandby, 0x0001800e},
		{StateDown, StateActive, 0x00038002},
		{StateStandby, StateActive, 0x00038006},
		{StateActive, StateDown, 0x0000000e},
	} {
		if got := SyncMask(owner, SeedDist, [Sites]string{tc.s1, tc.s2}); got != tc.want {
			t.Errorf("sites %s/%s: mask %#08x, want %#08x", tc.s1, tc.s2, got, tc.want)
		}
	}
	for _, tc := range []struct {
		after       string
		mask, maskB uint32
	}{{StateStandby, 0x00038006, 0x0001800e}, {StateDown, 0x00038002, 0x0001800e}} {
		c := DefaultConfig()
		c.After = tc.after
		s := mustNew(t, c)
		c0 := s.Conns[0]
		if c0.Src != 0xac103d02 || c0.SPort != 30675 || c0.Dst != 0xac103d42 || c0.DPort != 179 || c0.Proto != 6 {
			t.Errorf("conn 0 is not the seed connection: %+v", c0)
		}
		if v := s.Vals(0); v[13] != 0x02000800 {
			t.Errorf("seed owner word %#x", v[13])
		}
		if c0.Mask != tc.mask || c0.MaskBefore != tc.maskB {
			t.Errorf("after=%s: masks %#08x/%#08x, want %#08x/%#08x", tc.after, c0.MaskBefore, c0.Mask, tc.maskB, tc.mask)
		}
	}
}

func TestAtRiskCount(t *testing.T) {
	for _, pct := range []float64{0, 10, 33} {
		c := DefaultConfig()
		c.AtRiskPct = pct
		s := mustNew(t, c)
		tr := s.Truth()
		want := int(math.Round(pct / 100 * float64(tr.TCPConnections)))
		if len(tr.AtRisk) != want || s.AtRiskTarget() != want {
			t.Errorf("pct %v: %d at risk, want %d", pct, len(tr.AtRisk), want)
		}
		for _, r := range tr.AtRisk {
			if r.Proto != ProtoTCP {
				t.Errorf("at-risk UDP connection %+v", r)
			}
		}
	}
}

func TestUnknownOwner(t *testing.T) {
	c := DefaultConfig()
	c.UnknownOwner = 7
	s := mustNew(t, c)
	n := 0
	for i := range s.Conns {
		cn := &s.Conns[i]
		id := int(s.Vals(i)[13]>>11) & 0x3f
		if cn.Flags&FlagUnknownOwner != 0 {
			n++
			if id < LayoutIDs {
				t.Errorf("unknown-owner conn %d has CCL id %d inside 0..27", i, id)
			}
		} else if id >= LayoutIDs {
			t.Errorf("conn %d has CCL id %d outside the layout", i, id)
		}
	}
	if n != 7 || s.Truth().OwnerUnknown != 7 {
		t.Errorf("%d unknown owners, truth %d, want 7", n, s.Truth().OwnerUnknown)
	}
}

func TestValidate(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"scenario": func(c *Config) { c.Scenario = "x" },
		"after":    func(c *Config) { c.After = "active" },
		"sgms":     func(c *Config) { c.SGMsPerSite = 15 },
		"seed4":    func(c *Config) { c.SGMsPerSite = 3 },
		"risk":     func(c *Config) { c.Timeout = 1000 },
		"unknown":  func(c *Config) { c.UnknownOwner = 200 },
	} {
		c := DefaultConfig()
		mod(&c)
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	c := DefaultConfig()
	c.SGMsPerSite, c.IncludeSeedConn, c.After = 1, false, StateDown
	c.AtRiskPct = 0
	if _, err := New(c); err != nil {
		t.Errorf("1 SGM per site: %v", err)
	}
}

func TestKdebugBytes(t *testing.T) {
	c := DefaultConfig()
	natural, err := mustNew(t, c).KdebugStats()
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []int64{natural.Bytes / 3, natural.Bytes * 3} {
		c.KdebugBytes = target
		s := mustNew(t, c)
		var b bytes.Buffer
		if err := s.WriteKdebug(&b); err != nil {
			t.Fatal(err)
		}
		st, _ := s.KdebugStats()
		if int64(b.Len()) != st.Bytes || b.Len() < int(target) || b.Len() > int(target)+2048 {
			t.Errorf("target %d: wrote %d bytes (stats %d)", target, b.Len(), st.Bytes)
		}
		if target > natural.Bytes && len(st.RefreshWaves) <= c.Waves {
			t.Errorf("target %d: only %d waves", target, len(st.RefreshWaves))
		}
		if b.Bytes()[b.Len()-1] != '\n' {
			t.Error("kdebug does not end at a line boundary")
		}
	}
}

func TestWriterErrors(t *testing.T) {
	s := mustNew(t, DefaultConfig())
	if err := s.WriteFwTab(&bytes.Buffer{}, "1_09"); err == nil {
		t.Error("absent SGM accepted")
	}
	c := DefaultConfig()
	c.After = StateDown
	s = mustNew(t, c)
	if err := s.WriteGconn(&bytes.Buffer{}, "1_01"); err == nil {
		t.Error("SGM on a DOWN site accepted")
	}
	if err := s.WriteKind(t.TempDir(), "nope"); err == nil {
		t.Error("unknown kind accepted")
	}
}

// TestCaptureOnlyLeavesTheRest: capture-only connections add kernel-debug
// lines and nothing else: the dumps, gconn tables and dxl output are the
// same, and the capture without the lines naming them is the same capture.
func TestCaptureOnlyLeavesTheRest(t *testing.T) {
	for _, seed := range []uint64{1, 3, 12} {
		c := DefaultConfig()
		c.Seed, c.BadLines = seed, 3
		base := mustNew(t, c)
		c.CaptureOnly = 20
		with := mustNew(t, c)
		if len(with.Gone) != 20 {
			t.Fatalf("%d capture-only connections", len(with.Gone))
		}
		render := func(s *Scenario) (fw, gc, dxl, kd bytes.Buffer) {
			t.Helper()
			if err := s.WriteFwTabAll(&fw); err != nil {
				t.Fatal(err)
			}
			for _, id := range s.DumpSGMs {
				if err := s.WriteGconn(&gc, SGMName(id)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.WriteDxl(&dxl); err != nil {
				t.Fatal(err)
			}
			if err := s.WriteKdebug(&kd); err != nil {
				t.Fatal(err)
			}
			return
		}
		fw0, gc0, dxl0, kd0 := render(base)
		fw1, gc1, dxl1, kd1 := render(with)
		if !bytes.Equal(fw0.Bytes(), fw1.Bytes()) || !bytes.Equal(gc0.Bytes(), gc1.Bytes()) || !bytes.Equal(dxl0.Bytes(), dxl1.Bytes()) {
			t.Errorf("seed %d: capture-only connections changed a dump", seed)
		}
		var keys []string
		for j := range with.Gone {
			g := &with.Gone[j]
			keys = append(keys, "<0,"+strconv.FormatUint(uint64(g.Src), 16)+","+strconv.FormatUint(uint64(g.SPort), 16)+",")
			keys = append(keys, "<0,"+strconv.FormatUint(uint64(g.Dst), 16)+","+strconv.FormatUint(uint64(g.DPort), 16)+","+
				strconv.FormatUint(uint64(g.Src), 16)+","+strconv.FormatUint(uint64(g.SPort), 16)+",")
		}
		var kept []string
		dropped := 0
		for _, line := range strings.SplitAfter(kd1.String(), "\n") {
			gone := false
			for _, k := range keys {
				if strings.Contains(line, k) {
					gone = true
					break
				}
			}
			if gone {
				dropped++
			} else {
				kept = append(kept, line)
			}
		}
		if strings.Join(kept, "") != kd0.String() {
			t.Errorf("seed %d: without its capture-only lines the capture differs", seed)
		}
		st0, _ := base.KdebugStats()
		st1, _ := with.KdebugStats()
		if int64(dropped) != st1.Lines-st0.Lines || dropped < 2*20-goneAged(20) {
			t.Errorf("seed %d: %d capture-only lines, %d more lines", seed, dropped, st1.Lines-st0.Lines)
		}
		if fmt.Sprint(st0.RefreshWaves) != fmt.Sprint(st1.RefreshWaves) || st0.MaxRefreshPerSecond != st1.MaxRefreshPerSecond {
			t.Errorf("seed %d: waves %v / %v", seed, st0.RefreshWaves, st1.RefreshWaves)
		}
		tr := with.Truth()
		if tr.CaptureOnlyConnections != 20 || tr.CaptureOnlyDeleted != 20-goneAged(20) || len(tr.CaptureOnlyConns) != 20 {
			t.Errorf("seed %d: truth %d capture-only, %d deleted, %d listed", seed, tr.CaptureOnlyConnections, tr.CaptureOnlyDeleted, len(tr.CaptureOnlyConns))
		}
		for _, g := range tr.CaptureOnlyConns {
			before := g.LastUs < int64(c.SwitchoverAt)*1e6
			if g.Owner == "" || (before != strings.HasPrefix(g.Owner, "1_")) || (g.Deleted != (g.Proto == ProtoTCP)) || g.LastUs >= with.EndUs {
				t.Errorf("seed %d: capture-only %+v", seed, g)
			}
		}
	}
}

func TestQuietConfig(t *testing.T) {
	s := mustNew(t, QuietConfig())
	tr := s.Truth()
	if tr.Switchover || tr.SwitchoverAt != 0 || tr.SiteStatesBefore != nil || len(tr.Kdebug.RefreshWaves) != 0 || tr.Kdebug.CorrectionLines != 0 {
		t.Errorf("quiet truth: switchover %v at %d, before %v, waves %v, %d correction lines",
			tr.Switchover, tr.SwitchoverAt, tr.SiteStatesBefore, tr.Kdebug.RefreshWaves, tr.Kdebug.CorrectionLines)
	}
	if tr.Kdebug.MaxRefreshPerSecond == 0 || tr.Kdebug.MaxRefreshPerSecond > 12 || tr.CaptureOnlyConnections != 200 || len(tr.AtRisk) != 0 {
		t.Errorf("quiet: %d REFRESH/s at most, %d capture-only, %d at risk", tr.Kdebug.MaxRefreshPerSecond, tr.CaptureOnlyConnections, len(tr.AtRisk))
	}
	if got := tr.Kdebug.LastUs - tr.Kdebug.FirstUs; got < 3500e6 || got > 3600e6 {
		t.Errorf("quiet capture spans %d µs", got)
	}
	for _, mod := range []func(*Config){
		func(c *Config) { c.CaptureSeconds = 59 },
		func(c *Config) { c.CaptureSeconds = 1 << 23 },
		func(c *Config) { c.CaptureSeconds, c.UDPTimeout = 100, 95 },
		func(c *Config) { c.CaptureOnly = -1 },
		func(c *Config) { c.CaptureOnly = 1<<24 + 1 },
	} {
		c := QuietConfig()
		mod(&c)
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err %v", c, err)
		}
	}
	// A switchover capture too short to hold aged-out UDP flows away from
	// T0 and its single wave.
	c := DefaultConfig()
	c.SwitchoverAt, c.Waves, c.CaptureOnly = 2, 1, 5
	if _, err := New(c); !errors.Is(err, ErrConfig) {
		t.Errorf("short capture with capture-only connections: err %v", err)
	}
	var buf bytes.Buffer
	if _, err := s.WriteBundle(&buf); !errors.Is(err, ErrConfig) || buf.Len() != 0 {
		t.Errorf("quiet bundle: err %v, %d bytes", err, buf.Len())
	}
}

// TestQuietDeterministic: the quiet scenario and capture-only connections
// are pure functions of the Config too, written once or twice.
func TestQuietDeterministic(t *testing.T) {
	c := QuietConfig()
	c.Conns, c.CaptureSeconds = 300, 1200
	sw := DefaultConfig()
	sw.CaptureOnly = 15
	for _, cfg := range []Config{c, sw} {
		var runs []map[string][]byte
		for range 2 {
			dir := t.TempDir()
			s := mustNew(t, cfg)
			if err := s.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			if err := s.WriteKind(dir, "kdebug"); err != nil { // a second run of the same scenario
				t.Fatal(err)
			}
			runs = append(runs, readDir(t, dir))
		}
		for name, b := range runs[0] {
			if !bytes.Equal(b, runs[1][name]) {
				t.Errorf("%s: %s differs between identical runs", cfg.Scenario, name)
			}
		}
	}
}
