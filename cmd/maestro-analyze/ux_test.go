package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

// ndjsonTypes checks that every line of out is one JSON object with a
// non-empty "type", and returns the types seen, in order of first sight.
func ndjsonTypes(t *testing.T, out string) []string {
	t.Helper()
	if out == "" || !strings.HasSuffix(out, "\n") {
		t.Fatalf("no NDJSON, or not ended by a newline: %q", out)
	}
	var types []string
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, l)
		}
		var typ string
		if err := json.Unmarshal(obj["type"], &typ); err != nil || typ == "" {
			t.Fatalf("line %d has no type: %s", i+1, l)
		}
		if !strings.HasPrefix(l, `{"type":`) {
			t.Errorf("line %d does not start with its type: %.60s", i+1, l)
		}
		if !slices.Contains(types, typ) {
			types = append(types, typ)
		}
	}
	return types
}

// TestNDJSONEveryCommand: `--format ndjson` is one JSON object per line,
// each with a type, for every command, and each command's lists come as
// lines of their own type.
func TestNDJSONEveryCommand(t *testing.T) {
	entries, err := os.ReadFile("../../samples/entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	conn := "172.16.61.2:30675-172.16.61.66:179/tcp"
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string // types that must be there
	}{
		{"decode", string(entries), []string{"decode"}, exitOK, []string{"entry"}},
		{"owners --list", "", []string{"owners", "--list", "../../samples/switchover"}, exitOK, []string{"connection"}},
		{"owners", "", []string{"owners", "../../samples/switchover"}, exitOK, []string{"summary", "connection", "finding", "attribution", "inputs"}},
		{"storms", "", []string{"storms", "../../samples/switchover/kdebug.txt", "../../samples/syncstat.txt"}, exitOK,
			[]string{"summary", "point", "burst", "syncstat", "syncstat_delta", "finding", "inputs"}},
		{"triage", "", []string{"triage", "../../samples/bundle/bundle.tgz"}, exitOK, []string{"summary", "finding", "member", "file", "owners", "storms", "inputs"}},
		{"trace", "", []string{"trace", conn, "../../samples/switchover"}, exitOK, []string{"summary", "holder", "event", "inputs"}},
		{"trace not found", "", []string{"trace", "1.2.3.4:1-5.6.7.8:2/tcp", "../../samples/entries.txt"}, exitNotFound, []string{"summary"}},
		{"mask", "", []string{"mask", "0x0001800e"}, exitOK, []string{"mask"}},
		{"ccl", "", []string{"ccl", "2_03", "16"}, exitOK, []string{"ccl"}},
		{"timeline", "", []string{"timeline", "../../samples/bundle/bundle.tgz"}, exitOK, []string{"event"}},
		{"filter", "", []string{"filter", "--owner", "1_02", "../../samples/switchover/kdebug.txt"}, exitOK, []string{"match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runIn(t, tt.stdin, append([]string{"-f", "ndjson"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, stderr)
			}
			got := ndjsonTypes(t, out)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("no %q line; types %v", w, got)
				}
			}
			if tt.name == "owners --list" && len(got) != 1 {
				t.Errorf("owners --list: types %v, want only connection", got)
			}
		})
	}
}

// TestJSONNoHTMLEscapes: < and > (in <stdin>, in evidence) are written as
// they are, in JSON and NDJSON.
func TestJSONNoHTMLEscapes(t *testing.T) {
	entries, err := os.ReadFile("../../samples/entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"json", "ndjson"} {
		_, out, _ := runIn(t, string(entries), "-f", f, "decode")
		if strings.Contains(out, `\u003c`) || strings.Contains(out, `\u003e`) || !strings.Contains(out, `"source":`) || !strings.Contains(out, "<stdin>") {
			t.Errorf("-f %s: HTML escapes, or no <stdin>:\n%.300s", f, out)
		}
	}
}

