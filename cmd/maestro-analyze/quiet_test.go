package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// TestQuietCapture: a capture with no switchover and no REFRESH wave (the
// simulator's quiet scenario, 8,000 connections over an hour, more than a
// sending queue of 512 drained every 100 ms could take in one wave) gives
// no burst, no wave and no loss or overflow finding, in storms or in
// triage. The forecast stays a labelled estimate.
func TestQuietCapture(t *testing.T) {
	cfg := sim.QuietConfig()
	cfg.Conns, cfg.TruthConns = 8000, false
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.WriteKind(dir, "kdebug"); err != nil {
		t.Fatal(err)
	}
	capture := filepath.Join(dir, sim.FileKdebug)
	if _, err := os.Stat(capture); err != nil {
		t.Fatal(err)
	}
	if tr := s.Truth(); tr.Switchover || len(tr.Kdebug.RefreshWaves) != 0 {
		t.Fatalf("the quiet scenario has a switchover or waves: %+v", tr.Kdebug.RefreshWaves)
	}

	code, out, stderr := runIn(t, "", "storms", "--format", "json", capture)
	if code != exitOK {
		t.Fatalf("storms: status %d: %s", code, stderr)
	}
	var r struct {
		Bursts   []json.RawMessage `json:"bursts"`
		Forecast struct {
			Overflow  bool   `json:"overflow"`
			Evidenced bool   `json:"evidenced"`
			Note      string `json:"note"`
		} `json:"forecast"`
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Bursts) != 0 {
		t.Errorf("storms found %d bursts in a quiet capture", len(r.Bursts))
	}
	if r.Forecast.Evidenced || !strings.Contains(r.Forecast.Note, "no REFRESH wave") {
		t.Errorf("forecast %+v", r.Forecast)
	}
	for _, f := range r.Findings {
		if f.Severity != "info" || strings.Contains(f.Message, "overflow") || strings.Contains(f.Message, "lost") {
			t.Errorf("storms finding on a quiet capture: %+v", f)
		}
	}

	code, out, stderr = runIn(t, "", "triage", "--format", "json", "--fail-on", "medium", capture)
	if code != exitOK {
		t.Fatalf("triage: status %d: %s\n%s", code, stderr, out)
	}
	var tr struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	for _, f := range tr.Findings {
		if f.Code == "REFRESH_BURSTS" || strings.Contains(f.Message, "overflow") {
			t.Errorf("triage finding on a quiet capture: %+v", f)
		}
	}
}
