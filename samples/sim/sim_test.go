package sim

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
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