// TestHelpExamples: every command's help has examples, and each example
// runs on the shipped samples with the status its help promises.
func TestHelpExamples(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("maestro-analyze"), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	ran := 0
	for _, node := range parser.Model.Children {
		code, help, _ := runIn(t, "", node.Name, "--help")
		if code != exitOK || !strings.Contains(help, "Examples:") {
			t.Errorf("%s --help: status %d, no examples:\n%s", node.Name, code, help)
			continue
		}
		// Every default is shown: kong prints --flag="default" unless a
		// placeholder stands there, and then the help must say it.
		for _, f := range node.Flags {
			if f.Default != "" && f.PlaceHolder != "" && !strings.Contains(f.Help, f.Default) {
				t.Errorf("%s --%s: default %q not in its help %q", node.Name, f.Name, f.Default, f.Help)
			}
		}
		for l := range strings.Lines(help) {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "maestro-analyze ") || strings.Contains(l, "completion") {
				continue
			}
			stdin := ""
			if i := strings.Index(l, " < "); i > 0 { // decode < FILE
				b, err := os.ReadFile(filepath.Join("../..", strings.TrimSpace(l[i+3:])))
				if err != nil {
					t.Fatal(err)
				}
				stdin, l = string(b), l[:i]
			}
			if i := strings.Index(l, " | "); i > 0 { // piped into jq: run the command alone
				l = l[:i]
			}
			if strings.HasPrefix(l, "maestro-analyze") && (strings.Contains(l, "printf") || strings.Contains(l, "echo")) {
				continue
			}
			args := strings.Fields(strings.ReplaceAll(strings.ReplaceAll(l, "samples/", "../../samples/"), "report.html", filepath.Join(tmp, "report.html")))[1:]
			for i, a := range args {
				args[i] = strings.Trim(a, "'")
			}
			want := exitOK
			if slices.Contains(args, "--fail-on") {
				want = exitFindings
			}
			code, out, stderr := runIn(t, stdin, args...)
			if code != want || out == "" {
				t.Errorf("%s: status %d, want %d (stdout %d bytes): %s", l, code, want, len(out), stderr)
			}
			ran++
		}
	}
	if ran < 14 {
		t.Errorf("ran %d examples, want two or three per command", ran)
	}
	// The top-level help lists every command, one line each.
	_, help, _ := runIn(t, "", "--help")
	for _, node := range parser.Model.Children {
		found := false
		for l := range strings.Lines(help) {
			if strings.HasPrefix(l, "  "+node.Name+" ") && len(strings.TrimRight(l, "\n")) <= 80 {
				found = true
			}
		}
		if !found {
			t.Errorf("--help lists no one-line %s", node.Name)
		}
	}
}

// TestCompletion: `completion SHELL` prints the script that calls the
// binary back, and a completion request (COMP_LINE) completes commands,
// enum values and file arguments.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -C ",
		"zsh":  "bashcompinit",
		"fish": "complete -f -c maestro-analyze -a \"(__complete_maestro-analyze)\"",
	} {
		code, out, stderr := runIn(t, "", "completion", shell)
		if code != exitOK || !strings.Contains(out, want) || !strings.Contains(out, "maestro-analyze") {
			t.Errorf("completion %s: status %d, %q (stderr %q)", shell, code, out, stderr)
		}
	}
	if code, _, _ := runIn(t, "", "completion", "tcsh"); code != exitUsage {
		t.Errorf("completion tcsh: status %d, want %d", code, exitUsage)
	}
	for line, want := range map[string]string{
		"maestro-analyze tri":         "triage",
		"maestro-analyze --format nd": "ndjson",
		// posener/complete completes paths below the working directory
		// (not ../: bash and zsh fall back to their own, -o default).
		"maestro-analyze triage testdata/scr":       "testdata/script/",
		"maestro-analyze decode --dxl testdata/scr": "testdata/script/",
		"maestro-analyze owners testdata/script/tr": "testdata/script/trace.txtar",
	} {
		t.Setenv("COMP_LINE", line)
		code, out, _ := runIn(t, "")
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("COMP_LINE=%q: status %d, %q, want %q", line, code, out, want)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"owners", "--expiry-risk", "0"}, {"mask"}, {"trace", "nonsense"}} {
		if code, _, _ := runIn(t, "", args...); code != 2 {
			t.Errorf("%v: status %d, want 2", args, code)
		}
	}
}

func TestVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := formatVersion("devel", bi), "v0.3.0, commit 0123456789ab (modified), go1.26.0"; got != want {
		t.Errorf("formatVersion = %q, want %q", got, want)
	}
	bi.Main.Version = "(devel)"
	if got := formatVersion("devel", bi); !strings.HasPrefix(got, "devel, commit 0123456789ab") {
		t.Errorf("formatVersion = %q", got)
	}
	if got := formatVersion("devel", nil); !strings.HasPrefix(got, "devel, commit unknown, go") {
		t.Errorf("formatVersion(no build info) = %q", got)
	}
	code, out, _ := runIn(t, "", "--version")
	if code != exitOK || !strings.Contains(out, ", go1.") {
		t.Errorf("--version: status %d, %q", code, out)
	}
}

