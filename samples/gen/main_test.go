package main

import (
	"os"
	"path/filepath"
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
	for _, bad := range [][]string{{}, {"-out", dir, "-only", "nope"}, {"-out", dir, "-after", "up"}, {"-out", dir, "extra"}} {
		if err := run(bad); err == nil {
			t.Errorf("run(%q) succeeded", bad)
		}
	}
}
