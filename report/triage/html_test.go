package triage

import (
	"bytes"
	"context"
	"html"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
	"github.com/maestro-analyze/maestro-analyze/samples/sim"
)

// triageOf runs the triage builder over in-memory inputs.
func triageOf(t *testing.T, sites string, inputs map[string]string) *Report {
	t.Helper()
	st, err := decode.ParseSiteStates(sites, decode.DefaultLayout)
	if err != nil {
		t.Fatal(err)
	}
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout, Sites: st}, report.FeedOptions{})
	b := New(f, 0, storms.DefaultOptions())
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		src := parse.Source{Path: name, Name: name}
		if s, ok := parse.SGMFromName(name); ok {
			src.SGM, src.Rule = s, parse.RuleFileName
		}
		if err := f.Read(src, parse.NewReader(strings.NewReader(inputs[name]), name)); err != nil {
			t.Fatal(err)
		}
	}
	return b.Report()
}

func htmlInputs(t *testing.T) map[string]string {
	t.Helper()
	s, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var kd, fw bytes.Buffer
	if err := s.WriteKdebug(&kd); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFwTabAll(&fw); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"bundle.tgz!kdebug.txt":                kd.String(),
		"bundle.tgz!fwtab-all.txt":             fw.String(),
		"bundle.tgz!1_02/cpinfo.info":          readTestdata(t, "cpinfo-sgm.info"),
		"bundle.tgz!2_01/syncstat.txt":         readTestdata(t, "syncstat-lost.txt"),
		"bundle.tgz!<script>alert(1)</script>": "hello\n",
	}
}

// testPage is the page the tests write: a fixed generation time (what
// SOURCE_DATE_EPOCH gives the command) and the cited lines quoted from the
// same inputs, read a second time as the command does.
func testPage(t *testing.T, r *Report, inputs map[string]string) Page {
	t.Helper()
	q := NewQuotes(r)
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		if err := q.Read(parse.Source{Path: name, Name: name}, parse.NewReader(strings.NewReader(inputs[name]), name)); err != nil {
			t.Fatal(err)
		}
	}
	return Page{Version: "test", Generated: time.Unix(1759209600, 0), Inputs: []string{"bundle.tgz"}, Quotes: q}
}

func TestTriageHTMLSelfContained(t *testing.T) {
	in := htmlInputs(t)
	r := triageOf(t, "", in)
	var b bytes.Buffer
	if err := WriteHTML(&b, r, testPage(t, r, in)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`id="refresh-chart"`, `id="findings-table"`, "LOST_UPDATES", "KERNEL_PANIC", "OWNERS_OFF_ACTIVE_SITE", `id="owner-sites"`,
		`<dd id="generated">2025-09-30 05:20:00 UTC</dd>`, `<dd id="tool-version">maestro-analyze test</dd>`, `<code>bundle.tgz</code>`,
		`id="switchover-marker"`, `class="tick-label"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script>alert(1)</script>") {
		t.Error("input text reached the page unescaped")
	}
	// Every cited line with a position is quoted under its finding, as it
	// is in the input, escaped: SET and REFRESH lines carry < and >.
	quotes := regexp.MustCompile(`<blockquote class="line">([^<]*)</blockquote>`).FindAllStringSubmatch(page, -1)
	if len(quotes) < 5 {
		t.Fatalf("%d evidence lines quoted", len(quotes))
	}
	escaped := false
	for _, m := range quotes {
		line := html.UnescapeString(m[1])
		cut, long := strings.CutSuffix(line, " …") // a line over maxQuote bytes
		found := false
		for _, text := range in {
			found = found || strings.Contains(text, line+"\n") || (long && strings.Contains(text, cut))
		}
		if !found {
			t.Errorf("quote %q is no line of the inputs", line)
		}
		escaped = escaped || strings.Contains(m[1], "&lt;")
	}
	if !escaped {
		t.Error("no quoted line with an escaped <: the sync lines were not quoted")
	}
	// The chart's time axis: the sim's capture has no epoch clock, so
	// seconds; the switchover is at switchover_at.
	if !regexp.MustCompile(`<title>switchover at 100\.000 s \(`).MatchString(page) {
		t.Error("switchover marker not at the simulated switchover (100 s)")
	}
	// Nothing is fetched: no script, no link, no src or href attribute, no
	// URL but the SVG namespace.
	if regexp.MustCompile(`(?i)<script|<link|\ssrc=|\shref=|@import|url\(`).MatchString(page) {
		t.Error("page references external resources")
	}
	for _, m := range regexp.MustCompile(`https?://[^"' ]+`).FindAllString(page, -1) {
		if m != "http://www.w3.org/2000/svg" {
			t.Errorf("page has URL %s", m)
		}
	}
}

// TestTriageHTMLInChromium renders the page in headless Chromium and checks
// that it loads with the chart and the findings visible: the DOM holds them
// and the screenshot shows the chart's line and the high-severity badges in
// their colours.
func TestTriageHTMLInChromium(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no chromium on PATH (apt-get install chromium): browser rendering not checked")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "triage.html")
	var b bytes.Buffer
	in := htmlInputs(t)
	r := triageOf(t, "", in)
	if err := WriteHTML(&b, r, testPage(t, r, in)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=1200,4000"}
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, append(base, args...)...).Output()
		if err != nil {
			t.Fatalf("%s: %v", bin, err)
		}
		return out
	}
	dom := string(run("--dump-dom", "file://"+page))
	for _, want := range []string{`id="refresh-chart"`, "LOST_UPDATES", "KERNEL_PANIC", "polyline", `class="line"`, `id="switchover-marker"`, "2025-09-30 05:20:00 UTC"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	run("--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	near := func(r, g, b uint32, want [3]uint32) bool {
		d := func(a, b uint32) uint32 {
			if a > b {
				return a - b
			}
			return b - a
		}
		return d(r>>8, want[0])+d(g>>8, want[1])+d(b>>8, want[2]) < 40
	}
	var badge, line int
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, g, b, [3]uint32{0xc0, 0x39, 0x2b}) {
				badge++
			}
			if near(r, g, b, [3]uint32{0x2e, 0x86, 0xc1}) {
				line++
			}
		}
	}
	if badge < 50 || line < 50 {
		t.Errorf("screenshot shows %d pixels of the high badge and %d of the chart line: the findings or the chart are not visible", badge, line)
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
