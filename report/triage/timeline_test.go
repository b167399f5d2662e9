package triage

import (
	"bytes"
	"strings"
	"testing"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/parse"
	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// TestHTMLTimeline: the HTML report of the shipped bundle shows the
// timeline as a table, one row per event, with the story.
func TestHTMLTimeline(t *testing.T) {
	f := report.NewFeed(report.Context{Layout: decode.DefaultLayout}, report.FeedOptions{})
	b := New(f, 0, storms.DefaultOptions())
	if _, err := f.Walk([]string{"../../samples/bundle/bundle.tgz"}, nil, parse.DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	r := b.Report()
	if len(r.Timeline) == 0 {
		t.Fatal("no timeline")
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r, Page{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if n := strings.Count(html, `<tr class="event">`); n != len(r.Timeline) {
		t.Errorf("%d timeline rows, %d events", n, len(r.Timeline))
	}
	for _, w := range []string{`<h2 id="timeline">Timeline</h2>`, "<td>2025-09-30T02:23:00Z</td><td>2_01</td><td><code>failover</code></td>",
		"<td>-</td><td><code>switchover</code></td>", "took over (failover #4"} {
		if !strings.Contains(html, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
}

// TestCaptureOf: the storm report's switchover and REFRESH bursts, nothing
// without a clock.
func TestCaptureOf(t *testing.T) {
	if CaptureOf(nil) != nil || CaptureOf(&storms.Report{}) != nil {
		t.Error("a capture without a clock")
	}
	sw, k := 100.0, 1
	c := CaptureOf(&storms.Report{Clock: true, Switchover: &storms.Switchover{T: &sw, Source: "sync_mask change"},
		Bursts: []storms.Burst{{Start: 5, Messages: 9}, {Start: 612, Refresh: 52, Messages: 52, Wave: &k, At: "cap.txt:468"}}})
	if c == nil || *c.Switchover != 100 || len(c.Waves) != 1 || c.Waves[0].Start != 612 || c.Input != "cap.txt" {
		t.Errorf("%+v", c)
	}
}
