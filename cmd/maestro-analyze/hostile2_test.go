package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNumberFlagsAreChecked: every number flag is checked when kong
// parses it: a usage error naming the flag, never a panic or a NaN.
func TestNumberFlagsAreChecked(t *testing.T) {
	capture := "../../samples/switchover/kdebug.txt"
	tests := []struct {
		args []string
		flag string
	}{
		{[]string{"storms", "--bucket", "NaN", capture}, "--bucket"},
		{[]string{"storms", "--bucket", "Inf", capture}, "--bucket"},
		{[]string{"storms", "--bucket=-1", capture}, "--bucket"},
		{[]string{"storms", "--bucket", "1e-10", "--ts-unit", "s", capture}, "--bucket"},
		{[]string{"storms", "--bucket", "86401", capture}, "--bucket"},
		{[]string{"storms", "--refresh-interval", "0", capture}, "--refresh-interval"},
		{[]string{"storms", "--refresh-interval", "NaN", capture}, "--refresh-interval"},
		{[]string{"storms", "--burst-factor", "NaN", capture}, "--burst-factor"},
		{[]string{"storms", "--burst-factor", "1e309", capture}, "--burst-factor"},
		{[]string{"storms", "--sending-queue", "0", capture}, "--sending-queue"},
		{[]string{"storms", "--sending-queue", "9223372036854775807", capture}, "--sending-queue"},
		{[]string{"storms", "--sync-interval", "-5", capture}, "--sync-interval"},
		{[]string{"storms", "--switchover-at", "Inf", capture}, "--switchover-at"},
		{[]string{"owners", "--expiry-risk", "0", capture}, "--expiry-risk"},
		{[]string{"owners", "--expiry-risk", "4294967296", capture}, "--expiry-risk"},
		{[]string{"trace", "--expiry-risk", "0", "1.2.3.4:1-5.6.7.8:2/tcp", capture}, "--expiry-risk"},
		{[]string{"triage", "--expiry-risk", "NaN", capture}, "--expiry-risk"},
		{[]string{"triage", "--max-bytes", "0", capture}, "--max-bytes"},
		{[]string{"triage", "--max-bytes", "1e3", capture}, "--max-bytes"},
		{[]string{"owners", "--dump-time", "9223372036854775807", capture}, "--dump-time"},
		{[]string{"owners", "--dump-time", "-1", capture}, "--dump-time"},
		{[]string{"trace", "--dump-time", "10000-01-01T00:00:00Z", "1.2.3.4:1-5.6.7.8:2/tcp", capture}, "--dump-time"},
		{[]string{"--sites", "1=active,1=standby", "owners", capture}, "--sites"},
		{[]string{"--sites", "2=down, 02=active", "owners", capture}, "--sites"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, stderr := runIn(t, "", tt.args...)
			if code != exitUsage || !strings.HasPrefix(stderr, "maestro-analyze: "+tt.flag+":") || out != "" {
				t.Errorf("status %d, stdout %q, stderr %q; want %d naming %s", code, out, stderr, exitUsage, tt.flag)
			}
		})
	}
	// The bounds themselves are accepted.
	for _, args := range [][]string{
		{"storms", "--bucket", "0.001", "--refresh-interval", "86400", "--burst-factor", "1000", "--sending-queue", "1048576", "--sync-interval", "60000", "--switchover-at=-1e15", capture},
		{"storms", "--bucket", "86400", "--refresh-interval", "1", "--burst-factor", "1", "--sending-queue", "1", "--sync-interval", "1", capture},
		{"owners", "--expiry-risk", "31536000", "--dump-time", "253402300799", capture},
		{"owners", "--dump-time", "0", capture},
	} {
		if code, _, stderr := runIn(t, "", args...); code != exitOK {
			t.Errorf("%v: status %d, stderr %q", args, code, stderr)
		}
	}
}

// TestSendingQueueGiven: --sending-queue given, even at its default, is a
// known queue size; not given, the default is an assumption.
func TestSendingQueueGiven(t *testing.T) {
	capture := "../../samples/switchover/kdebug.txt"
	for _, tt := range []struct {
		args []string
		from string
	}{
		{[]string{"storms", "-f", "json", capture}, "(512, default)"},
		{[]string{"storms", "-f", "json", "--sending-queue", "512", capture}, "(512, --sending-queue)"},
	} {
		code, out, stderr := runIn(t, "", tt.args...)
		var r struct{ Forecast struct{ Formula string } }
		if err := json.Unmarshal([]byte(out), &r); code != exitOK || err != nil {
			t.Fatalf("%v: status %d, %v, stderr %q", tt.args, code, err, stderr)
		}
		if !strings.Contains(r.Forecast.Formula, tt.from) {
			t.Errorf("%v: formula %q, want %q", tt.args, r.Forecast.Formula, tt.from)
		}
	}
}

