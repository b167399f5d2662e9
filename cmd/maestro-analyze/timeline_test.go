package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// bundleTimeline is the part of the bundle truth the timeline tests use.
type bundleTimeline struct {
	Step     int64 `json:"cpview_step"`
	Timeline []struct {
		T      int64  `json:"t"`
		SGM    string `json:"sgm"`
		Kind   string `json:"kind"`
		From   string `json:"from"`
		To     string `json:"to"`
		Reason string `json:"reason"`
		Source string `json:"source"`
	} `json:"timeline"`
}

type timelineEvent struct {
	T      int64   `json:"t"`
	Time   string  `json:"time"`
	SGM    *string `json:"sgm"`
	Kind   string  `json:"kind"`
	From   string  `json:"from"`
	To     string  `json:"to"`
	Reason string  `json:"reason"`
	Source string  `json:"source"`
}

func readBundleTimeline(t *testing.T) bundleTimeline {
	t.Helper()
	data, err := os.ReadFile("../../samples/bundle/bundle-truth.json")
	if err != nil {
		t.Fatal(err)
	}
	var tr bundleTimeline
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.Timeline) == 0 || tr.Step == 0 {
		t.Fatal("the bundle truth lists no timeline")
	}
	return tr
}

// checkTimeline compares events with the truth: every truth event is there
// within one sample, with its from, to and reason; no failover on an SGM
// the truth gives none.
func checkTimeline(t *testing.T, tr bundleTimeline, evs []timelineEvent) {
	t.Helper()
	failover := map[string]bool{}
	for _, w := range tr.Timeline {
		if w.Kind == "failover" {
			failover[w.SGM] = true
		}
		found := false
		for _, e := range evs {
			if e.Kind != w.Kind || e.SGM == nil || *e.SGM != w.SGM || abs64(e.T-w.T) > tr.Step {
				continue
			}
			if w.Kind == "reboot" || (e.From == w.From && e.To == w.To && e.Reason == w.Reason) {
				found = true
				if !strings.HasPrefix(e.Source, strings.Replace(w.Source, "bundle.tgz!", "../../samples/bundle/bundle.tgz!", 1)) {
					t.Errorf("%s %s: source %q, truth %q", w.SGM, w.Kind, e.Source, w.Source)
				}
			}
		}
		if !found {
			t.Errorf("missing %+v", w)
		}
	}
	for _, e := range evs {
		if e.Kind == "failover" && (e.SGM == nil || !failover[*e.SGM]) {
			t.Errorf("failover invented: %+v", e)
		}
		if e.Time == "" || e.T == 0 {
			t.Errorf("event without a time: %+v", e)
		}
	}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestTimelineBundleTruth(t *testing.T) {
	tr := readBundleTimeline(t)
	code, out, stderr := runIn(t, "", "timeline", "--format", "json", "../../samples/bundle/bundle.tgz")
	if code != exitOK || !accountingOnly(stderr) {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	var got struct {
		Events  []timelineEvent   `json:"events"`
		Sources []json.RawMessage `json:"sources"`
		Story   string            `json:"story"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	checkTimeline(t, tr, got.Events)
	if len(got.Sources) != 9 { // 8 databases and the capture
		t.Errorf("%d sources", len(got.Sources))
	}
	for _, w := range []string{"2_01, 2_02, 2_03 and 2_04 took over (failover #4", "1_03 had a kernel panic at 02:22:49", "REFRESH waves followed at T0+0 s, T0+512 s and T0+1024 s", "about a minute apart"} {
		if !strings.Contains(got.Story, w) {
			t.Errorf("story lacks %q:\n%s", w, got.Story)
		}
	}

	// The filters: one SGM, a range.
	_, out, _ = runIn(t, "", "timeline", "--format", "ndjson", "--sgm", "1_03", "--from", "2025-09-30T02:20:00Z", "--to", "1759199220", "../../samples/bundle/bundle.tgz")
	var kinds []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			timelineEvent
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if e.Type == "event" {
			kinds = append(kinds, *e.SGM+" "+e.Kind)
		}
	}
	if strings.Join(kinds, ",") != "1_03 kernel_panic,1_03 state_change,1_03 reboot" {
		t.Errorf("filtered: %v", kinds)
	}
	if code, _, _ := runIn(t, "", "timeline", "--from", "yesterday", "../../samples/bundle/bundle.tgz"); code != exitUsage {
		t.Errorf("--from yesterday: status %d", code)
	}
}

// TestTriageTimeline: triage carries the same events, a FAILOVER finding
// and what CPView says about the panic.
func TestTriageTimeline(t *testing.T) {
	tr := readBundleTimeline(t)
	code, out, _ := runIn(t, "", "triage", "--format", "json", "../../samples/bundle/bundle.tgz")
	if code != exitOK {
		t.Fatalf("status %d", code)
	}
	var got struct {
		Timeline []timelineEvent `json:"timeline"`
		Findings []struct {
			Code    string           `json:"code"`
			Message string           `json:"message"`
			Numbers map[string]int64 `json:"numbers"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	checkTimeline(t, tr, got.Timeline)
	var memFrom string
	var t0 int64
	for _, w := range tr.Timeline {
		if w.Kind == "memory_high" {
			memFrom = w.From
		}
		if w.Kind == "failover" && t0 == 0 {
			t0 = w.T
		}
	}
	seen := map[string]bool{}
	for _, f := range got.Findings {
		seen[f.Code] = true
		switch f.Code {
		case "FAILOVER":
			if f.Numbers["t0"] != t0 || !strings.Contains(f.Message, "took over (failover #4") || !strings.Contains(f.Message, "at risk until") {
				t.Errorf("FAILOVER: %+v", f)
			}
		case "KERNEL_PANIC":
			if !strings.Contains(f.Message, "It rebooted") || !strings.Contains(f.Message, "rose from "+memFrom+" to ") {
				t.Errorf("KERNEL_PANIC: %s", f.Message)
			}
		}
	}
	if !seen["FAILOVER"] || !seen["KERNEL_PANIC"] {
		t.Errorf("findings %v", seen)
	}
}

// TestTimelineDamaged: truncated, fake and partial databases beside the
// bundle are reported, the partial one read for what it has, and the
// bundle still read.
func TestTimelineDamaged(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := sql.Open("sqlite", good)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		`CREATE TABLE cxl_cxl_stats(Timestamp INTEGER, fwha_cpv_last_state_change TEXT)`,
		`INSERT INTO cxl_cxl_stats VALUES (1759190000, 'ACTIVE'), (1759190060, 'DOWN')`,
		`CREATE TABLE filler(x TEXT)`, `INSERT INTO filler VALUES (zeroblob(20000))`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(good)
	files := map[string][]byte{
		"2_01/CPViewDB.dat":         data[:len(data)/2],
		"2_02/cpview_services.dat":  []byte("this is no database\n"),
		"1_02/partial.CPViewDB.dat": data,
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runIn(t, "", "timeline", dir, "../../samples/bundle/bundle.tgz")
	if code != exitOK {
		t.Fatalf("status %d, stderr %s", code, stderr)
	}
	for _, w := range []string{"2_01/CPViewDB.dat: CPView database not read: truncated SQLite database",
		"2_02/cpview_services.dat: named like a CPView history database but not SQLite"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	for _, w := range []string{"column cxl_cxl_stats.fwha_cpv_failover_counter", "table UM_STAT_UM_MEMORY",
		"| 1_02 | state_change | ACTIVE -> DOWN", "2_01, 2_02, 2_03 and 2_04 took over"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if code, out, _ := runIn(t, "", "triage", "--format", "json", dir, "../../samples/bundle/bundle.tgz"); code != exitOK || !strings.Contains(out, `"FAILOVER"`) {
		t.Errorf("triage: status %d", code)
	}
}
