package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
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
	samples, err := filepath.Abs("../../samples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{Dir: "testdata/script", UpdateScripts: *update, RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("SAMPLES", samples)
			return nil
		}})
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
		{"triage finds high", []string{"triage", "--fail-on", "high", "../../samples/bundle/bundle.tgz"}, "", exitFindings},
		{"triage finds medium", []string{"triage", "--fail-on", "medium", "../../samples/bundle/bundle.tgz"}, "", exitFindings},
		{"triage without --fail-on", []string{"triage", "../../samples/bundle/bundle.tgz"}, "", exitOK},
		{"triage clean input", []string{"triage", "--fail-on", "medium", "-"}, "Delta Sync Statistics\nSync status: OK\nLost updates.... 0\n", exitOK},
		{"triage nothing to analyse", []string{"triage", "../../samples/dxl.txt"}, "", exitError},
		{"FILE@SGM outside the layout", []string{"owners", "../../samples/dxl.txt@9_99"}, "", exitUsage},
		{"triage bad --fail-on", []string{"triage", "--fail-on", "low", "../../samples/dxl.txt"}, "", exitUsage},
		{"trace not found", []string{"trace", "1.2.3.4:1-5.6.7.8:2/tcp", "../../samples/entries.txt"}, "", exitNotFound},
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

// accountingRe matches what stderr may hold after a run that rejected
// nothing: the line accounting, and the shapes of the lines no format
// recognized.
var accountingRe = regexp.MustCompile("^maestro-analyze: \\d+ lines read: [^\n]*, 0 rejected\n(maestro-analyze: [\\d,]+ lines? of [^\n]* unknown shapes?[^\n]*: `[^\n]*\n)?$")

