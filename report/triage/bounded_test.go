package triage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

func newTriage() (*report.Feed, *Triage) {
	fd := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	return fd, New(fd, 600, storms.DefaultOptions())
}

// TestEvidenceBounded: panic lines and DOWN rows keep their count, the
// first positions and the last, whatever their number; distinct failures
// are bounded too.
func TestEvidenceBounded(t *testing.T) {
	fd, tri := newTriage()
	var b strings.Builder
	const n = 20000
	for i := range n {
		fmt.Fprintf(&b, "Mar 12 01:33:38 gw-ch01-02 kernel: Kernel panic - not syncing: Fatal exception %d\n", i)
	}
	src := parse.Source{Path: "p", Name: "p", SGM: decode.SGM{Site: 1, Member: 2}, Rule: parse.RuleCommandLine}
	if err := fd.Read(src, parse.NewReader(strings.NewReader(b.String()), "p")); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	b.WriteString("| Chassis 1                     STANDBY                                     |\n")
	for i := range n {
		fmt.Fprintf(&b, "| %d              DOWN           Inactive                  NA                |\n", 1+i%1000)
	}
	if err := fd.ReadString("d", b.String()); err != nil {
		t.Fatal(err)
	}
	if len(tri.failures.list) > maxFailures+2 {
		t.Errorf("%d failures kept", len(tri.failures.list))
	}
	for _, f := range tri.failures.list {
		if len(f.first) > evidenceEnds {
			t.Errorf("%d positions kept", len(f.first))
		}
	}
	r := tri.Report()
	var panics, more int
	for _, f := range r.Findings {
		if len(f.Evidence) > report.MaxEvidence+1 {
			t.Errorf("%s: %d evidence lines", f.Code, len(f.Evidence))
		}
		switch {
		case f.Code == CodeKernelPanic:
			panics++
			want := fmt.Sprintf("(%d trace lines; the last at p:%d)", n, n)
			if !strings.Contains(f.Message, want) || f.Evidence[len(f.Evidence)-1] != fmt.Sprintf("and %d more", n-report.MaxEvidence) {
				t.Errorf("panic finding %q %v", f.Message, f.Evidence)
			}
		case strings.Contains(f.Message, "further failures"):
			more++
		}
	}
	if panics != 1 || more != 0 {
		t.Errorf("%d panic findings, %d folded ones", panics, more)
	}
	// Distinct failures beyond maxFailures fold into one per code.
	var fs failures
	for i := range 3 * maxFailures {
		fs.add(CodeSGMDown, decode.SGM{}, i, parse.Pos{Name: "x", Line: i + 1})
	}
	if last := fs.list[len(fs.list)-1]; len(fs.list) != maxFailures+1 || last.n != 2*maxFailures || !strings.Contains(last.what, "further failures") {
		t.Errorf("%d failures, last %+v", len(fs.list), last)
	}
}

// TestInventorySummarized: beyond maxFileRows inputs, the inventory has
// one row per folder with counts.
func TestInventorySummarized(t *testing.T) {
	fd, tri := newTriage()
	for i := range 2500 {
		name := fmt.Sprintf("a.tgz!bundle/1_%02d/dir%d/f%d.txt", 1+i%3, i%7, i)
		if err := fd.ReadString(name, "This is Check Point's software version R81.10 - Build 040\n"); err != nil {
			t.Fatal(err)
		}
	}
	r := tri.Report()
	if !r.FilesSummarized || r.FileCount != 2500 || len(r.Files) != 21 {
		t.Fatalf("summarized %v, %d files, %d rows", r.FilesSummarized, r.FileCount, len(r.Files))
	}
	total := 0
	for _, f := range r.Files {
		total += f.Files
		if !strings.HasSuffix(f.Name, "/") || f.Recognized["version"] != int64(f.Files) {
			t.Errorf("row %+v", f)
		}
	}
	if total != 2500 {
		t.Errorf("rows hold %d files", total)
	}
	var out strings.Builder
	if err := WriteTable(&out, r, report.NewPalette(false)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Triage: 2,500 files in 21 folders") || !strings.Contains(out.String(), "| Folder ") {
		t.Errorf("table:\n%s", out.String())
	}
	if got := parentFolder("a.tgz!b/c/d.txt"); got != "a.tgz!b/c/" {
		t.Errorf("parentFolder = %q", got)
	}
	if got := parentFolder(parentFolder("a.tgz!b/")); got != "a.tgz!" {
		t.Errorf("parentFolder = %q", got)
	}
}

// TestMembersKeepFewFiles: a member lists a bounded number of files and
// counts them all.
func TestMembersKeepFewFiles(t *testing.T) {
	fd, tri := newTriage()
	for i := range 300 {
		src := parse.Source{Name: "x", SGM: decode.SGM{Site: 1, Member: 1}, Rule: parse.RuleCommandLine}
		if err := fd.Read(src, parse.NewReader(strings.NewReader("This is Check Point's software version R81.10 - Build 040\n"), fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	r := tri.Report()
	if len(r.Members) != 1 || r.Members[0].FileCount != 300 || len(r.Members[0].Files) != maxMemberFiles {
		t.Errorf("members %+v", r.Members)
	}
}
