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
