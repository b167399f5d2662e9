package report

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/maestro-analyze/maestro-analyze"

// analyses are the packages of one analysis each; only triage may import
// others (the feed fanned out to owners and storms).
var analyses = map[string][]string{
	"report/entry":  nil,
	"report/filter": nil,
	"report/owners": nil,
	"report/storms": nil,
	"report/trace":  nil,
	"report/triage": {"report/owners", "report/storms", "report/timeline"},

	"report/timeline": nil,
}

// TestPackageLayout checks that data flows one way: no analysis imports
// another (but triage its two), none imports cmd, and the core imports no
// analysis. It is `go list -deps` run on every package.
func TestPackageLayout(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool on PATH")
	}
	deps := func(pkg string) []string {
		t.Helper()
		out, err := exec.Command("go", "list", "-deps", module+"/"+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		var ds []string
		for l := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
			if rest, ok := strings.CutPrefix(l, module+"/"); ok && rest != pkg {
				ds = append(ds, rest)
			}
		}
		return ds
	}
	// The check sees real edges: triage does import what it fans out to.
	if td := deps("report/triage"); !slices.Contains(td, "report/owners") || !slices.Contains(td, "report/storms") || !slices.Contains(td, "report") {
		t.Fatalf("go list -deps report/triage = %v: the check would prove nothing", td)
	}
	for pkg, allowed := range analyses {
		for _, d := range deps(pkg) {
			_, isAnalysis := analyses[d]
			if strings.HasPrefix(d, "cmd/") || (isAnalysis && !slices.Contains(allowed, d)) {
				t.Errorf("%s imports %s", pkg, d)
			}
		}
	}
	for _, d := range append(deps("report"), append(deps("parse"), deps("decode")...)...) {
		if _, isAnalysis := analyses[d]; isAnalysis || strings.HasPrefix(d, "cmd/") || d == "report" {
			t.Errorf("the core, parse or decode imports %s", d)
		}
	}
}

// TestFileSize keeps every hand-written Go file outside samples/ under
// 700 lines: each format in one file, each analysis in a package of files
// a newcomer can read.
func TestFileSize(t *testing.T) {
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "samples" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte("// Code generated")) {
			return nil
		}
		n := 0
		for sc := bufio.NewScanner(bytes.NewReader(data)); sc.Scan(); {
			n++
		}
		if n > 700 {
			t.Errorf("%s: %d lines, over 700", p, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
