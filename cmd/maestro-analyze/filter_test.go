package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
	"github.com/maestro-analyze/maestro-analyze/samples/sim/simtest"
)

// filterCount runs filter with args and -c and returns the count it prints.
func filterCount(t *testing.T, stdin string, args ...string) int64 {
	t.Helper()
	code, out, errs := runIn(t, stdin, append([]string{"filter", "-c"}, args...)...)
	if code != 0 && code != 1 {
		t.Fatalf("filter %v: status %d\n%s", args, code, errs)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("filter %v -c printed %q", args, out)
	}
	if (n > 0) != (code == 0) {
		t.Errorf("filter %v: %d matches, status %d", args, n, code)
	}
	return n
}

// ownerLines is how many sync lines of the capture name owner id (SET and
// REFRESH: every line with vals), by the truth; op "" for all ops.
func ownerLines(tr sim.Truth, id int, op string) int64 {
	var n int64
	for o, m := range tr.Kdebug.OwnerLines[id] {
		if op == "" || o == op {
			n += m
		}
	}
	return n
}

// heldLines is how many lines of a dump in the fw tab -u form (an entry
// and a link per holder) or of gconn tables (a row per direction and
// holder) name the connections keep accepts, held by an SGM of sgms (all
// when nil).
func heldLines(tr sim.Truth, keep func(c *sim.ConnTruth) bool, sgms ...string) int64 {
	var n int64
	for i := range tr.Conns {
		c := &tr.Conns[i]
		if !keep(c) {
			continue
		}
		for _, h := range c.Holders {
			if len(sgms) == 0 || contains(sgms, h.SGM) {
				n += 2
			}
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sgmName(id int) string { return fmt.Sprintf("%d_%02d", id/14+1, id%14+1) }

func lines(s string) int64 { return int64(strings.Count(s, "\n")) }

// TestFilterOwnerCapture: the lines of each owner in a simulated capture
// are the truth's sync lines with vals of that owner (DELETE lines carry
// none), in all and per op; those of owners outside the layout too.
func TestFilterOwnerCapture(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns, cfg.CaptureOnly = 7, 300, 20
	dir, tr := simtest.Dir(t, cfg)
	capture := filepath.Join(dir, sim.FileKdebug)
	checked := 0
	for id := range 28 {
		want := ownerLines(tr, id, "")
		if got := filterCount(t, "", "--owner", sgmName(id), capture); got != want {
			t.Errorf("--owner %s: %d lines, truth %d", sgmName(id), got, want)
		}
		if want > 0 {
			checked++
		}
		for _, op := range []string{"SET", "REFRESH", "DELETE"} {
			want := ownerLines(tr, id, op)
			if got := filterCount(t, "", "--owner", sgmName(id), "--op", strings.ToLower(op), capture); got != want {
				t.Errorf("--owner %s --op %s: %d lines, truth %d", sgmName(id), op, got, want)
			}
		}
	}
	if checked < 6 {
		t.Fatalf("only %d owners with lines: the scenario does not test much", checked)
	}
	var outside int64
	for id := 28; id < 64; id++ {
		outside += ownerLines(tr, id, "")
	}
	if outside == 0 {
		t.Fatal("no line of an owner outside the layout in the capture")
	}
	if got := filterCount(t, "", "--outside-layout", capture); got != outside {
		t.Errorf("--outside-layout: %d lines, truth %d", got, outside)
	}
	// Two owners: the sum.
	want := ownerLines(tr, 0, "") + ownerLines(tr, 15, "")
	if got := filterCount(t, "", "--owner", "1_01,2_02", capture); got != want {
		t.Errorf("--owner 1_01,2_02: %d lines, truth %d", got, want)
	}
	// The raw lines are the capture's lines, and each names the owner.
	_, out, _ := runIn(t, "", "filter", "--owner", "1_03", capture)
	if lines(out) != ownerLines(tr, 2, "") {
		t.Errorf("--owner 1_03 printed %d lines, truth %d", lines(out), ownerLines(tr, 2, ""))
	}
	assertSubsequence(t, out, readFile(t, capture))
}

// TestFilterOwnerDump: in fw tab -u dumps, per SGM and in the g_all form,
// an owner's lines are its connections' full entries and their link
// lines (the simulator prints them in hash order: links often come before
// their entry); gconn rows by clstr mem ID.
func TestFilterOwnerDump(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns, cfg.BadLines = 5, 400, 4
	dir, tr := simtest.Dir(t, cfg)
	for _, owner := range []int{1, 2, 15} {
		of := func(c *sim.ConnTruth) bool { return c.OwnerID == owner }
		for _, sgm := range tr.DumpSGMs {
			want := heldLines(tr, of, sgm)
			for _, file := range []string{sim.FileFwTab, sim.FileGconn} {
				path := filepath.Join(dir, "sgm-"+sgm, file)
				if got := filterCount(t, "", "--owner", sgmName(owner), path); got != want {
					t.Errorf("--owner %s %s: %d lines, truth %d", sgmName(owner), path, got, want)
				}
			}
		}
		all := filepath.Join(dir, sim.FileFwTabAll)
		want := heldLines(tr, of)
		if got := filterCount(t, "", "--owner", sgmName(owner), all); got != want {
			t.Errorf("--owner %s g_all: %d lines, truth %d", sgmName(owner), got, want)
		}
		// The same from stdin (kept in a temporary file for the two passes).
		if got := filterCount(t, readFile(t, all), "--owner", sgmName(owner)); got != want {
			t.Errorf("--owner %s g_all on stdin: %d lines, truth %d", sgmName(owner), got, want)
		}
	}
	// A link line before its entry exists in the dump, so the two passes
	// are tested.
	if !linkBeforeEntry(readFile(t, filepath.Join(dir, sim.FileFwTabAll))) {
		t.Fatal("no link line before its entry in the dump")
	}
}

// linkBeforeEntry reports whether some link line of dump comes before the
// full entry it links.
func linkBeforeEntry(dump string) bool {
	seen := map[string]bool{}
	for _, l := range strings.Split(dump, "\n") {
		if i := strings.Index(l, " -> <"); i > 0 {
			target := l[i+4:]
			if j := strings.IndexByte(target, '>'); j > 0 && !seen[target[1:j]] {
				return true
			}
			continue
		}
		if strings.HasPrefix(l, "<") {
			if j := strings.IndexByte(l, ';'); j > 0 {
				seen[l[1:j]] = true
			}
		}
	}
	return false
}

// TestFilterOffActive: after a switchover, the lines of owners on the
// site that is no longer ACTIVE, the site states read from the capture's
// correction lines (or --sites on stdin).
func TestFilterOffActive(t *testing.T) {
	for _, after := range []string{sim.StateStandby, sim.StateDown} {
		t.Run(after, func(t *testing.T) {
			cfg := sim.DefaultConfig()
			cfg.Seed, cfg.Conns, cfg.After = 11, 300, after
			dir, tr := simtest.Dir(t, cfg)
			if tr.SiteStates["1"] == "active" || tr.SiteStates["2"] != "active" {
				t.Fatalf("site states %v", tr.SiteStates)
			}
			off := func(c *sim.ConnTruth) bool { return c.Owner != "" && c.Owner[0] == '1' }
			code, out, errs := runIn(t, "", "filter", "--off-active", "-c", "-H", dir)
			if code != 0 {
				t.Fatalf("status %d: %s", code, errs)
			}
			counts := map[string]int64{}
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				i := strings.LastIndexByte(l, ':')
				n, _ := strconv.ParseInt(l[i+1:], 10, 64)
				counts[filepath.ToSlash(strings.TrimPrefix(l[:i], dir+"/"))] = n
			}
			if got, want := counts[sim.FileFwTabAll], heldLines(tr, off); got != want || want == 0 {
				t.Errorf("fwtab-all.txt: %d lines, truth %d", got, want)
			}
			for _, sgm := range tr.DumpSGMs {
				f := "sgm-" + sgm + "/" + sim.FileGconn
				if got, want := counts[f], heldLines(tr, off, sgm); got != want {
					t.Errorf("%s: %d lines, truth %d", f, got, want)
				}
			}
			var kd int64
			for id := range 14 {
				kd += ownerLines(tr, id, "")
			}
			if got := counts[sim.FileKdebug]; got != kd {
				t.Errorf("kdebug.txt: %d lines, truth %d", got, kd)
			}
			all := readFile(t, filepath.Join(dir, sim.FileFwTabAll))
			if got := filterCount(t, all, "--sites", "1="+after+",2=active", "--off-active", "-"); got != heldLines(tr, off) {
				t.Errorf("stdin with --sites: %d lines, truth %d", got, heldLines(tr, off))
			}
			// A dump says nothing of the site states: an error, not a guess.
			if code, _, errs := runIn(t, all, "filter", "--off-active"); code != 2 || !strings.Contains(errs, "--sites") {
				t.Errorf("--off-active on a dump alone: status %d, %s", code, errs)
			}
		})
	}
}

// TestFilterWindow: the lines of a window around each REFRESH wave are the
// truth's lines of those seconds, and its REFRESHes those of the owners.
func TestFilterWindow(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns = 3, 300
	dir, tr := simtest.Dir(t, cfg)
	capture := filepath.Join(dir, sim.FileKdebug)
	if len(tr.Kdebug.RefreshWaves) == 0 {
		t.Fatal("no REFRESH wave")
	}
	for _, w := range tr.Kdebug.RefreshWaves {
		from, to := w.StartS-2, w.StartS+3
		var all, refresh int64
		for s := from; s < to; s++ {
			all += tr.Kdebug.LineSeconds[s]
			for _, m := range tr.Kdebug.OwnerSeconds {
				refresh += m[s][1]
			}
		}
		args := []string{"--from", strconv.FormatInt(from, 10), "--to", strconv.FormatInt(to, 10), capture}
		if got := filterCount(t, "", args...); got != all {
			t.Errorf("wave at %d s, [%d, %d): %d lines, truth %d", w.StartS, from, to, got, all)
		}
		if got := filterCount(t, "", append([]string{"--op", "REFRESH"}, args...)...); got != refresh || refresh < w.Messages {
			t.Errorf("wave at %d s: %d REFRESH lines, truth %d (the wave %d)", w.StartS, got, refresh, w.Messages)
		}
	}
	// In microseconds, as the stamps are.
	w := tr.Kdebug.RefreshWaves[0]
	got := filterCount(t, "", "--ts-unit", "s", "--from", strconv.FormatInt(w.StartS*1e6, 10), "--to", strconv.FormatInt((w.StartS+1)*1e6, 10), capture)
	if want := tr.Kdebug.LineSeconds[w.StartS]; got != want {
		t.Errorf("--ts-unit s: %d lines in second %d, truth %d", got, w.StartS, want)
	}
}

// TestFilterConn: a connection's lines, given in either direction: its
// sync and correction lines in the capture, its entry and link per holder
// in the dump.
func TestFilterConn(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns = 9, 200
	dir, tr := simtest.Dir(t, cfg)
	capture, dump := filepath.Join(dir, sim.FileKdebug), filepath.Join(dir, sim.FileFwTabAll)
	tested := 0
	for i := 0; i < len(tr.Conns) && tested < 5; i += 17 {
		c := tr.Conns[i]
		fwd := fmt.Sprintf("%s:%d-%s:%d/%d", c.Src, c.SPort, c.Dst, c.DPort, c.Proto)
		rev := fmt.Sprintf("%s:%d -> %s:%d %d", c.Dst, c.DPort, c.Src, c.SPort, c.Proto)
		want := tr.Kdebug.ConnLines[i]
		if want == 0 {
			continue
		}
		tested++
		for _, tuple := range []string{fwd, rev} {
			if got := filterCount(t, "", "--conn", tuple, capture); got != want {
				t.Errorf("--conn %s capture: %d lines, truth %d", tuple, got, want)
			}
			if got, want := filterCount(t, "", "--conn", tuple, dump), 2*int64(len(c.Holders)); got != want {
				t.Errorf("--conn %s dump: %d lines, truth %d", tuple, got, want)
			}
		}
		// With -v (no prefilter) the complement.
		if got, total := filterCount(t, "", "-v", "--conn", fwd, capture), tr.Kdebug.Lines; got != total-want {
			t.Errorf("-v --conn %s: %d lines, truth %d", fwd, got, total-want)
		}
	}
	if tested == 0 {
		t.Fatal("no connection tested")
	}
}

// TestFilterThenStorms: a capture cut to one owner and read back by
// storms from stdin gives that owner's messages and REFRESHes per second.
func TestFilterThenStorms(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns = 3, 300
	dir, tr := simtest.Dir(t, cfg)
	for _, id := range []int{0, 2, 15} {
		code, cut, errs := runIn(t, "", "filter", "--owner", sgmName(id), filepath.Join(dir, sim.FileKdebug))
		if code != 0 {
			t.Fatalf("filter: %d %s", code, errs)
		}
		code, csv, errs := runIn(t, cut, "storms", "--format", "csv", "-")
		if code != 0 {
			t.Fatalf("storms: %d %s", code, errs)
		}
		got := map[int64][2]int64{}
		for _, row := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
			f := strings.Split(row, ",")
			sec, _ := strconv.ParseInt(f[0], 10, 64)
			m, _ := strconv.ParseInt(f[1], 10, 64)
			r, _ := strconv.ParseInt(f[2], 10, 64)
			if m > 0 {
				got[sec] = [2]int64{m, r}
			}
		}
		want := tr.Kdebug.OwnerSeconds[id]
		if len(want) == 0 || len(got) != len(want) {
			t.Errorf("owner %s: %d seconds with messages, truth %d", sgmName(id), len(got), len(want))
		}
		for sec, w := range want {
			if got[sec] != w {
				t.Errorf("owner %s second %d: messages, refresh %v, truth %v", sgmName(id), sec, got[sec], w)
			}
		}
	}
}

// TestFilterInvert: the matches and the -v lines of a condition split the
// input: together, by position, they are the input, line for line; lines
// no format decodes (here damaged dump lines) go to -v.
func TestFilterInvert(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Seed, cfg.Conns, cfg.BadLines = 4, 200, 5
	dir, _ := simtest.Dir(t, cfg)
	for file, conds := range map[string][][]string{
		sim.FileFwTabAll: {{"--owner", "1_02"}, {"--owner-site", "2"}, {"--conn", "10.0.0.0:1-10.0.0.1:2/6"}},
		sim.FileKdebug:   {{"--owner", "1_02"}, {"--op", "REFRESH", "--mask-has", "2_01"}, {"--from", "50", "--to", "700"}},
	} {
		path := filepath.Join(dir, file)
		input := strings.SplitAfter(readFile(t, path), "\n")
		for _, cond := range conds {
			byLine := map[int]string{}
			var n [2]int64
			for k, v := range []string{"", "-v"} {
				args := append([]string{"filter", "-n"}, cond...)
				if v != "" {
					args = append(args, v)
				}
				_, out, _ := runIn(t, "", append(args, path)...)
				for _, l := range strings.SplitAfter(out, "\n") {
					if l == "" {
						continue
					}
					rest := strings.TrimPrefix(l, path+":")
					i := strings.IndexByte(rest, ':')
					num, err := strconv.Atoi(rest[:i])
					if err != nil {
						t.Fatalf("bad prefix in %q", l)
					}
					if _, dup := byLine[num]; dup {
						t.Fatalf("%s %v: line %d printed twice", file, cond, num)
					}
					byLine[num] = rest[i+1:]
					n[k]++
				}
			}
			if (n[0] == 0) != (cond[0] == "--conn") || n[1] == 0 {
				t.Errorf("%s %v: %d matches, %d others: not a split", file, cond, n[0], n[1])
			}
			keys := make([]int, 0, len(byLine))
			for k := range byLine {
				keys = append(keys, k)
			}
			sort.Ints(keys)
			var got strings.Builder
			for _, k := range keys {
				got.WriteString(byLine[k])
			}
			if want := strings.Join(input, ""); got.String() != want {
				t.Errorf("%s %v: matches and -v together are not the input (%d + %d lines of %d)", file, cond, n[0], n[1], len(input))
			}
		}
	}
}

// TestFilterOutput: -H, -n, --format ndjson and the exit statuses.
func TestFilterOutput(t *testing.T) {
	entry := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280, 80000000; 00000001 ; 3394/3618>"
	wrapped := strings.Replace(entry, "0000000b, ", "0000000b,\n   ", 1)
	in := "junk\n" + wrapped + "\r\n" + entry + "\n"
	code, out, errs := runIn(t, in, "filter", "--owner", "2_03", "-n")
	wantOut := "<stdin>:2:" + strings.SplitAfter(wrapped, "\n")[0] + "<stdin>:3:" + strings.SplitAfter(wrapped, "\n")[1] + "\r\n<stdin>:4:" + entry + "\n"
	if code != 0 || out != wantOut {
		t.Errorf("-n: status %d\n%q\nwant\n%q\n%s", code, out, wantOut, errs)
	}
	if !strings.Contains(errs, "lines read") {
		t.Errorf("no accounting on stderr: %q", errs)
	}
	if _, out, _ := runIn(t, in, "filter", "--owner", "2_03", "-H", "-c"); out != "<stdin>:2\n" {
		t.Errorf("-H -c: %q", out)
	}
	if _, out, _ := runIn(t, in, "filter", "--owner", "2_03", "-v"); out != "junk\n" {
		t.Errorf("-v: %q", out)
	}
	code, out, _ = runIn(t, in, "--format", "ndjson", "filter", "--owner", "2_03")
	var n int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m struct {
			Type  string `json:"type"`
			Line  int    `json:"line"`
			Kind  string `json:"kind"`
			Owner struct {
				SGM string `json:"sgm"`
			} `json:"owner"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m.Type != "match" || m.Kind != "fwtab" || m.Owner.SGM != "2_03" {
			t.Errorf("ndjson line %q: %+v %v", sc.Text(), m, err)
		}
		n++
	}
	if code != 0 || n != 2 {
		t.Errorf("ndjson: status %d, %d objects", code, n)
	}
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"filter", "--owner", "1_05"}, 1},
		{[]string{"filter"}, 2},
		{[]string{"filter", "--bogus"}, 2},
		{[]string{"filter", "--owner", "7_01"}, 2},
		{[]string{"filter", "--owner", "1_05", "no-such-file"}, 2},
		{[]string{"filter", "--from", "soon", "--owner", "1_01"}, 2},
		{[]string{"--format", "json", "filter", "--owner", "1_01"}, 2},
		{[]string{"--strict", "filter", "--owner", "2_03"}, 2},
		{[]string{"filter", "--owner", "2_03", "--to", "5"}, 1}, // a dump has no clock
	} {
		if code, _, errs := runIn(t, in+"<00000000, zz>\n", tt.args...); code != tt.code {
			t.Errorf("%v: status %d, want %d (%s)", tt.args, code, tt.code, errs)
		}
	}
}

// assertSubsequence checks that the lines of out appear in in, in order.
func assertSubsequence(t *testing.T, out, in string) {
	t.Helper()
	rest := in
	for _, l := range strings.SplitAfter(out, "\n") {
		if l == "" {
			continue
		}
		i := strings.Index(rest, l)
		if i < 0 || i > 0 && rest[i-1] != '\n' {
			t.Fatalf("printed line not in the input, in order: %q", l)
		}
		rest = rest[i+len(l):]
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzFilter runs filter on any stdin: no panic, status 0 or 1, and the
// lines it prints, with those -v prints, are the input's, each once, by
// number (for text that is read as it is: no archive, no UTF-16).
func FuzzFilter(f *testing.F) {
	f.Add([]byte(fuzzCapture), uint8(0))
	f.Add([]byte("<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001,\n 02008000; 00000001 ; 3394/3618>\r\n<00000001, ac103d02, 000000b3, ac103d42, 000047df, 00000006> -> <00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006> (00000005)\nx"), uint8(1))
	conds := [][]string{{"--owner", "1_02"}, {"--op", "REFRESH"}, {"--conn", "172.16.61.2:33183-172.16.61.66:31435/6"},
		{"--from", "100", "--to", "612"}, {"--mask-has", "2_02", "--outside-layout"}, {"--owner-site", "1"}}
	f.Fuzz(func(t *testing.T, data []byte, c uint8) {
		cond := conds[int(c)%len(conds)]
		byLine := map[int]string{}
		for _, v := range []string{"-n", "-nv"} {
			code, out, errs := runIn(t, string(data), append([]string{"filter", v}, cond...)...)
			if code != 0 && code != 1 {
				t.Fatalf("%v %s: status %d: %s", cond, v, code, errs)
			}
			for _, l := range strings.SplitAfter(out, "\n") {
				if l == "" {
					continue
				}
				rest, ok := strings.CutPrefix(l, "<stdin>:")
				i := strings.IndexByte(rest, ':')
				if !ok || i < 0 {
					t.Fatalf("no prefix: %q", l)
				}
				n, err := strconv.Atoi(rest[:i])
				if _, dup := byLine[n]; err != nil || dup {
					t.Fatalf("line %q: bad or repeated number", l)
				}
				byLine[n] = rest[i+1:]
			}
		}
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 || len(data) < 2 || data[0] == 0x1f || data[0] == 0xef {
			return // decompressed, transcoded or cut at a byte-order mark: not the same bytes
		}
		in := strings.SplitAfter(string(data), "\n")
		if in[len(in)-1] == "" {
			in = in[:len(in)-1]
		} else {
			in[len(in)-1] += "\n"
		}
		if len(byLine) != len(in) {
			t.Fatalf("%d lines printed in all, input has %d", len(byLine), len(in))
		}
		for i, l := range in {
			if byLine[i+1] != l {
				t.Fatalf("line %d printed as %q, input %q", i+1, byLine[i+1], l)
			}
		}
	})
}
