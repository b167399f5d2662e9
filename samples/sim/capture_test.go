package sim_test

// Tests of the capture-only counts and of the quiet capture, from the
// written files, with plain line scans.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// keyScan re-reads a scenario's files with plain line scans: the
// direction-free connections the fw tab dumps hold (entries and links),
// those the kernel debug's sync messages name, those it shows a DELETE
// for, and those its packet (correction, background) lines name.
type keyScan struct {
	dump, capture, deleted, packets map[ctuple]bool
	refreshPerSec                   map[int64]int64
}

func newKeyScan() *keyScan {
	return &keyScan{dump: map[ctuple]bool{}, capture: map[ctuple]bool{}, deleted: map[ctuple]bool{},
		packets: map[ctuple]bool{}, refreshPerSec: map[int64]int64{}}
}

// dumpLine records the key of a whole dump line "<dir, src, sport, dst,
// dport, proto; ...>" or a link line "<key> -> <key> (flags)" (its first
// key); anything else, damaged lines included, is ignored.
func (k *keyScan) dumpLine(line string) {
	entry := strings.HasSuffix(line, ">") && strings.Contains(line, "; ")
	link := strings.HasSuffix(line, ")") && strings.Contains(line, "> -> <")
	if !strings.HasPrefix(line, "<") || !entry && !link {
		return
	}
	end := strings.IndexAny(line, ";>")
	if end < 0 {
		return
	}
	w := strings.Split(line[1:end], ", ")
	if len(w) != 6 {
		return
	}
	for _, x := range w {
		if _, err := strconv.ParseUint(x, 16, 32); err != nil {
			return // a damaged line
		}
	}
	k.dump[canon(hexIP(w[1]), hexInt(w[2]), hexIP(w[3]), hexInt(w[4]), hexInt(w[5]))] = true
}

var rePacket = regexp.MustCompile(`<([\d.]+)\((\d+)\) -> ([\d.]+)\((\d+)\) IPP(\d+)>`)

// kdebugLine records what one kernel-debug line names.
func (k *keyScan) kdebugLine(line string) {
	if m := rePacket.FindStringSubmatch(line); m != nil {
		sp, _ := strconv.Atoi(m[2])
		dp, _ := strconv.Atoi(m[4])
		pr, _ := strconv.Atoi(m[5])
		k.packets[canon(m[1], sp, m[3], dp, pr)] = true
		return
	}
	_, rest, ok := strings.Cut(line, ": connections (8158) keys(6)=<")
	if !ok {
		return
	}
	head := line[:len(line)-len(rest)-len(": connections (8158) keys(6)=<")]
	op := head[strings.LastIndexByte(head, ';')+1:]
	keys, _, _ := strings.Cut(rest, ">")
	w := strings.Split(keys, ",")
	if len(w) != 6 {
		return
	}
	key := canon(hexIP(w[1]), hexInt(w[2]), hexIP(w[3]), hexInt(w[4]), hexInt(w[5]))
	k.capture[key] = true
	switch op {
	case "DELETE":
		k.deleted[key] = true
	case "REFRESH":
		if m := reKd.FindStringSubmatch(line); m != nil {
			ts, _ := strconv.ParseInt(m[1], 10, 64)
			k.refreshPerSec[ts/1e6]++
		}
	}
}

func (k *keyScan) lines(t *testing.T, data []byte, fn func(string)) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// counts are table, capture, capture-only and capture-only-deleted.
func (k *keyScan) counts() (table, capture, only, deleted int) {
	for key := range k.capture {
		if !k.dump[key] {
			only++
			if k.deleted[key] {
				deleted++
			}
		}
	}
	return len(k.dump), len(k.capture), only, deleted
}

func (k *keyScan) maxRefreshPerSecond() int64 {
	var m int64
	for _, n := range k.refreshPerSec {
		m = max(m, n)
	}
	return m
}