// TestStampsOutOfRange: a stamp whose bucket index would overflow is
// counted and said, never wrapped (the issue's "--ts-unit s --bucket 0.1
// on a capture with one 18-digit stamp" panicked).
func TestStampsOutOfRange(t *testing.T) {
	line := "@;%s;[fw4_1];SET: connections (8158) keys(6)=<0,a000001,1000,ac100001,1bb,6> vals(14)=<1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800> sync_mask=[0x0000000e];\n"
	in := ""
	for _, st := range []string{"1", "2", "999999999999999999", "3"} {
		in += strings.Replace(line, "%s", st, 1)
	}
	for _, args := range [][]string{
		{"storms", "-f", "json", "--ts-unit", "s", "--bucket", "0.001"},
		{"storms", "-f", "json", "--ts-unit", "s", "--bucket", "0.1"},
		{"storms", "-f", "ndjson", "--ts-unit", "ns", "--bucket", "0.001"},
		{"triage", "-f", "json", "-"},
	} {
		code, out, stderr := runIn(t, in, args...)
		if code != exitOK {
			t.Fatalf("%v: status %d, stderr %q", args, code, stderr)
		}
		for l := range strings.Lines(out) {
			if args[2] != "ndjson" {
				l = out // one document
			}
			var r map[string]any
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			if args[2] != "ndjson" {
				break
			}
		}
		if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") || strings.Contains(out, "-922337203685477") {
			t.Errorf("%v: nonsense number in %s", args, out)
		}
		if args[0] == "storms" && args[4] == "s" && !strings.Contains(out, "1 messages with a stamp out of range") {
			t.Errorf("%v: clock note does not count the stamp out of range:\n%s", args, out)
		}
	}
}

// TestJSONEscapesTerminalControls: DEL, C1 controls (8-bit CSI) and bidi
// overrides from a cpinfo host name are \u escapes in JSON, as the
// table escapes them.
func TestJSONEscapesTerminalControls(t *testing.T) {
	host := "\x7f\u0085\u009b[31m\u202e\u2066gw-ch01-02" // still names 1_02
	cpinfo := "Issuing 'hostname' :\n" + host + "\nThis is Check Point's software version R81.10 - Build 040\n" +
		"Mar 12 01:33:38 " + host + " kernel: Kernel panic - not syncing: Fatal exception\n"
	raw := []string{"\x7f", "\u0085", "\u009b", "\u202e", "\u2066"}
	for _, args := range [][]string{
		{"triage", "-f", "json", "-"},
		{"triage", "-f", "ndjson", "-"},
		{"decode", "-f", "json"},
		{"decode", "-f", "ndjson"},
	} {
		_, out, _ := runIn(t, cpinfo, args...)
		for _, r := range raw {
			if strings.Contains(out, r) {
				t.Errorf("%v: raw %q in the output", args, r)
			}
		}
		if !strings.Contains(out, `\u007f\u0085\u009b[31m\u202e\u2066gw-ch01-02`) {
			t.Errorf("%v: host name not escaped:\n%s", args, out)
		}
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%v: %v", args, err)
			}
		}
	}
}

// TestDecodeStdinIsAnInput: `decode < bundle.tgz` reads the archive (and
// the archives inside it) like every command, not the tar as text;
// pasted arguments stay arguments.
func TestDecodeStdinIsAnInput(t *testing.T) {
	entry := "<0,ac100001,1000,ac100002,1bb,6; 1c001,0,0,0,0,0,0,0,0,0,0,0,0,2000800; 5/4000>"
	inner := tgz(t, map[string]string{"1_02/fwtab.txt": "1_02:\n" + entry + "\n"})
	outer := tgz(t, map[string]string{"bundle/a.txt": entry + "\n", "bundle/logs.tgz": string(inner)})
	code, out, stderr := runIn(t, string(outer), "decode", "-f", "ndjson")
	if code != exitOK {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	for _, want := range []string{`"source":"<stdin>!bundle/a.txt"`, `"source":"<stdin>!bundle/logs.tgz!1_02/fwtab.txt"`} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("%d entries, want 2:\n%s", n, out)
	}
	// An argument is text to decode, unless it names an existing file.
	code, out, _ = runIn(t, "", "decode", "-f", "ndjson", entry, "-")
	if code != exitOK || !strings.Contains(out, `"source":"argument 1"`) {
		t.Errorf("status %d, %s", code, out)
	}
}

