package entry

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

var update = flag.Bool("update", false, "update golden files")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./report -update and review the diff)\n--- got\n%s", name, got)
	}
}

func seedContext(t *testing.T, sites string) *report.Context {
	t.Helper()
	st, err := decode.ParseSiteStates(sites, decode.DefaultLayout)
	if err != nil {
		t.Fatal(err)
	}
	c := &report.Context{Layout: decode.DefaultLayout, Sites: st, DXL: &report.DXL{}}
	data, err := os.ReadFile("testdata/seed-dxl.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The feed keeps asg dxl calc results in the context it shares.
	if err := report.NewFeed(*c, report.FeedOptions{}).ReadString("seed-dxl.txt", string(data)); err != nil {
		t.Fatal(err)
	}
	if c.DXL.Len() != 2 {
		t.Fatalf("dxl calcs = %d, want 2", c.DXL.Len())
	}
	return c
}

func decodeSeed(t *testing.T, c *report.Context) []Entry {
	t.Helper()
	data, err := os.ReadFile("testdata/seed-entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	f := report.NewFeed(*c, report.FeedOptions{Strict: true})
	NewDecoder(f, func(e Entry) error { out = append(out, e); return nil })
	if err := f.ReadString("seed-entries.txt", string(data)); err != nil {
		t.Fatal(err)
	}
	return out
}

func render(t *testing.T, f report.Format, entries []Entry) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewWriter(&b, f, report.NewPalette(false))
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeSeedGolden(t *testing.T) {
	entries := decodeSeed(t, seedContext(t, "1=active,2=standby"))
	golden(t, "decode-seed.table.golden", render(t, report.Table, entries))
	golden(t, "decode-seed.json.golden", render(t, report.JSON, entries))
	golden(t, "decode-seed.csv.golden", render(t, report.CSV, entries))
	// The JSON output must be one valid array with the contract fields.
	var arr []map[string]any
	if err := json.Unmarshal(render(t, report.JSON, entries), &arr); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"line", "kind", "key", "owner", "sync_mask", "expires"} {
		if _, ok := arr[0][k]; !ok {
			t.Errorf("JSON entry lacks %q", k)
		}
	}
	nd := render(t, report.NDJSON, entries)
	if n := bytes.Count(nd, []byte("\n")); n != len(entries) {
		t.Errorf("NDJSON has %d lines for %d entries", n, len(entries))
	}
}

// TestSeedSyncSets checks the seed table end to end: the SET lines of the
// seed, decoded under each of its four site-state combinations with its asg
// dxl calc, give its active and backup sync sets.
func TestSeedSyncSets(t *testing.T) {
	tests := []struct {
		sites          string
		line           int // seed-entries.txt line of the SET with this row's mask
		active, backup string
		ownerDown      bool
	}{
		{"1=active,2=standby", 5, "1_02 1_03", "1_04 2_02 2_03", false},
		{"1=down,2=active", 6, "2_02 2_03", "2_04", true},
		{"1=standby,2=active", 7, "2_02 2_03", "2_04 1_02 1_03", false},
		{"1=active,2=down", 8, "1_02 1_03", "1_04", false},
	}
	for _, tt := range tests {
		t.Run(tt.sites, func(t *testing.T) {
			e := decodeSeed(t, seedContext(t, tt.sites))[tt.line-1]
			s := e.SyncMask.Sets
			if s == nil {
				t.Fatalf("no sets for %+v", e.SyncMask)
			}
			if got := strings.Join(s.Active, " "); got != tt.active {
				t.Errorf("active = %q, want %q", got, tt.active)
			}
			if got := strings.Join(s.Backup, " "); got != tt.backup {
				t.Errorf("backup = %q, want %q", got, tt.backup)
			}
			if s.OwnerDown != tt.ownerDown {
				t.Errorf("owner down = %v", s.OwnerDown)
			}
			if *e.Owner.SGM != "1_02" {
				t.Errorf("owner %v", *e.Owner.SGM)
			}
		})
	}
}

func TestCCLGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCCLTable(&b, CCLTable(decode.DefaultLayout), decode.DefaultLayout); err != nil {
		t.Fatal(err)
	}
	golden(t, "ccl-2x14.golden", b.Bytes())
	// Every seed row appears in the table as the seed prints it.
	seed, err := os.ReadFile("../../decode/testdata/seed-ccl-table.txt")
	if err != nil {
		t.Fatal(err)
	}
	rows := CCLTable(decode.DefaultLayout)
	for i, line := range strings.Split(strings.TrimSpace(string(seed)), "\n") {
		want := strings.Join(strings.Fields(strings.ReplaceAll(line, "|", " ")), " ")
		got := *rows[i].SGM + " " + rows[i].Binary + " " + rows[i].Word
		if got != want {
			t.Errorf("row %d = %q, seed %q", i, got, want)
		}
	}
}
