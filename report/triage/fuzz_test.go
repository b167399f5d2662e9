package triage

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// FuzzReports feeds arbitrary text to triage, and so to the owners and
// storms builders it fans the feed out to, and renders every format: no
// input may make a report or a renderer panic.
func FuzzReports(f *testing.F) {
	for _, name := range []string{"../entry/testdata/seed-entries.txt", "../testdata/syncstat-lost.txt", "../testdata/cpinfo-sgm.info"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("@;1;[fw4_0];SET: connections (1) keys(6)=<0,1,2,3,4,6> vals(14)=<0,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x1800e];\n@;99999999999999999;[fw4_0];REFRESH: connections (1) keys(6)=<0,1,2,3,4,6>;\n")
	f.Add("| Chassis 1   DOWN |\n| 3   DOWN   x |\n1_01:\n<0,1,2,3,4,6; 0,0,0,0,0,0,0,0,0,0,0,0,0,2000800; 5/4000>\n")
	f.Fuzz(func(t *testing.T, in string) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic("FuzzReports: input took over 10 s") })
		defer watchdog.Stop()
		fd := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
		tri := New(fd, 0, storms.DefaultOptions())
		src := parse.Source{Path: "f", Name: "f", SGM: decode.SGM{Site: 1, Member: 1}, Rule: parse.RuleCommandLine}
		if err := fd.Read(src, parse.NewReader(strings.NewReader(in), "f")); err != nil {
			t.Fatal(err)
		}
		r := tri.Report()
		p := report.NewPalette(false)
		for _, err := range []error{
			WriteTable(io.Discard, r, p), WriteCSV(io.Discard, r), report.WriteJSON(io.Discard, r),
			WriteHTML(io.Discard, r, "fuzz"), owners.WriteTable(io.Discard, r.Owners, p),
			owners.WriteRiskTable(io.Discard, r.Owners.AtRisk), storms.WriteTable(io.Discard, r.Storms, p), storms.WriteCSV(io.Discard, r.Storms),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
