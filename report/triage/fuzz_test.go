package triage

import (
	"bytes"
	"encoding/json"
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
// storms builders it fans the feed out to, with storm options and a risk
// window as the flags give them, and renders every format: no input may
// make a report or a renderer panic, or put a NaN in the JSON. The seeds
// are a few lines each, so that each exec is fast (the mutator grows
// them); the seed files are cut to their first lines.
func FuzzReports(f *testing.F) {
	for _, name := range []string{"../entry/testdata/seed-entries.txt", "../testdata/syncstat-lost.txt", "../testdata/cpinfo-sgm.info"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		lines := strings.SplitAfter(string(data), "\n")
		for i := 0; i < len(lines); i += 8 {
			f.Add(strings.Join(lines[i:min(i+8, len(lines))], ""), 1.0, 5.0, 512.0, uint32(600))
		}
	}
	f.Add("@;1;[fw4_0];SET: connections (1) keys(6)=<0,1,2,3,4,6> vals(14)=<0,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x1800e];\n@;99999999999999999;[fw4_0];REFRESH: connections (1) keys(6)=<0,1,2,3,4,6>;\n", 0.001, 1.0, 1.0, uint32(1))
	f.Add("| Chassis 1   DOWN |\n| 3   DOWN   x |\n1_01:\n<0,1,2,3,4,6; 0,0,0,0,0,0,0,0,0,0,0,0,0,2000800; 5/4000>\n", 86400.0, 1000.0, 86400.0, uint32(31536000))
	f.Fuzz(func(t *testing.T, in string, bucket, burst, refresh float64, risk uint32) {
		opt := storms.DefaultOptions()
		opt.Bucket, opt.BurstFactor, opt.RefreshInterval = bucket, burst, refresh
		if opt.Check() != nil || risk == 0 {
			t.Skip("the flags refuse these") // see cmd/maestro-analyze FuzzStormsFlags
		}
		watchdog := time.AfterFunc(10*time.Second, func() { panic("FuzzReports: input took over 10 s") })
		defer watchdog.Stop()
		fd := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
		tri := New(fd, risk, opt)
		src := parse.Source{Path: "f", Name: "f", SGM: decode.SGM{Site: 1, Member: 1}, Rule: parse.RuleCommandLine}
		if err := fd.Read(src, parse.NewReader(strings.NewReader(in), "f")); err != nil {
			t.Fatal(err)
		}
		r := tri.Report()
		p := report.NewPalette(false)
		narrow := p
		narrow.Width = 40
		var js bytes.Buffer
		for _, err := range []error{
			WriteTable(io.Discard, r, p), WriteTable(io.Discard, r, narrow), WriteCSV(io.Discard, r), report.WriteJSON(&js, r),
			WriteHTML(io.Discard, r, Page{Version: "fuzz"}), owners.WriteTable(io.Discard, r.Owners, p),
			owners.WriteRiskTable(io.Discard, r.Owners.AtRisk, narrow), storms.WriteTable(io.Discard, r.Storms, p), storms.WriteCSV(io.Discard, r.Storms),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if !json.Valid(js.Bytes()) {
			t.Fatal("invalid JSON")
		}
	})
}