// TestQuiet: --quiet drops the line accounting, not rejected lines.
func TestQuiet(t *testing.T) {
	code, _, stderr := runIn(t, "", "owners", "../../samples/switchover")
	if code != exitOK || !accountingOnly(stderr) || stderr == "" {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	code, out, stderr := runIn(t, "", "-q", "owners", "../../samples/switchover")
	if code != exitOK || stderr != "" || out == "" {
		t.Errorf("-q: status %d, stderr %q", code, stderr)
	}
	in := "<00000000, ac103d42, 000047df, ac103d02, 000000b3, 00000006; 0001c001, 40044080, 0000000f, 0000000b, 00000000, 68da50ae, 00000000, 412afd3c, e6fc6e36, 00000054, ffffffff, ffffffff, ffffffff, 02008000, 000f9280; 3394/3618>\n<00000000, zz>\n"
	_, _, stderr = runIn(t, in, "--quiet", "owners")
	if !strings.Contains(stderr, "1 rejected") || !strings.Contains(stderr, "<stdin>:2") {
		t.Errorf("--quiet hid a rejected line: %q", stderr)
	}
	// Nothing recognized: the error says what was looked at, --quiet or not.
	code, _, stderr = runIn(t, "hello\n", "-q", "storms")
	if code != exitError || !strings.Contains(stderr, "lines read") {
		t.Errorf("status %d, stderr %q", code, stderr)
	}
}

func TestEnvironment(t *testing.T) {
	t.Setenv("MAESTRO_LAYOUT", "3x4")
	t.Setenv("MAESTRO_SITES", "1=standby,2=active,3=down")
	code, out, stderr := runIn(t, "", "-f", "csv", "ccl")
	if code != exitOK || strings.Count(out, "\n") != 13 || !strings.Contains(out, "3_04") {
		t.Errorf("MAESTRO_LAYOUT=3x4 ccl: status %d, %q %s", code, out, stderr)
	}
	code, out, _ = runIn(t, "", "-f", "json", "mask", "--owner", "1_02", "0x0000000e")
	if code != exitOK || !strings.Contains(out, `"state": "STANDBY"`) {
		t.Errorf("MAESTRO_SITES: status %d, %s", code, out)
	}
	// The flag wins over the variable.
	if code, out, _ := runIn(t, "", "-f", "csv", "--layout", "2x14", "--sites", "1=active", "ccl"); code != exitOK || strings.Count(out, "\n") != 29 {
		t.Errorf("--layout over MAESTRO_LAYOUT: status %d, %d lines", code, strings.Count(out, "\n"))
	}
	t.Setenv("MAESTRO_LAYOUT", "9x99")
	if code, _, _ := runIn(t, "", "ccl"); code != exitUsage {
		t.Errorf("MAESTRO_LAYOUT=9x99: status %d, want %d", code, exitUsage)
	}
}

// TestValuesAndFilesFromArguments: decode FILE reads the file and says
// so; mask - and ccl - read stdin; --html - writes the page to stdout.
func TestValuesAndFilesFromArguments(t *testing.T) {
	code, out, stderr := runIn(t, "", "-f", "ndjson", "decode", "../../samples/entries.txt")
	if code != exitOK || !strings.Contains(stderr, "../../samples/entries.txt names an existing file: decoding its lines") ||
		!strings.Contains(out, `"source":"../../samples/entries.txt"`) || strings.Count(out, "\n") != 11 {
		t.Errorf("decode FILE: status %d, stderr %q\n%.200s", code, stderr, out)
	}
	code, a, _ := runIn(t, "0x0001800e\n", "-f", "json", "mask", "-")
	_, b, _ := runIn(t, "", "-f", "json", "mask", "0x0001800e")
	if code != exitOK || a != b {
		t.Errorf("mask -: status %d\n%s\nwant\n%s", code, a, b)
	}
	if code, _, _ := runIn(t, "0x1\n0x2\n", "mask", "-"); code != exitUsage {
		t.Errorf("mask - with two values: status %d", code)
	}
	code, a, _ = runIn(t, "2_03\n 16 \n\n", "-f", "csv", "ccl", "-", "1_02")
	_, b, _ = runIn(t, "", "-f", "csv", "ccl", "2_03", "16", "1_02")
	if code != exitOK || a != b {
		t.Errorf("ccl -: status %d\n%s\nwant\n%s", code, a, b)
	}
	bundle, err := filepath.Abs("../../samples/bundle/bundle.tgz")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, stderr = runIn(t, "", "triage", "--html", "-", bundle)
	if code != exitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") || strings.Contains(out, "high SGM_DOWN [") {
		t.Errorf("--html -: status %d, stderr %q\n%.200s", code, stderr, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Error("--html - wrote a file named -")
	}
}

// TestTimesBesideStrings: a time shown as an RFC 3339 string has its Unix
// seconds beside it, and the two agree.
func TestTimesBesideStrings(t *testing.T) {
	code, out, stderr := runIn(t, "", "-f", "ndjson", "owners", "--list", "--dump-time", "2025-09-30T04:18:08Z", "../../samples/switchover")
	if code != exitOK {
		t.Fatalf("status %d: %s", code, stderr)
	}
	n := 0
	for l := range strings.Lines(out) {
		var c struct {
			ExpiresAt string `json:"expires_at"`
			ExpiresT  int64  `json:"expires_t"`
		}
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse(time.RFC3339, c.ExpiresAt)
		if err != nil || at.Unix() != c.ExpiresT {
			t.Errorf("expires_at %q, expires_t %d", c.ExpiresAt, c.ExpiresT)
		}
		n++
	}
	if n == 0 {
		t.Error("no at-risk connection")
	}
	// storms on an epoch-stamped capture: each bucket's time string is its t.
	capture := "@;1759209600413000;[fw4_1];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e];\n"
	_, out, _ = runIn(t, capture, "-f", "ndjson", "storms")
	if !strings.Contains(out, `{"type":"point","t":1759209600,"time":"2025-09-30T05:20:00.000Z",`) {
		t.Errorf("no time beside t:\n%s", out)
	}
}