func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"bundle/a.txt", "bundle/logs.tgz", "1_02/fwtab.txt"} {
		body, ok := files[name]
		if !ok {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// failWriter fails every write after the first ok bytes.
type failWriter struct{ ok int }

var errDiskFull = errors.New("no space left on device (test)")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.ok >= len(p) {
		w.ok -= len(p)
		return len(p), nil
	}
	n := w.ok
	w.ok = 0
	return n, errDiskFull
}

// TestWriteFailuresExit1: a failed write to stdout is exit 1 with the
// reason, in every command and format, however much was written first.
func TestWriteFailuresExit1(t *testing.T) {
	entries, err := os.ReadFile("../../samples/entries.txt")
	if err != nil {
		t.Fatal(err)
	}
	cmds := [][]string{
		{"decode"}, {"decode", "-f", "json"}, {"decode", "-f", "csv"}, {"decode", "-f", "ndjson"},
		{"owners", "../../samples/switchover"}, {"owners", "--list", "-f", "csv", "../../samples/switchover"},
		{"storms", "../../samples/switchover/kdebug.txt"}, {"storms", "-f", "json", "../../samples/switchover/kdebug.txt"},
		{"triage", "../../samples/bundle/bundle.tgz"}, {"triage", "-f", "csv", "../../samples/bundle/bundle.tgz"},
		{"trace", "10.29.216.206:18558-172.16.0.21:80/tcp", "../../samples/switchover"},
		{"mask", "0x1800e"}, {"ccl"}, {"ccl", "-f", "json"}, {"--help"}, {"--version"},
	}
	for _, args := range cmds {
		for _, ok := range []int{0, 100} {
			if ok > 0 && args[0] == "--version" {
				continue // shorter than that
			}
			var errw bytes.Buffer
			code := run(t.Context(), args, &IO{In: bytes.NewReader(entries), Out: &failWriter{ok: ok}, Err: &errw})
			if code != exitError || !strings.Contains(errw.String(), "maestro-analyze: writing the output: "+errDiskFull.Error()) ||
				strings.Count(errw.String(), errDiskFull.Error()) != 1 {
				t.Errorf("%v after %d bytes: status %d, stderr %q", args, ok, code, errw.String())
			}
		}
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	var errw bytes.Buffer
	code := run(t.Context(), []string{"ccl"}, &IO{In: strings.NewReader(""), Out: full, Err: &errw})
	if code != exitError || !strings.Contains(errw.String(), "no space left on device") {
		t.Errorf("/dev/full: status %d, stderr %q", code, errw.String())
	}
}

// TestHTMLWriteFailure: a report file that cannot be written is exit 1.
func TestHTMLWriteFailure(t *testing.T) {
	code, _, stderr := runIn(t, "", "triage", "--html", filepath.Join(t.TempDir(), "no", "such", "dir", "r.html"), "../../samples/bundle/bundle.tgz")
	if code != exitError || !strings.Contains(stderr, "r.html") {
		t.Errorf("status %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		code, _, stderr = runIn(t, "", "--allow-devices", "triage", "--html", "/dev/full", "../../samples/bundle/bundle.tgz")
		if code != exitError || !strings.Contains(stderr, "no space left on device") {
			t.Errorf("/dev/full: status %d, stderr %q", code, stderr)
		}
	}
}

// TestTriageOutsideLayout: an SGM outside the layout named by the bundle
// is listed as such, not as found.
func TestTriageOutsideLayout(t *testing.T) {
	in := "Issuing 'hostname' :\ngw-ch03-17\nThis is Check Point's software version R81.10 - Build 040\n"
	code, out, stderr := runIn(t, in, "triage", "-f", "json", "-")
	var r struct {
		Members []struct{ SGM string } `json:"members"`
		Outside []struct{ SGM string } `json:"outside_layout"`
	}
	if err := json.Unmarshal([]byte(out), &r); code != exitOK || err != nil {
		t.Fatalf("status %d, %v, stderr %q", code, err, stderr)
	}
	if len(r.Members) != 0 || len(r.Outside) != 1 || r.Outside[0].SGM != "3_17" {
		t.Errorf("members %v, outside %v", r.Members, r.Outside)
	}
	_, out, _ = runIn(t, in, "triage", "-")
	if !strings.Contains(out, "0 SGMs found") || !strings.Contains(out, "Outside the layout (not counted as found; see --layout): 3_17") {
		t.Errorf("table:\n%s", out)
	}
}

// TestAllowDevices: a device named as an input is refused unless
// --allow-devices (parse.Limits.AllowDevices) lets it in.
func TestAllowDevices(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	code, _, stderr := runIn(t, "", "owners", "/dev/null")
	if code != exitError || !strings.Contains(stderr, "character device") {
		t.Errorf("refused: status %d, stderr %q", code, stderr)
	}
	code, _, stderr = runIn(t, "", "--allow-devices", "owners", "/dev/null")
	if code != exitError || strings.Contains(stderr, "character device") || !strings.Contains(stderr, "nothing recognized") {
		t.Errorf("allowed: status %d, stderr %q", code, stderr)
	}
	code, _, stderr = runIn(t, "", "decode", "--dxl", "/dev/null")
	if code != exitError || strings.Contains(stderr, "no asg dxl calc result") {
		t.Errorf("--dxl refused: status %d, stderr %q", code, stderr)
	}
}
