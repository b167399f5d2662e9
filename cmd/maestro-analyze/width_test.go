package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// widest returns the widest line of out in display columns, and the line.
func widest(out string) (int, string) {
	w, line := 0, ""
	for l := range strings.SplitSeq(out, "\n") {
		if n := twwidth.Width(l); n > w {
			w, line = n, l
		}
	}
	return w, line
}

// The commands of issue #17's done-when, on the shipped samples.
var narrowRuns = []struct {
	name string
	args []string
	want []string // what must survive the narrowing
}{
	{"triage", []string{"triage", "../../samples/bundle/bundle.tgz"},
		[]string{"high SGM_DOWN [1_03]", "at bundle/logs.tgz!1_03/var/log/messages:15", "| 1_03 | mygw-ch01-03 |", "bundle/1_01/cpinfo.info"}},
	{"owners", []string{"owners", "../../samples/switchover"}, []string{"Owner placement: 40 connections", "| 1_01    |      8 |", "- 1_01 1_02 1_03 1_04: 32 of 40 connections (80%)"}},
	{"owners --list", []string{"owners", "--list", "../../samples/switchover"}, []string{"| 10.29.216.206 | 18558 | 172.16.0.21 ", "Not shown at this width: "}},
	{"storms", []string{"storms", "../../samples/switchover/kdebug.txt"}, []string{"Switchover: 100.000 s", "▲ switchover 100", "| REFRESH |"}},
	{"trace", []string{"trace", "10.29.216.206:18558-172.16.0.21:80/6", "../../samples/switchover"}, []string{"Owner: 1_03 (CCL id 2)", "| 1_01 | full |", "Verdict"}},
	{"timeline", []string{"timeline", "../../samples/bundle/bundle.tgz"}, []string{"| 2025-09-30 02:22:49 | 1_03 | kernel_panic |", "failover"}},
}

