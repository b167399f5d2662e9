package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// finding is the part of a finding both commands print.
type finding struct {
	Code     string   `json:"code"`
	Severity string   `json:"severity"`
	SGMs     []string `json:"sgms"`
	Message  string   `json:"message"`
	Evidence []string `json:"evidence"`
}

// syncFindings runs a command with --format json and returns its sync and
// storm findings (the codes triage reports from the storm report), sorted.
func syncFindings(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, stderr := runIn(t, "", append([]string{"--format", "json"}, args...)...)
	if code != exitOK && code != exitFindings {
		t.Fatalf("%v: status %d: %s", args, code, stderr)
	}
	var r struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var fs []string
	for _, f := range r.Findings {
		switch f.Code {
		case "SYNC_OFF", "LOST_UPDATES", "REJECT_NOTIFICATIONS", "REFRESH_BURSTS":
			fs = append(fs, fmt.Sprintf("%s %s %v %s %v", f.Code, f.Severity, f.SGMs, f.Message, f.Evidence))
		}
	}
	slices.Sort(fs)
	return fs
}

// TestStormsAndTriageAgree: on the same inputs storms and triage give the
// same sync and storm findings, word for word: neither can claim a loss or
// an overflow the other does not.
func TestStormsAndTriageAgree(t *testing.T) {
	for _, inputs := range [][]string{
		{"../../samples/switchover/kdebug.txt", "../../samples/syncstat.txt"},
		{"../../samples/switchover"},
		{"../../samples/bundle/bundle.tgz"},
	} {
		s := syncFindings(t, append([]string{"storms"}, inputs...)...)
		tr := syncFindings(t, append([]string{"triage"}, inputs...)...)
		if len(s) == 0 {
			t.Errorf("%v: no sync or storm finding: the test proves nothing", inputs)
		}
		if strings.Join(s, "\n") != strings.Join(tr, "\n") {
			t.Errorf("%v: storms and triage differ\nstorms:\n%s\ntriage:\n%s", inputs, strings.Join(s, "\n"), strings.Join(tr, "\n"))
		}
	}
}