// accountingOnly reports whether stderr holds the line accounting of a run
// that rejected nothing, and nothing else.
func accountingOnly(stderr string) bool { return accountingRe.MatchString(stderr) }

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
			// Every format ends with the line accounting on stderr; nothing
			// may be rejected in a sample.
			if code != exitOK || !accountingOnly(stderr) {
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
		Connections   int            `json:"connections"`
		OwnersBySGM   map[string]int `json:"owners_by_sgm"`
		OwnerUnknown  int            `json:"owner_unknown"`
		OffActiveSite int            `json:"off_active_site"`
		SiteStates    siteStates     `json:"site_states"`
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
	if code != exitOK || !accountingOnly(stderr) {
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

// siteStates reads "site_states" as the reports print it, site ->
// {state, source}, or as truth.json does, site -> state, into site ->
// state.
type siteStates map[string]string

func (s *siteStates) UnmarshalJSON(b []byte) error {
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err == nil {
		*s = plain
		return nil
	}
	var full map[string]struct {
		State  string `json:"state"`
		Source string `json:"source"`
	}
	if err := json.Unmarshal(b, &full); err != nil {
		return err
	}
	*s = siteStates{}
	for k, v := range full {
		if v.Source == "" {
			return fmt.Errorf("site %s: no source", k)
		}
		(*s)[k] = v.State
	}
	return nil
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

// triageSummary is the part of a triage report (and of the simulator's
// bundle truth, which has the same shape) that the tests compare.
type triageSummary struct {
	SiteStates siteStates `json:"site_states"`
	Members    []struct {
		SGM      string   `json:"sgm"`
		Files    []string `json:"files"`
		Hostname string   `json:"hostname"`
		Version  string   `json:"version"`
		Take     *int     `json:"jhf_take"`
		State    string   `json:"state"`
	} `json:"members"`
	Findings []struct {
		Code     string           `json:"code"`
		Severity string           `json:"severity"`
		SGMs     []string         `json:"sgms"`
		Evidence []string         `json:"evidence"`
		Cited    bool             `json:"cited"` // truth only
		Numbers  map[string]int64 `json:"numbers"`
	} `json:"findings"`
	// The truth's counts (the triage's are under owners).
	TableConnections       int `json:"table_connections"`
	CaptureOnlyConnections int `json:"capture_only_connections"`
	CaptureOnlyDeleted     int `json:"capture_only_deleted"`
	Owners                 struct {
		Connections        int `json:"connections"`
		CaptureOnly        int `json:"capture_only"`
		CaptureOnlyDeleted int `json:"capture_only_deleted"`
	} `json:"owners"`
}

// TestBundleSampleTruth runs triage on the shipped simulated bundle and
// compares with the truth the simulator wrote beside it: every finding's
// code, severity and SGMs, the positions it cites, the members and the
// site states.
func TestBundleSampleTruth(t *testing.T) {
	var truth triageSummary
	data, err := os.ReadFile("../../samples/bundle/bundle-truth.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &truth); err != nil {
		t.Fatal(err)
	}
	const arg = "../../samples/bundle/bundle.tgz"
	code, out, stderr := runIn(t, "", "triage", "--format", "json", arg)
	if code != exitOK || !accountingOnly(stderr) {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	out = strings.ReplaceAll(out, arg+"!", "bundle.tgz!")
	var got triageSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.SiteStates, truth.SiteStates) {
		t.Errorf("site states %v, truth %v", got.SiteStates, truth.SiteStates)
	}
	if !reflect.DeepEqual(got.Members, truth.Members) {
		t.Errorf("members differ\n got  %+v\n want %+v", got.Members, truth.Members)
	}
	// Owner placement counts the connections the table dumps hold; those
	// only the capture names are counted apart.
	if truth.CaptureOnlyConnections == 0 {
		t.Error("the shipped bundle's capture names no capture-only connection: the check below proves nothing")
	}
	if got.Owners.Connections != truth.TableConnections || got.Owners.CaptureOnly != truth.CaptureOnlyConnections ||
		got.Owners.CaptureOnlyDeleted != truth.CaptureOnlyDeleted {
		t.Errorf("owners: %d connections, %d capture-only (%d deleted); truth %d, %d (%d)", got.Owners.Connections, got.Owners.CaptureOnly,
			got.Owners.CaptureOnlyDeleted, truth.TableConnections, truth.CaptureOnlyConnections, truth.CaptureOnlyDeleted)
	}
	key := func(code, sev string, sgms []string) string { return code + " " + sev + " " + strings.Join(sgms, ",") }
	have := map[string]int{}
	for i, f := range got.Findings {
		have[key(f.Code, f.Severity, f.SGMs)] = i
	}
	if len(got.Findings) != len(truth.Findings) {
		t.Errorf("%d findings, truth %d", len(got.Findings), len(truth.Findings))
	}
	for _, w := range truth.Findings {
		i, ok := have[key(w.Code, w.Severity, w.SGMs)]
		if !ok {
			t.Errorf("missing finding %s", key(w.Code, w.Severity, w.SGMs))
			continue
		}
		f := got.Findings[i]
		ev := f.Evidence // the positions listed, without a last "and N more"
		if n := len(ev); n > 0 && strings.HasPrefix(ev[n-1], "and ") {
			ev = ev[:n-1]
		}
		if w.Cited && !reflect.DeepEqual(ev, w.Evidence) {
			t.Errorf("%s: evidence %v, truth %v", w.Code, f.Evidence, w.Evidence)
		}
		for k, v := range w.Numbers {
			if n, ok := f.Numbers[k]; ok && n != v {
				t.Errorf("%s: %s = %d, truth %d", w.Code, k, n, v)
			}
		}
	}
}

// TestBundleAsFolder: the same bundle unpacked into a folder (its nested
// archive and gzipped capture left as they are) gives the same findings.
func TestBundleAsFolder(t *testing.T) {
	dir := t.TempDir()
	unpackTgz(t, "../../samples/bundle/bundle.tgz", dir)
	codes := func(out string) []string {
		var r struct {
			Findings []struct {
				Code     string   `json:"code"`
				Severity string   `json:"severity"`
				SGMs     []string `json:"sgms"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		var cs []string
		for _, f := range r.Findings {
			cs = append(cs, f.Code+" "+f.Severity+" "+strings.Join(f.SGMs, ","))
		}
		return cs
	}
	_, tgz, _ := runIn(t, "", "triage", "-f", "json", "../../samples/bundle/bundle.tgz")
	code, folder, stderr := runIn(t, "", "triage", "-f", "json", dir)
	if code != exitOK || !accountingOnly(stderr) {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	if a, b := codes(tgz), codes(folder); !reflect.DeepEqual(a, b) || len(a) < 9 {
		t.Errorf("folder findings differ from the archive's:\n tgz    %v\n folder %v", a, b)
	}
	if !strings.Contains(folder, filepath.ToSlash(filepath.Join(dir, "bundle/logs.tgz"))+"!1_03/var/log/messages:15") {
		t.Error("folder positions do not name the nested archive member")
	}
}

// TestReadmeCommands keeps the README's top honest: its first code block
// holds exactly the two set-up commands, the main command runs on a shipped
// sample, and CI runs the same test command.
func TestReadmeCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```sh\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```sh block at its top")
	}
	cmds := strings.Split(strings.TrimSpace(block), "\n")
	want := []string{"go run ./cmd/maestro-analyze triage samples/bundle/bundle.tgz", "go test ./..."}
	if !slices.Equal(cmds, want) {
		t.Fatalf("README's set-up commands are %q, want %q", cmds, want)
	}
	if _, err := os.Stat("../../samples/bundle/bundle.tgz"); err != nil {
		t.Fatalf("the main command's sample: %v", err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range want {
		if !strings.Contains(string(ci), strings.TrimPrefix(c, "go run ./cmd/maestro-analyze ")) {
			t.Errorf(".ci/run does not run %q", c)
		}
	}
}
