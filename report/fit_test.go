package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
)

func TestShorten(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"bundle/1_01/cpinfo.info:138", 40, "bundle/1_01/cpinfo.info:138"},
		{"samples/bundle/bundle.tgz!bundle/1_01/cpinfo.info:138", 23, "…/1_01/cpinfo.info:138"},
		{"bundle/logs.tgz!1_03/var/log/messages", 27, "…!1_03/var/log/messages"},
		{"bundle/logs.tgz!1_03/var/log/messages", 32, "…/logs.tgz!1_03/var/log/messages"},
		{"samples/bundle/bundle.tgz!bundle/logs.tgz!1_03/var/log/messages", 30, "samples…!1_03/var/log/messages"},
		{"abcdefghij", 5, "…ghij"},
		{"abcdefghij", 1, "…"},
		{"abcdefghij", 0, ""},
	}
	for _, tt := range tests {
		got := Shorten(tt.in, tt.width)
		if got != tt.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		if w := twwidth.Width(got); w > tt.width {
			t.Errorf("Shorten(%q, %d) is %d wide", tt.in, tt.width, w)
		}
	}
}

// TestTableFits: a table laid out to a width is no wider, keeps narrow
// columns whole, wraps text at spaces, drops the columns ranked for it
// (and names them) only when it must, and is left alone with no width.
func TestTableFits(t *testing.T) {
	cols := []Col{{Header: "SGM"}, {Header: "File", Cut: true}, {Header: "Note"}, {Header: "Extra", Drop: 1}, {Header: "Count", Align: tw.AlignRight}}
	rows := [][]string{
		{"1_01", "samples/bundle/bundle.tgz!bundle/1_01/cpinfo.info:138", "the correction layer does not forward packets to the owner", "some extra words here", "12"},
		{"2_04", "samples/bundle/bundle.tgz!bundle/2_04/fwtab.txt:7", "short", "x", "3"},
	}
	for _, width := range []int{40, 60, 80, 200} {
		var b bytes.Buffer
		p := NewPalette(false)
		p.Width = width
		if err := p.Table(&b, cols, rows); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for l := range strings.SplitSeq(out, "\n") {
			if twwidth.Width(l) > width {
				t.Errorf("width %d: line %d wide: %q", width, twwidth.Width(l), l)
			}
		}
		if !strings.Contains(out, "| 1_01 |") || !strings.Contains(out, "12 |") {
			t.Errorf("width %d: narrow columns not whole:\n%s", width, out)
		}
		dropped := strings.Contains(out, "Not shown at this width: Extra")
		if dropped == strings.Contains(out, "| Extra") {
			t.Errorf("width %d: Extra both shown and said dropped, or neither:\n%s", width, out)
		}
		if width == 200 && (dropped || !strings.Contains(out, "the correction layer does not forward packets to the owner")) {
			t.Errorf("width 200: the table was narrowed:\n%s", out)
		}
		if width == 40 && !dropped {
			t.Errorf("width 40: Extra kept:\n%s", out)
		}
		if width < 80 && !strings.Contains(out, "…") {
			t.Errorf("width %d: no path cut in the middle:\n%s", width, out)
		}
	}
	var full, plain bytes.Buffer
	if err := NewPalette(false).Table(&full, cols, rows); err != nil {
		t.Fatal(err)
	}
	if err := RenderRows(&plain, []string{"SGM", "File", "Note", "Extra", "Count"}, rows, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight); err != nil {
		t.Fatal(err)
	}
	if full.String() != plain.String() {
		t.Errorf("no width: table differs from RenderRows:\n%s\n%s", full.String(), plain.String())
	}
}

func TestWrap(t *testing.T) {
	p := NewPalette(false)
	text := "- 4 connections (10%) are at risk of being dropped: some SGM will expire them within 600 s"
	if p.Wrap(text, "  ") != text {
		t.Error("no width: text wrapped")
	}
	p.Width = 40
	got := p.Wrap(text, "  ")
	lines := strings.Split(got, "\n")
	if len(lines) < 3 || strings.Join(strings.Fields(got), " ") != text {
		t.Errorf("wrapped text lost words or did not wrap:\n%s", got)
	}
	for i, l := range lines {
		if len(l) > 40 || (i > 0 && !strings.HasPrefix(l, "  ")) {
			t.Errorf("line %d: %q", i, l)
		}
	}
}

func TestRel(t *testing.T) {
	tests := []struct{ base, in, want string }{
		{"samples/bundle/bundle.tgz", "samples/bundle/bundle.tgz!bundle/1_01/cpinfo.info:138", "bundle/1_01/cpinfo.info:138"},
		{"samples/switchover", "samples/switchover/kdebug.txt:9", "kdebug.txt:9"},
		{"samples/switchover/kdebug.txt", "samples/switchover/kdebug.txt:9", "kdebug.txt:9"},
		{"samples/switchover", "other/kdebug.txt:9", "other/kdebug.txt:9"},
		{"", "samples/switchover/kdebug.txt:9", "samples/switchover/kdebug.txt:9"},
		{"-", "<stdin>:3", "<stdin>:3"},
	}
	for _, tt := range tests {
		p := Palette{Base: tt.base}
		if got := p.Rel(tt.in); got != tt.want {
			t.Errorf("Rel(%q) with base %q = %q, want %q", tt.in, tt.base, got, tt.want)
		}
	}
	p := Palette{Base: "samples/bundle/bundle.tgz"}
	if got := p.RelAll("site 1 STANDBY from asg stat (samples/bundle/bundle.tgz!bundle/1_01/cpinfo.info:138); site 2"); got != "site 1 STANDBY from asg stat (bundle/1_01/cpinfo.info:138); site 2" {
		t.Errorf("RelAll = %q", got)
	}
}

// TestTimes: the one rule of capture times. Unix times from 2001-09-09 on
// are dates, smaller clocks stay seconds; --local shows the zone's time.
func TestTimes(t *testing.T) {
	var z Times
	for _, tt := range []struct {
		t    float64
		want string
	}{
		{1759209600.4134, "2025-09-30 05:20:00.413 UTC"},
		{EpochMin, "2001-09-09 01:46:40.000 UTC"},
		{EpochMin - 1, "999999999.000 s"},
		{100, "100.000 s"},
		{EpochMax + 1, "253402300800.000 s"},
	} {
		if got := z.At(tt.t, 3); got != tt.want {
			t.Errorf("At(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	if got := z.Cell(1759209600.4134, 0); got != "2025-09-30 05:20:00" {
		t.Errorf("Cell = %q", got)
	}
	if got := z.Clock(1759209600.6); got != "05:20:00" {
		t.Errorf("Clock = %q", got)
	}
	if got := z.Header(1759209600, "t (s)"); got != "Time (UTC)" {
		t.Errorf("Header = %q", got)
	}
	if got := z.Header(12, "t (s)"); got != "t (s)" {
		t.Errorf("Header of seconds = %q", got)
	}
	local := Times{Loc: time.FixedZone("CEST", 2*3600)}
	if got := local.At(1759209600.4134, 3); got != "2025-09-30 07:20:00.413 CEST" {
		t.Errorf("local At = %q", got)
	}
}