// checkCaptureCounts recounts the live set and the capture-only
// connections from the files and compares with truth.json.
func checkCaptureCounts(t *testing.T, dir string, tr jTruth) {
	t.Helper()
	k := newKeyScan()
	for _, f := range tr.Files {
		if strings.HasSuffix(f, "/fwtab.txt") {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			k.lines(t, b, k.dumpLine)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "kdebug.txt"))
	if err != nil {
		t.Fatal(err)
	}
	k.lines(t, b, k.kdebugLine)
	table, capture, only, deleted := k.counts()
	if tr.TableConns == nil || tr.CaptureConns == nil || tr.CaptureOnly == nil || tr.CaptureOnlyDel == nil {
		t.Fatal("truth.json lacks the capture counts")
	}
	if table != *tr.TableConns || capture != *tr.CaptureConns || only != *tr.CaptureOnly || deleted != *tr.CaptureOnlyDel {
		t.Errorf("recount: table %d capture %d only %d deleted %d; truth %d %d %d %d",
			table, capture, only, deleted, *tr.TableConns, *tr.CaptureConns, *tr.CaptureOnly, *tr.CaptureOnlyDel)
	}
	if table != tr.Connections {
		t.Errorf("table connections %d, connections %d", table, tr.Connections)
	}
	for key := range k.packets {
		if !k.dump[key] {
			t.Errorf("a packet line names %v, which no dump holds", key)
		}
	}
	if got := k.maxRefreshPerSecond(); got != tr.Kdebug.MaxRefreshPerS {
		t.Errorf("max REFRESH per second %d, truth %d", got, tr.Kdebug.MaxRefreshPerS)
	}
	if len(tr.Conns) > 0 { // TruthConns: the list is there too
		gotDel := 0
		for _, c := range tr.CaptureOnlyList {
			key := canon(c.Src, c.SPort, c.Dst, c.DPort, c.Proto)
			if !k.capture[key] || k.dump[key] || k.deleted[key] != c.Deleted {
				t.Errorf("capture_only_conns %v: in capture %v, in a dump %v, DELETE %v (truth %v)",
					key, k.capture[key], k.dump[key], k.deleted[key], c.Deleted)
			}
			if c.Deleted {
				gotDel++
			}
		}
		if len(tr.CaptureOnlyList) != only || gotDel != deleted {
			t.Errorf("capture_only_conns lists %d (%d deleted), recount %d (%d)", len(tr.CaptureOnlyList), gotDel, only, deleted)
		}
	}
}

// TestCaptureOnlyCounts: for a few seeds and both scenarios, the
// capture-only counts of truth.json are those a line scan of the files
// finds, most capture-only connections have a DELETE and a few do not.
func TestCaptureOnlyCounts(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		seed     uint64
		conns    int
		only     int
	}{
		{"switchover", 1, 40, 12}, {"switchover", 3, 40, 12}, {"switchover", 4, 200, 50}, {"switchover", 17, 120, 2},
		{"switchover", 3, 40, 0}, {"quiet", 2, 300, 80}, {"quiet", 9, 150, 1},
	} {
		t.Run(fmt.Sprintf("%s-%d-%d-%d", tc.scenario, tc.seed, tc.conns, tc.only), func(t *testing.T) {
			c := sim.DefaultConfig()
			if tc.scenario == "quiet" {
				c = sim.QuietConfig()
				c.CaptureSeconds = 2400
			}
			c.Seed, c.Conns, c.CaptureOnly = tc.seed, tc.conns, tc.only
			dir := t.TempDir()
			s, err := sim.New(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			tr := loadTruth(t, dir)
			checkCaptureCounts(t, dir, tr)
			if *tr.CaptureOnly != tc.only {
				t.Errorf("%d capture-only connections, config %d", *tr.CaptureOnly, tc.only)
			}
			if aged := *tr.CaptureOnly - *tr.CaptureOnlyDel; tc.only >= 2 && (aged < 1 || aged > tc.only/2) {
				t.Errorf("%d of %d capture-only connections have no DELETE, want a few", aged, tc.only)
			}
		})
	}
}

