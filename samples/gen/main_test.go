package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-out", dir, "-conns", "50", "-sgms-per-site", "5", "-after", "down"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"truth.json", "kdebug.txt", "dxl.txt", "fwtab-all.txt", "sgm-2_05/fwtab.txt", "sgm-2_05/gconn.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sgm-1_01")); err == nil {
		t.Error("SGM on a DOWN site got a directory")
	}
	only := t.TempDir()
	if err := run([]string{"-out", only, "-only", "dxl"}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(only); len(ents) != 1 {
		t.Errorf("-only dxl wrote %d entries", len(ents))
	}
	for _, bad := range [][]string{{}, {"-out", dir, "-only", "nope"}, {"-out", dir, "-after", "up"}, {"-out", dir, "extra"},
		{"-out", t.TempDir(), "-only", "bundle", "-after", "down"}} {
		if err := run(bad); err == nil {
			t.Errorf("run(%q) succeeded", bad)
		}
	}
}

func TestRunBundle(t *testing.T) {
	dir := t.TempDir()
	if err := run([]string{"-out", dir, "-only", "bundle", "-conns", "40", "-seed", "3"}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("-only bundle wrote %d entries", len(ents))
	}
	js, err := os.ReadFile(filepath.Join(dir, "bundle-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Archive  string   `json:"archive"`
		Files    []string `json:"files"`
		Findings []struct {
			Code string `json:"code"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(js, &truth); err != nil {
		t.Fatal(err)
	}
	if truth.Archive != "bundle.tgz" || len(truth.Findings) == 0 {
		t.Errorf("truth: %+v", truth)
	}
	f, err := os.Open(filepath.Join(dir, "bundle.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var members []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			members = append(members, h.Name)
		}
	}
	var top []string // the truth's files outside the nested archive
	for _, f := range truth.Files {
		if !strings.Contains(f, "!") {
			top = append(top, f)
		}
	}
	if len(members) == 0 || !slices.Equal(members, top) {
		t.Errorf("regular members %q, truth lists %q", members, top)
	}
}

func TestRunQuietAndCaptureOnly(t *testing.T) {
	type truth struct {
		Scenario     string `json:"scenario"`
		Switchover   bool   `json:"switchover"`
		Connections  int    `json:"connections"`
		Table        int    `json:"table_connections"`
		CaptureOnly  int    `json:"capture_only_connections"`
		OnlyDeleted  int    `json:"capture_only_deleted"`
		SwitchoverAt *int   `json:"switchover_at"`
		Kdebug       struct {
			LastUs int64             `json:"last_us"`
			Waves  []json.RawMessage `json:"refresh_waves"`
			MaxRPS int64             `json:"max_refresh_per_second"`
		} `json:"kdebug"`
	}
	read := func(dir string) truth {
		t.Helper()
		js, err := os.ReadFile(filepath.Join(dir, "truth.json"))
		if err != nil {
			t.Fatal(err)
		}
		var tr truth
		if err := json.Unmarshal(js, &tr); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	// The quiet scenario's own defaults (2000 connections, 200
	// capture-only), then flags over them.
	dir := t.TempDir()
	if err := run([]string{"-scenario", "quiet", "-out", dir, "-truth-conns=false"}); err != nil {
		t.Fatal(err)
	}
	tr := read(dir)
	if tr.Scenario != "quiet" || tr.Switchover || tr.SwitchoverAt != nil || len(tr.Kdebug.Waves) != 0 ||
		tr.Connections != 2000 || tr.Table != 2000 || tr.CaptureOnly != 200 || tr.OnlyDeleted != 160 {
		t.Errorf("quiet defaults: %+v", tr)
	}
	dir = t.TempDir()
	if err := run([]string{"-out", dir, "-conns", "300", "-capture-only", "7", "-capture-seconds", "7200", "-scenario", "quiet"}); err != nil {
		t.Fatal(err)
	}
	if tr := read(dir); tr.Connections != 300 || tr.CaptureOnly != 7 || tr.Kdebug.LastUs < 7000e6 || tr.Kdebug.LastUs >= 7200e6 {
		t.Errorf("quiet with flags: %+v", tr)
	}
	dir = t.TempDir()
	if err := run([]string{"-out", dir, "-conns", "40", "-seed", "3", "-capture-only", "12"}); err != nil {
		t.Fatal(err)
	}
	if tr := read(dir); !tr.Switchover || tr.Connections != 40 || tr.CaptureOnly != 12 || tr.OnlyDeleted != 10 || len(tr.Kdebug.Waves) != 3 {
		t.Errorf("switchover with capture-only: %+v", tr)
	}
	for _, bad := range [][]string{
		{"-out", t.TempDir(), "-scenario", "quiet", "-only", "bundle"},
		{"-out", t.TempDir(), "-scenario", "quiet", "-capture-seconds", "10"},
		{"-out", t.TempDir(), "-capture-only", "-3"},
		{"-out", t.TempDir(), "-scenario", "calm"},
	} {
		if err := run(bad); err == nil {
			t.Errorf("run(%q) succeeded", bad)
		}
	}
}
