package report

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
)

// FuzzReports feeds arbitrary text to every builder and renders every
// format: no input may make a report or a renderer panic.
func FuzzReports(f *testing.F) {
	for _, name := range []string{"seed-entries.txt", "syncstat-lost.txt", "cpinfo-sgm.info"} {
		data, err := os.ReadFile("testdata/" + name)
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
		ctx := Context{Layout: decode.DefaultLayout, DXL: &DXL{}}
		tri := NewTriage(ctx, 0, DefaultStormOptions())
		src := parse.Source{Path: "f", Name: "f", SGM: decode.SGM{Site: 1, Member: 1}, Rule: parse.RuleCommandLine}
		if err := tri.Read(src, parse.NewReader(strings.NewReader(in), "f"), false); err != nil {
			t.Fatal(err)
		}
		r := tri.Report()
		p := NewPalette(false)
		for _, err := range []error{
			WriteTriageTable(io.Discard, r, p), WriteTriageCSV(io.Discard, r), WriteJSON(io.Discard, r),
			WriteTriageHTML(io.Discard, r, "fuzz"), WriteOwnersTable(io.Discard, r.Owners, p),
			WriteRiskTable(io.Discard, r.Owners.AtRisk), WriteStormsTable(io.Discard, r.Storms, p), WriteStormsCSV(io.Discard, r.Storms),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		// decode renders every record too.
		ew := NewEntryWriter(io.Discard, Table, p)
		rd := parse.NewReader(strings.NewReader(in), "f")
		for rd.Scan() {
			if rec, err := rd.Record(); err == nil {
				if err := ew.Write(ctx.Decode(rec, rec.Pos.Line)); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