// TestQuietCapture: a quiet capture, long or dense, shows no switchover
// and no wave: its REFRESHes never exceed a small number in any second,
// over the whole capture, and the truth says so.
func TestQuietCapture(t *testing.T) {
	for _, tc := range []struct {
		name           string
		conns, only    int
		seconds        int
		seed           uint64
		bound          int64
		sgmsPerSite    int
		kdebugBytesMul float64 // of the natural size, 0 for natural
	}{
		{"4 hours", 1000, 300, 4 * 3600, 1, 40, 4, 0},
		{"dense 20 minutes", 8000, 1000, 1200, 2, 40, 4, 0},
		{"6 SGMs per site", 3000, 200, 3600, 3, 40, 6, 0},
		{"bytes beyond the capture", 600, 50, 900, 4, 40, 4, 2.5},
		{"bytes cut", 600, 50, 900, 5, 40, 4, 0.4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sim.QuietConfig()
			c.Conns, c.CaptureOnly, c.CaptureSeconds, c.Seed, c.SGMsPerSite = tc.conns, tc.only, tc.seconds, tc.seed, tc.sgmsPerSite
			c.TruthConns = false
			if tc.kdebugBytesMul > 0 {
				s, err := sim.New(c)
				if err != nil {
					t.Fatal(err)
				}
				st, err := s.KdebugStats()
				if err != nil {
					t.Fatal(err)
				}
				c.KdebugBytes = int64(float64(st.Bytes) * tc.kdebugBytesMul)
			}
			dir := t.TempDir()
			s, err := sim.New(c)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.WriteDir(dir); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "truth.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, field := range []string{`"switchover_at"`, `"switchover_wall"`, `"site_states_before"`} {
				if bytes.Contains(raw, []byte(field)) {
					t.Errorf("truth.json of a quiet capture has %s", field)
				}
			}
			tr := loadTruth(t, dir)
			if tr.Switchover == nil || *tr.Switchover || tr.SwitchoverAt != 0 || len(tr.Kdebug.Waves) != 0 {
				t.Errorf("truth: switchover %v at %v, %d waves", tr.Switchover, tr.SwitchoverAt, len(tr.Kdebug.Waves))
			}
			if tr.SiteStates["1"] != "active" || tr.SiteStates["2"] != "standby" || tr.OffActiveSite != 0 {
				t.Errorf("site states %v, %d owners off the active site", tr.SiteStates, tr.OffActiveSite)
			}
			checkCaptureCounts(t, dir, tr)

			b, err := os.ReadFile(filepath.Join(dir, "kdebug.txt"))
			if err != nil {
				t.Fatal(err)
			}
			k := newKeyScan()
			var last int64 = -1
			var setTimes = map[ctuple]int64{}
			var firstRefresh = map[ctuple]int64{}
			var deleteTime = map[ctuple]int64{}
			ri := int64(c.RefreshInterval) * 1e6
			k.lines(t, b, func(line string) {
				k.kdebugLine(line)
				if strings.Contains(line, "will not correct") {
					t.Errorf("a correction line in a quiet capture: %q", line)
				}
				m := reKd.FindStringSubmatch(line)
				if m == nil {
					t.Fatalf("no timestamp: %q", line)
				}
				ts, _ := strconv.ParseInt(m[1], 10, 64)
				if ts < last {
					t.Fatalf("time goes back at %q", line)
				}
				last = ts
				om := reKdOp.FindStringSubmatch(line)
				if om == nil {
					return
				}
				w := strings.Split(om[2], ",")
				key := canon(hexIP(w[1]), hexInt(w[2]), hexIP(w[3]), hexInt(w[4]), hexInt(w[5]))
				switch om[1] {
				case "SET":
					if _, ok := setTimes[key]; !ok && om[6] != "00000000" {
						setTimes[key] = ts
					}
				case "REFRESH":
					if _, ok := firstRefresh[key]; !ok {
						firstRefresh[key] = ts
					}
					if d, ok := deleteTime[key]; ok && ts > d {
						t.Errorf("%v: REFRESH at %d after its DELETE at %d", key, ts, d)
					}
				case "DELETE":
					deleteTime[key] = ts
				}
			})
			var refresh int64
			for _, n := range k.refreshPerSec {
				refresh += n
			}
			span := float64(last) / 1e6
			mean := float64(refresh) / span
			got := k.maxRefreshPerSecond()
			if got > tc.bound || float64(got) > 2*mean+4 || got != tr.Kdebug.MaxRefreshPerS {
				t.Errorf("max %d REFRESH in a second (truth %d), mean %.1f/s, bound %d", got, tr.Kdebug.MaxRefreshPerS, mean, tc.bound)
			}
			// Every second of the capture after the first interval has
			// REFRESHes: steady, no gap and no burst.
			for sec := int64(c.RefreshInterval); sec < int64(span); sec++ {
				if k.refreshPerSec[sec] == 0 && mean > 3 {
					t.Errorf("no REFRESH in second %d (mean %.1f/s)", sec, mean)
					break
				}
			}
			// A connection opened during the capture first refreshes
			// about an interval later.
			for key, st := range setTimes {
				if fr, ok := firstRefresh[key]; ok && (fr-st < ri/2 || fr-st > ri*3/2+1e6) {
					t.Errorf("%v: SET at %d, first REFRESH at %d", key, st, fr)
				}
			}
			natural := int64(tc.seconds) * 1e6
			switch {
			case tc.kdebugBytesMul > 1:
				if last < natural || int64(len(b)) < c.KdebugBytes {
					t.Errorf("capture of %d bytes ends at %d µs, want past %d and %d bytes", len(b), last, natural, c.KdebugBytes)
				}
			case tc.kdebugBytesMul > 0:
				if last >= natural || int64(len(b)) < c.KdebugBytes || int64(len(b)) > c.KdebugBytes+2048 {
					t.Errorf("cut capture of %d bytes ends at %d µs, want %d bytes", len(b), last, c.KdebugBytes)
				}
			case last >= natural || last < natural-int64(c.RefreshInterval)*1e6:
				t.Errorf("capture ends at %d µs, want just before %d", last, natural)
			}
		})
	}
}