// TestWidth80 pins the done-when of issue #17: at 80 columns (the width a
// terminal would give; --width sets it without one) no line of these
// reports is wider than 80 display columns, and what they say survives.
// Through a pipe (no --width) the same tables keep their full width.
func TestWidth80(t *testing.T) {
	for _, tt := range narrowRuns {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runIn(t, "", append([]string{"--color", "never", "--width", "80"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("status %d, stderr %q", code, stderr)
			}
			if w, l := widest(out); w > 80 {
				t.Errorf("a line is %d columns wide:\n%s", w, l)
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			_, full, _ := runIn(t, "", append([]string{"--color", "never"}, tt.args...)...)
			if w, _ := widest(full); w <= 80 {
				t.Errorf("without --width the widest line is %d columns: tables were narrowed", w)
			}
		})
	}
}

// TestWidthFlag: --width 0 is full width; widths too narrow to read are
// usage errors.
func TestWidthFlag(t *testing.T) {
	args := []string{"owners", "--list", "../../samples/switchover"}
	_, full, _ := runIn(t, "", args...)
	_, zero, _ := runIn(t, "", append([]string{"--width", "0"}, args...)...)
	if zero != full {
		t.Error("--width 0 differs from the full-width output")
	}
	for _, w := range []string{"10", "-3"} {
		if code, _, stderr := runIn(t, "", append([]string{"--width", w}, args...)...); code != exitUsage || !strings.Contains(stderr, "--width") {
			t.Errorf("--width %s: status %d, stderr %q", w, code, stderr)
		}
	}
}

func TestTerminalWidth(t *testing.T) {
	size := func(w int, err error) func() (int, error) { return func() (int, error) { return w, err } }
	tests := []struct {
		columns string
		size    func() (int, error)
		want    int
	}{
		{"", size(132, nil), 132},
		{"100", size(132, nil), 100}, // COLUMNS wins
		{"junk", size(90, nil), 90},
		{"5", size(90, nil), 90}, // too narrow to be meant
		{"", size(0, errors.New("not a terminal")), 0},
	}
	for _, tt := range tests {
		if got := terminalWidth(tt.columns, tt.size); got != tt.want {
			t.Errorf("terminalWidth(%q) = %d, want %d", tt.columns, got, tt.want)
		}
	}
}

// epochCapture writes the switchover sample's capture with its stamps
// moved to Unix time, as `fw ctl kdebug -T` writes them: the simulator's
// clock 0 is switchover_wall - switchover_at (truth.json).
func epochCapture(t *testing.T) (path string, switchover int64) {
	t.Helper()
	var truth struct {
		At   float64 `json:"switchover_at"`
		Wall int64   `json:"switchover_wall"`
	}
	js, err := os.ReadFile("../../samples/switchover/truth.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &truth); err != nil || truth.Wall == 0 {
		t.Fatalf("truth.json: %v", err)
	}
	data, err := os.ReadFile("../../samples/switchover/kdebug.txt")
	if err != nil {
		t.Fatal(err)
	}
	base := (truth.Wall - int64(truth.At)) * 1_000_000
	stamp := regexp.MustCompile(`(?m)^@;(\d+);`)
	out := stamp.ReplaceAllStringFunc(string(data), func(m string) string {
		n, _ := strconv.ParseInt(m[2:len(m)-1], 10, 64)
		return fmt.Sprintf("@;%d;", n+base)
	})
	path = filepath.Join(t.TempDir(), "kdebug.txt")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, truth.Wall
}

// TestStormsEpochDates: on an epoch-stamped capture the storms text shows
// UTC dates (switchover, chart axis and marker, bursts), JSON keeps the
// numbers.
func TestStormsEpochDates(t *testing.T) {
	path, wall := epochCapture(t)
	at := time.Unix(wall, 0).UTC()
	code, out, stderr := runIn(t, "", "--color", "never", "--width", "80", "storms", path)
	if code != exitOK {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	for _, s := range []string{
		"Switchover: " + at.Format("2006-01-02 15:04:05") + ".000 UTC (sync_mask change)",
		"▲ switchover " + at.Format("15:04:05"),
		"| Burst start (UTC)",
		"| " + at.Format("2006-01-02 15:04:05") + " |",
		"Peak 114 messages/s at " + at.Format("2006-01-02 15:04:05") + " UTC",
		"Unix times (from 2001 on), shown as dates",
	} {
		if !strings.Contains(out, s) && !strings.Contains(strings.Join(strings.Fields(out), " "), s) { // wrapped
			t.Errorf("storms text lacks %q:\n%s", s, out)
		}
	}
	if w, l := widest(out); w > 80 {
		t.Errorf("a line is %d columns wide:\n%s", w, l)
	}
	_, js, _ := runIn(t, "", "--format", "json", "storms", path)
	var r struct {
		Switchover struct{ T float64 } `json:"switchover"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil || r.Switchover.T != float64(wall) {
		t.Errorf("JSON switchover t = %v (%v), want %d", r.Switchover.T, err, wall)
	}
	// The sample's own capture has no epoch clock: seconds stay.
	_, rel, _ := runIn(t, "", "--color", "never", "storms", "../../samples/switchover/kdebug.txt")
	if !strings.Contains(rel, "Switchover: 100.000 s") || strings.Contains(rel, " UTC") {
		t.Errorf("relative capture shown with dates:\n%s", rel)
	}
}

// TestHTMLPage: the page says when it was made (SOURCE_DATE_EPOCH, so
// the same inputs give the same page), by which version, from which
// inputs; it quotes the cited lines; on an epoch-stamped capture its
// chart's axis has clock times and the switchover is marked at the
// simulated one.
func TestHTMLPage(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1759209600")
	path, wall := epochCapture(t)
	page := filepath.Join(t.TempDir(), "triage.html")
	code, _, stderr := runIn(t, "", "triage", "--html", page, path, "../../samples/switchover/fwtab-all.txt")
	if code != exitOK {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(data)
	at := time.Unix(wall, 0).UTC()
	for _, s := range []string{
		`<dd id="generated">2025-09-30 05:20:00 UTC</dd>`,
		`<dd id="tool-version">maestro-analyze ` + versionString() + `</dd>`,
		`<code>../../samples/switchover/fwtab-all.txt</code>`,
		`<title>switchover at ` + at.Format("2006-01-02 15:04:05") + `.000 UTC (sync_mask change)</title>`,
		`>switchover ` + at.Format("15:04:05") + `</text>`,
		`class="tick-label"`,
		`<blockquote class="line">`,
	} {
		if !strings.Contains(html, s) {
			t.Errorf("page lacks %s", s)
		}
	}
	if n := len(regexp.MustCompile(`class="tick-label"[^>]*>\d\d:\d\d:\d\d</text>`).FindAllString(html, -1)); n < 5 {
		t.Errorf("%d clock-time labels on the chart's axis", n)
	}
	again := filepath.Join(t.TempDir(), "again.html")
	runIn(t, "", "triage", "--html", again, path, "../../samples/switchover/fwtab-all.txt")
	if b, _ := os.ReadFile(again); string(b) != html {
		t.Error("the same inputs and SOURCE_DATE_EPOCH gave another page")
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if code, _, stderr := runIn(t, "", "triage", "--html", again, path); code != exitUsage || !strings.Contains(stderr, "SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: status %d, stderr %q", code, stderr)
	}
}
