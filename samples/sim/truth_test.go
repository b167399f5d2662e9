package sim_test

// These tests check truth.json against the generated files without using
// the generator's internals: a small regexp parser re-reads the dumps,
// gconn tables and kernel debug, and recomputes the answers.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// jTruth mirrors the parts of truth.json the tests read.
type jTruth struct {
	Switchover       *bool             `json:"switchover"`
	SiteStatesBefore map[string]string `json:"site_states_before"`
	TableConns       *int              `json:"table_connections"`
	CaptureConns     *int              `json:"capture_connections"`
	CaptureOnly      *int              `json:"capture_only_connections"`
	CaptureOnlyDel   *int              `json:"capture_only_deleted"`
	CaptureOnlyList  []struct {
		Src     string `json:"src"`
		SPort   int    `json:"sport"`
		Dst     string `json:"dst"`
		DPort   int    `json:"dport"`
		Proto   int    `json:"proto"`
		Deleted bool   `json:"deleted"`
	} `json:"capture_only_conns"`
	Connections   int               `json:"connections"`
	SiteStates    map[string]string `json:"site_states"`
	RiskWindow    int               `json:"risk_window"`
	SwitchoverAt  int               `json:"switchover_at"`
	OwnersBySGM   map[string]int    `json:"owners_by_sgm"`
	OwnerUnknown  int               `json:"owner_unknown"`
	OffActiveSite int               `json:"off_active_site"`
	DumpSGMs      []string          `json:"dump_sgms"`
	Files         []string          `json:"files"`
	AtRisk        []struct {
		Src    string `json:"src"`
		SPort  int    `json:"sport"`
		Dst    string `json:"dst"`
		DPort  int    `json:"dport"`
		Proto  int    `json:"proto"`
		Min    int    `json:"min_remaining"`
		MinSGM string `json:"min_sgm"`
		Max    int    `json:"max_remaining"`
	} `json:"at_risk"`
	BadLines []struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"bad_lines"`
	Kdebug struct {
		Lines        int64            `json:"lines"`
		Bytes        int64            `json:"bytes"`
		MessagesByOp map[string]int64 `json:"messages_by_op"`
		Waves        []struct {
			StartS   int64   `json:"start_s"`
			SpreadS  float64 `json:"spread_s"`
			Messages int64   `json:"messages"`
		} `json:"refresh_waves"`
		CorrectionLines int64 `json:"correction_lines"`
		FirstUs         int64 `json:"first_us"`
		LastUs          int64 `json:"last_us"`
		MaxRefreshPerS  int64 `json:"max_refresh_per_second"`
	} `json:"kdebug"`
	Conns []struct {
		Src     string `json:"src"`
		SPort   int    `json:"sport"`
		Dst     string `json:"dst"`
		DPort   int    `json:"dport"`
		Proto   int    `json:"proto"`
		OwnerID int    `json:"owner_id"`
		Owner   string `json:"owner"`
		Mask    string `json:"mask"`
		Holders []struct {
			SGM       string `json:"sgm"`
			Remaining int    `json:"remaining"`
			Timeout   int    `json:"timeout"`
		} `json:"holders"`
	} `json:"conns"`
}

// ctuple is a direction-free tuple: endpoints ordered.
type ctuple struct {
	a     string
	ap    int
	b     string
	bp    int
	proto int
}

func canon(src string, sp int, dst string, dp int, proto int) ctuple {
	if src > dst || (src == dst && sp > dp) {
		src, sp, dst, dp = dst, dp, src, sp
	}
	return ctuple{src, sp, dst, dp, proto}
}

func hexIP(h string) string {
	v, _ := strconv.ParseUint(h, 16, 32)
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&255, v>>8&255, v&255)
}

func hexInt(h string) int {
	v, _ := strconv.ParseUint(h, 16, 32)
	return int(v)
}

const h8 = `([0-9a-f]{8})`

var (
	reKey   = `<` + h8 + `, ` + h8 + `, ` + h8 + `, ` + h8 + `, ` + h8 + `, ` + h8
	reEntry = regexp.MustCompile(`^` + reKey + `; ((?:[0-9a-f]{8}, )*[0-9a-f]{8}); [0-9a-f]{8} ; (\d+)/(\d+)>$`)
	reLink  = regexp.MustCompile(`^` + reKey + `> -> ` + reKey + `> \([0-9a-f]{8}\)$`)
	reGconn = regexp.MustCompile(`^\| (\d+) \| ([\d.]+) \| (\d+) \| ([\d.]+) \| (\d+) \| (\d+) \|[^|]*\|[^|]*\|[^|]*\|[^|]*\|[^|]*\| (\d+) \|`)
	reSGM   = regexp.MustCompile(`sgm-(\d_\d\d)/`)
)

type holding struct {
	sgm            string
	remaining, tmo int
	owner          int
}

type parsed struct {
	holds   map[ctuple][]holding
	bad     map[string]bool // "file:line"
	entries map[string]int  // per SGM
	links   map[string]int
}

func parseFwTab(t *testing.T, dir, rel string, p *parsed) {
	t.Helper()
	sgm := reSGM.FindStringSubmatch(rel)[1]
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[ctuple]bool{}
	var linkTargets []ctuple
	for n, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if n < 3 {
			continue // header
		}
		if m := reEntry.FindStringSubmatch(line); m != nil {
			vals := strings.Split(m[7], ", ")
			if m[1] != "00000000" || len(vals) != 34 {
				t.Errorf("%s:%d: dir %s, %d values", rel, n+1, m[1], len(vals))
			}
			k := canon(hexIP(m[2]), hexInt(m[3]), hexIP(m[4]), hexInt(m[5]), hexInt(m[6]))
			rem, _ := strconv.Atoi(m[8])
			tmo, _ := strconv.Atoi(m[9])
			p.holds[k] = append(p.holds[k], holding{sgm, rem, tmo, hexInt(vals[13]) >> 11 & 0x3f})
			keys[k] = true
			p.entries[sgm]++
			continue
		}
		if m := reLink.FindStringSubmatch(line); m != nil {
			from := canon(hexIP(m[2]), hexInt(m[3]), hexIP(m[4]), hexInt(m[5]), hexInt(m[6]))
			to := canon(hexIP(m[8]), hexInt(m[9]), hexIP(m[10]), hexInt(m[11]), hexInt(m[12]))
			if from != to || m[1] != "00000001" || m[7] != "00000000" {
				t.Errorf("%s:%d: odd link %q", rel, n+1, line)
			}
			linkTargets = append(linkTargets, to)
			p.links[sgm]++
			continue
		}
		p.bad[fmt.Sprintf("%s:%d", rel, n+1)] = true
	}
	for _, k := range linkTargets {
		if !keys[k] {
			t.Errorf("%s: link to %v without an entry", rel, k)
		}
	}
}

func loadTruth(t *testing.T, dir string) jTruth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr jTruth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func sgmName(id int) string {
	if id < 0 || id >= 28 {
		return ""
	}
	return fmt.Sprintf("%d_%02d", id/14+1, id%14+1)
}

func TestTruthAgainstFiles(t *testing.T) {
	cases := map[string]func(*sim.Config){
		"standby": func(*sim.Config) {},
		"down":    func(c *sim.Config) { c.After = "down" },
		"one-sgm-down": func(c *sim.Config) {
			c.SGMsPerSite, c.IncludeSeedConn, c.After, c.AtRiskPct, c.Seed = 1, false, "down", 0, 7
		},
		"two-sgms": func(c *sim.Config) { c.SGMsPerSite, c.IncludeSeedConn, c.AtRiskPct, c.Seed = 2, false, 25, 3 },
		"full-site": func(c *sim.Config) {
			c.SGMsPerSite, c.Conns, c.BadLines, c.UDPPct, c.Seed = 14, 500, 11, 30, 99
		},
		"capture-only":      func(c *sim.Config) { c.CaptureOnly, c.Seed = 25, 5 },
		"capture-only-down": func(c *sim.Config) { c.CaptureOnly, c.After, c.Waves, c.Seed = 9, "down", 4, 6 },
		"quiet": func(c *sim.Config) {
			c.Scenario, c.Conns, c.CaptureOnly, c.CaptureSeconds, c.AtRiskPct = "quiet", 400, 60, 1800, 5
		},
		"quiet-one-sgm": func(c *sim.Config) {
			c.Scenario, c.SGMsPerSite, c.IncludeSeedConn, c.AtRiskPct, c.CaptureOnly, c.CaptureSeconds, c.Seed = "quiet", 1, false, 0, 7, 600, 8
		},
	}
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			c := sim.DefaultConfig()
			c.BadLines = 6
			c.UnknownOwner = 3
			mod(&c)
			dir := t.TempDir()
			s, err := sim.New(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			checkDir(t, dir, c)
		})
	}
}

func checkDir(t *testing.T, dir string, c sim.Config) {
	t.Helper()
	tr := loadTruth(t, dir)
	p := &parsed{holds: map[ctuple][]holding{}, bad: map[string]bool{}, entries: map[string]int{}, links: map[string]int{}}
	var sgms []string
	for _, f := range tr.Files {
		if strings.HasSuffix(f, "/fwtab.txt") {
			parseFwTab(t, dir, f, p)
			sgms = append(sgms, reSGM.FindStringSubmatch(f)[1])
		}
	}
	if !slices.Equal(sgms, tr.DumpSGMs) {
		t.Errorf("dump files for %v, truth says %v", sgms, tr.DumpSGMs)
	}
	for _, sgm := range sgms {
		site := sgm[:1]
		if tr.SiteStates[site] == "down" {
			t.Errorf("SGM %s on a DOWN site has a dump", sgm)
		}
		if p.entries[sgm] != p.links[sgm] {
			t.Errorf("%s: %d entries, %d links", sgm, p.entries[sgm], p.links[sgm])
		}
	}

	// Connections and owners.
	if len(p.holds) != tr.Connections || len(tr.Conns) != tr.Connections {
		t.Errorf("dumps hold %d connections, truth says %d (conns list %d)", len(p.holds), tr.Connections, len(tr.Conns))
	}
	owners := map[string]int{}
	unknown, off := 0, 0
	for k, hs := range p.holds {
		for _, h := range hs[1:] {
			if h.owner != hs[0].owner {
				t.Errorf("%v: owners differ across holders", k)
			}
		}
		name := sgmName(hs[0].owner)
		if name == "" {
			unknown++
			continue
		}
		owners[name]++
		if tr.SiteStates[name[:1]] != "active" {
			off++
		}
	}
	if fmt.Sprint(owners) != fmt.Sprint(tr.OwnersBySGM) || unknown != tr.OwnerUnknown || off != tr.OffActiveSite {
		t.Errorf("owners %v unknown %d off %d; truth %v %d %d", owners, unknown, off, tr.OwnersBySGM, tr.OwnerUnknown, tr.OffActiveSite)
	}
	if unknown != c.UnknownOwner {
		t.Errorf("%d unknown owners, config %d", unknown, c.UnknownOwner)
	}

	// Per-connection holders and masks.
	for _, tc := range tr.Conns {
		k := canon(tc.Src, tc.SPort, tc.Dst, tc.DPort, tc.Proto)
		hs := p.holds[k]
		var got, want []string
		for _, h := range hs {
			got = append(got, fmt.Sprintf("%s=%d/%d", h.sgm, h.remaining, h.tmo))
		}
		var mask uint64
		if _, err := fmt.Sscanf(tc.Mask, "0x%x", &mask); err != nil {
			t.Fatalf("truth mask %q: %v", tc.Mask, err)
		}
		for _, h := range tc.Holders {
			want = append(want, fmt.Sprintf("%s=%d/%d", h.SGM, h.Remaining, h.Timeout))
			id := (int(h.SGM[0]-'1'))*14 + int(h.SGM[2]-'0')*10 + int(h.SGM[3]-'0') - 1
			if mask&(1<<id) == 0 {
				t.Errorf("%v: holder %s not in mask %s", k, h.SGM, tc.Mask)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%v: holders %v, truth %v", k, got, want)
		}
		if len(hs) > 0 && hs[0].owner != tc.OwnerID || sgmName(tc.OwnerID) != tc.Owner {
			t.Errorf("%v: owner id %d/%q", k, tc.OwnerID, tc.Owner)
		}
		if tc.OwnerID < 28 && mask&(1<<tc.OwnerID) == 0 {
			t.Errorf("%v: owner not in mask %s", k, tc.Mask)
		}
	}

	// At-risk set by the rule.
	R := tr.RiskWindow
	var risk []string
	for k, hs := range p.holds {
		mn, mx, minSGM := hs[0].remaining, hs[0].remaining, hs[0].sgm
		for _, h := range hs {
			if h.remaining < mn {
				mn, minSGM = h.remaining, h.sgm
			}
			mx = max(mx, h.remaining)
		}
		if hs[0].tmo > 2*R && mn < R && mx > hs[0].tmo-R {
			risk = append(risk, fmt.Sprintf("%v min=%d@%s max=%d", k, mn, minSGM, mx))
		}
	}
	var want []string
	for i, r := range tr.AtRisk {
		want = append(want, fmt.Sprintf("%v min=%d@%s max=%d", canon(r.Src, r.SPort, r.Dst, r.DPort, r.Proto), r.Min, r.MinSGM, r.Max))
		if i > 0 && r.Min < tr.AtRisk[i-1].Min {
			t.Error("at_risk not sorted by min_remaining")
		}
	}
	slices.Sort(risk)
	slices.Sort(want)
	if !slices.Equal(risk, want) {
		t.Errorf("at risk from dumps:\n%v\ntruth:\n%v", risk, want)
	}

	// Bad lines: every rejected line is in truth, and vice versa (per-SGM
	// files here; fwtab-all below).
	var badGot, badWant []string
	for k := range p.bad {
		badGot = append(badGot, k)
	}
	for _, b := range tr.BadLines {
		if b.File != "fwtab-all.txt" {
			badWant = append(badWant, fmt.Sprintf("%s:%d", b.File, b.Line))
		}
	}
	slices.Sort(badGot)
	slices.Sort(badWant)
	if !slices.Equal(badGot, badWant) || len(badWant) != c.BadLines {
		t.Errorf("bad lines found %v, truth %v", badGot, badWant)
	}

	checkFwTabAll(t, dir, tr)
	checkGconn(t, dir, tr, p)
	checkKdebug(t, dir, tr, c)
	checkCaptureCounts(t, dir, tr)
}

// checkFwTabAll: fwtab-all.txt is the banners plus the per-SGM dumps, and
// its bad lines are where truth says.
func checkFwTabAll(t *testing.T, dir string, tr jTruth) {
	t.Helper()
	all, err := os.ReadFile(filepath.Join(dir, "fwtab-all.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	for _, sgm := range tr.DumpSGMs {
		b, _ := os.ReadFile(filepath.Join(dir, "sgm-"+sgm, "fwtab.txt"))
		fmt.Fprintf(&want, "-*- 1 blade: %s -*-\n", sgm)
		want.Write(b)
	}
	if !bytes.Equal(all, want.Bytes()) {
		t.Error("fwtab-all.txt is not the banner-joined per-SGM dumps")
	}
	lines := strings.Split(string(all), "\n")
	n := 0
	for _, b := range tr.BadLines {
		if b.File != "fwtab-all.txt" {
			continue
		}
		n++
		l := lines[b.Line-1]
		if reEntry.MatchString(l) || reLink.MatchString(l) {
			t.Errorf("fwtab-all.txt:%d is not damaged: %q", b.Line, l)
		}
		if b.Reason == "non-hex word" && !strings.Contains(l, "zzzzzzzz") {
			t.Errorf("fwtab-all.txt:%d lacks the non-hex word", b.Line)
		}
	}
	if n != len(tr.BadLines)/2 {
		t.Errorf("%d fwtab-all bad lines of %d", n, len(tr.BadLines))
	}
}

// checkGconn: one row per direction per held connection, owner = the
// fw tab owner.
func checkGconn(t *testing.T, dir string, tr jTruth, p *parsed) {
	t.Helper()
	owner := map[ctuple]int{}
	for k, hs := range p.holds {
		owner[k] = hs[0].owner
	}
	for _, sgm := range tr.DumpSGMs {
		f, err := os.Open(filepath.Join(dir, "sgm-"+sgm, "gconn.txt"))
		if err != nil {
			t.Fatal(err)
		}
		rows := map[ctuple]int{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			m := reGconn.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			sp, _ := strconv.Atoi(m[3])
			dp, _ := strconv.Atoi(m[5])
			pr, _ := strconv.Atoi(m[6])
			id, _ := strconv.Atoi(m[7])
			k := canon(m[2], sp, m[4], dp, pr)
			rows[k]++
			if o, ok := owner[k]; !ok || o != id {
				t.Errorf("%s gconn: %v owner %d, fw tab says %d (%v)", sgm, k, id, o, ok)
			}
		}
		f.Close()
		if len(rows) != p.entries[sgm] {
			t.Errorf("%s gconn: %d connections, fw tab %d", sgm, len(rows), p.entries[sgm])
		}
		for k, n := range rows {
			if n != 2 {
				t.Errorf("%s gconn: %v has %d rows", sgm, k, n)
			}
		}
	}
}

var (
	reKd     = regexp.MustCompile(`^@;(\d+);`)
	reKdOp   = regexp.MustCompile(`^@;\d+;\[vs_0\];\[tid_\d+\];\[fw4_\d+\];([A-Z]+): connections \(8158\) keys\(6\)=<([0-9a-f,]+)>( vals\((\d+)\)=<([0-9a-f,]+)>)? sync_mask=\[(0x[0-9a-f]{8}|00000000| 0x[0-9a-f]{8})\] `)
	reKdCorr = regexp.MustCompile(`chassis (\d) is ([A-Z]+) in VS0, will not correct;$`)
)

func checkKdebug(t *testing.T, dir string, tr jTruth, c sim.Config) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kdebug.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != tr.Kdebug.Bytes {
		t.Errorf("kdebug %d bytes, truth %d", len(b), tr.Kdebug.Bytes)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if int64(len(lines)) != tr.Kdebug.Lines {
		t.Errorf("kdebug %d lines, truth %d", len(lines), tr.Kdebug.Lines)
	}
	ops := map[string]int64{}
	corr := int64(0)
	last := int64(-1)
	waves := make([]int64, len(tr.Kdebug.Waves))
	t0 := int64(tr.SwitchoverAt) * 1e6
	seedSetT0 := ""
	for n, l := range lines {
		m := reKd.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("kdebug:%d: no timestamp: %q", n+1, l)
		}
		ts, _ := strconv.ParseInt(m[1], 10, 64)
		if ts < last {
			t.Fatalf("kdebug:%d: time goes back", n+1)
		}
		last = ts
		if cm := reKdCorr.FindStringSubmatch(l); cm != nil {
			corr++
			if cm[1] != "0" || cm[2] != strings.ToUpper(c.After) || ts < t0 {
				t.Errorf("kdebug:%d: odd correction line", n+1)
			}
			continue
		}
		om := reKdOp.FindStringSubmatch(l)
		if om == nil {
			if !strings.Contains(l, "fwha_ccl_inbound: no need to correct") {
				t.Errorf("kdebug:%d: unknown line %q", n+1, l)
			}
			continue
		}
		ops[om[1]]++
		if om[1] != "DELETE" && (om[4] != "34" || strings.Count(om[5], ",") != 33) {
			t.Errorf("kdebug:%d: vals count", n+1)
		}
		if om[1] == "REFRESH" {
			for w, wv := range tr.Kdebug.Waves {
				if ts >= wv.StartS*1e6 && float64(ts) < float64(wv.StartS)*1e6+wv.SpreadS*1e6 {
					waves[w]++
				}
			}
		}
		if om[1] == "SET" && om[2] == "0,ac103d02,77d3,ac103d42,b3,6" && ts >= t0 && seedSetT0 == "" {
			seedSetT0 = om[6]
		}
	}
	if fmt.Sprint(ops) != fmt.Sprint(tr.Kdebug.MessagesByOp) || corr != tr.Kdebug.CorrectionLines {
		t.Errorf("ops %v corr %d; truth %v %d", ops, corr, tr.Kdebug.MessagesByOp, tr.Kdebug.CorrectionLines)
	}
	wantWaves := c.Waves
	if c.Scenario == "quiet" {
		wantWaves = 0
	}
	if len(waves) != wantWaves {
		t.Errorf("%d waves, want %d", len(waves), wantWaves)
	}
	for w, n := range waves {
		if n != tr.Kdebug.Waves[w].Messages || n == 0 {
			t.Errorf("wave %d: %d REFRESH lines in its window, truth %d", w, n, tr.Kdebug.Waves[w].Messages)
		}
		if want := int64(c.SwitchoverAt + w*c.RefreshInterval); tr.Kdebug.Waves[w].StartS != want {
			t.Errorf("wave %d starts at %d, want %d", w, tr.Kdebug.Waves[w].StartS, want)
		}
	}
	want := map[string]string{"standby": "0x00038006", "down": "0x00038002"}[c.After]
	if c.IncludeSeedConn && c.Scenario != "quiet" && seedSetT0 != want {
		t.Errorf("seed connection's SET at T0 has mask %q, want %s", seedSetT0, want)
	}
}
