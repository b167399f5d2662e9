package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "update golden files and scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"maestro-analyze": func() {
			os.Exit(run(context.Background(), os.Args[1:], &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
		},
	})
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script", UpdateScripts: *update, RequireExplicitExec: true})
}

// runIn runs the command in-process and returns its status and streams.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(t.Context(), args, &IO{In: strings.NewReader(stdin), Out: &out, Err: &errw})
	return code, out.String(), errw.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		in   string
		code int
	}{
		{"help", []string{"--help"}, "", exitOK},
		{"version", []string{"--version"}, "", exitOK},
		{"unknown flag", []string{"--bogus"}, "", exitUsage},
		{"bad format", []string{"--format", "xml", "ccl"}, "", exitUsage},
		{"bad layout", []string{"--layout", "9x99", "ccl"}, "", exitUsage},
		{"bad sites", []string{"--sites", "3=up", "ccl"}, "", exitUsage},
		{"bad mask", []string{"mask", "0xZZ"}, "", exitUsage},
		{"rejected line", []string{"decode"}, "garbage\n", exitError},
		{"clean decode", []string{"decode"}, "1_01:\n", exitOK},
		{"missing dxl file", []string{"decode", "--dxl", "/nonexistent/dxl.txt"}, "", exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runIn(t, tt.in, tt.args...)
			if code != tt.code {
				t.Errorf("status %d, want %d (stderr %q)", code, tt.code, stderr)
			}
		})
	}
}

// TestSamples runs the README's main command on every sample and compares
// with the expected report checked in beside the tests.
func TestSamples(t *testing.T) {
	tests := []struct {
		sample string
		args   []string
		golden string
	}{
		{"entries.txt", []string{"decode", "--color", "never"}, "entries.table"},
		{"entries.txt", []string{"decode", "--format", "json", "--sites", "1=standby,2=active", "--dxl", "../../samples/dxl.txt"}, "entries.json"},
		{"", []string{"owners", "--color", "never", "../../samples/switchover"}, "switchover-owners.table"},
		{"", []string{"owners", "--list", "--format", "csv", "--dump-time", "1759200000", "../../samples/switchover"}, "switchover-owners-list.csv"},
		{"", []string{"storms", "--color", "never", "../../samples/switchover/kdebug.txt", "../../samples/syncstat.txt"}, "switchover-storms.table"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var in []byte
			if tt.sample != "" {
				var err error
				if in, err = os.ReadFile(filepath.Join("../../samples", tt.sample)); err != nil {
					t.Fatal(err)
				}
			}
			code, out, stderr := runIn(t, string(in), tt.args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("status %d, stderr %q", code, stderr)
			}
			path := filepath.Join("testdata/samples", tt.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (go test -update, then review)", path)
			}
		})
	}
}

// TestSwitchoverSampleTruth checks `owners --format json` on the shipped
// sample against the truth.json the simulator wrote beside it.
func TestSwitchoverSampleTruth(t *testing.T) {
	var truth struct {
		Connections   int               `json:"connections"`
		OwnersBySGM   map[string]int    `json:"owners_by_sgm"`
		OwnerUnknown  int               `json:"owner_unknown"`
		OffActiveSite int               `json:"off_active_site"`
		SiteStates    map[string]string `json:"site_states"`
		AtRisk        []struct {
			Src          string `json:"src"`
			SPort        int    `json:"sport"`
			MinRemaining int    `json:"min_remaining"`
			MinSGM       string `json:"min_sgm"`
			MaxRemaining int    `json:"max_remaining"`
		} `json:"at_risk"`
	}
	data, err := os.ReadFile("../../samples/switchover/truth.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &truth); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runIn(t, "", "owners", "--format", "json", "../../samples/switchover")
	if code != exitOK || stderr != "" {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	got := truth
	got.AtRisk = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	for site, st := range truth.SiteStates {
		truth.SiteStates[site] = strings.ToUpper(st)
	}
	if !reflect.DeepEqual(got, truth) {
		t.Errorf("owners JSON differs from truth.json\n got  %+v\n want %+v", got, truth)
	}
	if len(truth.AtRisk) == 0 {
		t.Error("the sample should show at-risk connections")
	}
}

func TestInputSizeAndNoBarOffTerminal(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "b.txt"), make([]byte, 24), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := inputSize([]string{dir, filepath.Join(dir, "a.txt") + "@1_02", "-", "/nonexistent"}); got != 2024 {
		t.Errorf("inputSize = %d, want 2024", got)
	}
	var errw bytes.Buffer
	if hook, _ := progress([]string{dir}, &IO{Err: &errw}); hook != nil {
		t.Error("a progress bar on a stderr that is not a terminal")
	}
}
