package triage

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// Page is what the HTML report says about itself: the tool version, when
// it was generated (the caller's clock, or SOURCE_DATE_EPOCH), the inputs
// as given, how capture dates are written, and the quoted evidence lines.
type Page struct {
	Version   string
	Generated time.Time
	Inputs    []string
	Times     report.Times
	Quotes    *Quotes // nil: evidence positions only
	// NoQuotes says why the lines are not quoted, when they are not.
	NoQuotes string
}

// WriteHTML writes one self-contained HTML page (no scripts, fonts or
// network): the findings, each with its evidence positions and the cited
// lines quoted, the SGMs, owner placement by site, the sync message
// timeline as an inline SVG chart with a time axis and the switchover
// marked, syncstat snapshots, the inventory, and how the page was made.
// html/template escapes everything taken from the input.
func WriteHTML(w io.Writer, r *Report, pg Page) error {
	d := htmlData{R: r, Page: pg, Chart: timelineSVG(r.Storms, pg.Times), Sites: siteBars(r.Owners)}
	if !pg.Generated.IsZero() {
		d.Generated = pg.Generated.In(timesLoc(pg.Times)).Format("2006-01-02 15:04:05 MST")
	}
	for _, f := range r.Findings {
		hf := htmlFinding{Finding: f.Clean()}
		for _, e := range hf.Evidence {
			hf.Cited = append(hf.Cited, htmlEvidence{At: e, Quote: report.Sanitize(pg.Quotes.Of(e))})
		}
		d.Findings = append(d.Findings, hf)
	}
	return triageTemplate.Execute(w, d)
}

func timesLoc(z report.Times) *time.Location {
	if z.Loc == nil {
		return time.UTC
	}
	return z.Loc
}

type htmlData struct {
	R         *Report
	Page      Page
	Generated string
	Findings  []htmlFinding
	Chart     template.HTML
	Sites     template.HTML
}

type htmlFinding struct {
	Finding
	Cited []htmlEvidence
}

type htmlEvidence struct {
	At    string // position, with its note
	Quote string // the line, when read
}

// svgW and svgH are the chart's drawing size in SVG units.
const svgW, svgH = 900.0, 250.0

// timelineSVG draws messages per bucket over time, REFRESH in a second
// line and bursts as shaded bands. Built from numbers only, so it needs no
// escaping beyond the caption, which is formatted from numbers too.
func timelineSVG(sr *storms.Report, z report.Times) template.HTML {
	if sr == nil || len(sr.Timeline) == 0 || sr.Start == nil {
		return template.HTML(`<p class="muted" id="refresh-chart-missing">No kernel-debug sync messages with timestamps in the bundle: no timeline.</p>`)
	}
	start, end := *sr.Start, *sr.End
	span := math.Max(end-start, sr.Bucket)
	const cols = 600
	all := make([]float64, cols)
	ref := make([]float64, cols)
	col := func(t float64) int { return min(cols-1, max(0, int((t-start)/span*cols))) }
	top := 1.0
	for _, p := range sr.Timeline {
		c := col(p.T)
		all[c] = math.Max(all[c], float64(p.Messages))
		ref[c] = math.Max(ref[c], float64(p.Refresh))
		top = math.Max(top, all[c])
	}
	x := func(c int) float64 { return 50 + float64(c)/cols*(svgW-60) }
	y := func(v float64) float64 { return 10 + (1-v/top)*(svgH-40) }
	poly := func(vs []float64) string {
		var b strings.Builder
		for c, v := range vs {
			fmt.Fprintf(&b, "%.1f,%.1f ", x(c), y(v))
		}
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="refresh-chart" role="img" aria-label="sync messages over time" viewBox="0 0 %.0f %.0f" width="100%%" xmlns="http://www.w3.org/2000/svg">`, svgW, svgH)
	for _, bu := range sr.Bursts {
		x0, x1 := x(col(bu.Start)), x(col(bu.Start+bu.Duration))
		fmt.Fprintf(&b, `<rect class="burst" x="%.1f" y="10" width="%.1f" height="%.0f"><title>burst at %s: %d messages, %d REFRESH</title></rect>`,
			x0-2, math.Max(4, x1-x0+4), svgH-40, z.At(bu.Start, 0), bu.Messages, bu.Refresh)
	}
	fmt.Fprintf(&b, `<line x1="50" y1="%.0f" x2="%.0f" y2="%.0f" class="axis"/>`, svgH-30, svgW-10, svgH-30)
	fmt.Fprintf(&b, `<line x1="50" y1="10" x2="50" y2="%.0f" class="axis"/>`, svgH-30)
	fmt.Fprintf(&b, `<polyline class="all" points="%s"/>`, poly(all))
	fmt.Fprintf(&b, `<polyline class="refresh" points="%s"/>`, poly(ref))
	fmt.Fprintf(&b, `<text x="45" y="16" text-anchor="end">%.0f</text><text x="45" y="%.0f" text-anchor="end">0</text>`, top, svgH-30)
	unit := "s"
	if !sr.Clock {
		unit = "message #"
	}
	// The time axis: ticks and labels at even steps (clock times for an
	// epoch-stamped capture, whose dates the caption gives), and the
	// switchover as a dashed line.
	tx := func(t float64) float64 { return x(0) + (t-start)/span*(x(cols)-x(0)) }
	const ticks = 6
	for i := range ticks {
		t := start + float64(i)/float64(ticks-1)*(end-start)
		label := strconv.FormatFloat(math.Round(t), 'f', 0, 64)
		if sr.Clock {
			label = z.Clock(t)
		}
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case ticks - 1:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line class="axis tick" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f"/><text class="tick-label" x="%.1f" y="%.0f" text-anchor="%s">%s</text>`,
			tx(t), svgH-30, tx(t), svgH-25, tx(t), svgH-14, anchor, template.HTMLEscapeString(label))
	}
	if sw := sr.Switchover; sr.Clock && sw != nil && sw.T != nil && *sw.T >= start && *sw.T <= end {
		fmt.Fprintf(&b, `<line id="switchover-marker" class="switchover" x1="%.1f" y1="10" x2="%.1f" y2="%.0f"><title>switchover at %s (%s)</title></line><text class="switchover-label" x="%.1f" y="22">switchover %s</text>`,
			tx(*sw.T), tx(*sw.T), svgH-30, template.HTMLEscapeString(z.At(*sw.T, 3)), template.HTMLEscapeString(sw.Source), tx(*sw.T)+4, template.HTMLEscapeString(z.Clock(*sw.T)))
	}
	axis := fmt.Sprintf("%.0f .. %.0f %s", start, end, unit)
	if sr.Clock && report.IsEpoch(start) {
		axis = z.At(start, 0) + " .. " + z.At(end, 0)
	}
	fmt.Fprintf(&b, `<text id="time-axis" x="%.0f" y="%.0f" text-anchor="middle">messages per %g %s bucket over %s: all ops (blue), REFRESH (orange), bursts shaded</text>`,
		svgW/2, svgH-2, sr.Bucket, unit, template.HTMLEscapeString(axis))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from numbers only
}

// siteBars draws owners per site as horizontal bars.
func siteBars(or *owners.Report) template.HTML {
	if or == nil || or.Connections == 0 {
		return template.HTML(`<p class="muted">No connection entries in the bundle.</p>`)
	}
	var b strings.Builder
	h := 30*len(or.BySite) + 10
	fmt.Fprintf(&b, `<svg id="owner-sites" viewBox="0 0 600 %d" width="600" xmlns="http://www.w3.org/2000/svg">`, h)
	for i, s := range or.BySite {
		wd := 400 * float64(s.Owners) / float64(or.Connections)
		cls := "site-ok"
		if s.State != "ACTIVE" && s.State != "UNKNOWN" {
			cls = "site-bad"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d">site %d %s</text><rect class="%s" x="150" y="%d" width="%.1f" height="20"/><text x="%.1f" y="%d">%d (%s)</text>`,
			25+30*i, s.Site, template.HTMLEscapeString(s.State), cls, 10+30*i, wd, 155+wd, 25+30*i, s.Owners, report.Pct(s.Owners, or.Connections))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped state only
}

var triageTemplate = template.Must(template.New("triage").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>maestro-analyze triage</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}tr.evidence td{border-top:none;background:#fcfcfc}.num{text-align:right}
.sev{font-weight:bold;text-transform:uppercase;padding:.1em .4em;border-radius:3px;color:#fff}
.sev-high{background:#c0392b}.sev-medium{background:#d68910}.sev-info{background:#7f8c8d}
.muted{color:#777}code{font-size:.9em}
svg text{font-size:12px;fill:#333}
.axis{stroke:#999}.all{fill:none;stroke:#2e86c1;stroke-width:1.5}.refresh{fill:none;stroke:#e67e22;stroke-width:1.5}
.burst{fill:#f5b7b1;opacity:.6}.switchover{stroke:#8e44ad;stroke-width:1.5;stroke-dasharray:5,3}.switchover-label{fill:#8e44ad}.site-ok{fill:#52be80}.site-bad{fill:#e74c3c}
ul.ev{margin:.2em 0;padding-left:1.2em;font-family:monospace;font-size:.85em;overflow-wrap:anywhere}
blockquote.line{margin:.15em 0 .4em 0;padding:.2em .5em;border-left:3px solid #bbb;background:#f7f7f7;white-space:pre-wrap;overflow-wrap:anywhere}
dl.about{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;font-size:.92em}dl.about dt{color:#555}dl.about dd{margin:0}
</style></head><body>
<h1>Maestro triage report</h1>
<dl class="about" id="about"><dt>Generated</dt><dd id="generated">{{if .Generated}}{{.Generated}}{{else}}unknown{{end}}</dd>
<dt>Tool</dt><dd id="tool-version">maestro-analyze {{.Page.Version}}</dd>
<dt>Inputs</dt><dd id="inputs">{{range .Page.Inputs}}<code>{{.}}</code> {{else}}stdin {{end}}<span class="muted">({{len .R.Files}} files, {{.R.Inputs.Lines}} lines)</span></dd></dl>
<p>{{len .R.Files}} files, {{len .R.Members}} SGMs. Site states: {{range $k, $v := .R.SiteStates}}site {{$k}} {{$v}}; {{else}}unknown; {{end}}<span class="muted">({{.R.SitesSource}})</span></p>

<h2 id="findings">Findings</h2>
{{if .R.Findings}}<table id="findings-table"><tr><th>Severity</th><th>Code</th><th>SGMs</th><th>What it means</th></tr>
{{range .Findings}}<tr class="finding"><td><span class="sev sev-{{.Severity}}">{{.Severity}}</span></td><td><code>{{.Code}}</code></td><td>{{range .SGMs}}{{.}} {{end}}</td><td>{{.Message}}</td></tr>
<tr class="evidence"><td colspan="4"><ul class="ev">{{range .Cited}}<li>{{.At}}{{if .Quote}}<blockquote class="line">{{.Quote}}</blockquote>{{end}}</li>{{end}}</ul></td></tr>
{{end}}</table>{{with .Page.NoQuotes}}<p class="muted">Evidence lines not quoted: {{.}}.</p>{{end}}{{else}}<p>No findings: {{.R.Checked}} checked.</p>{{end}}

<h2>Sync messages over time</h2>
{{.Chart}}
{{with .R.Storms}}<p>{{.Messages}} sync messages; clock: {{.ClockNote}}.{{if .PeriodNote}} Bursts recur {{.PeriodNote}}.{{end}}</p>
<p class="muted">{{.Forecast.Formula}}</p>{{end}}

<h2>Owner placement by site</h2>
{{.Sites}}
{{with .R.Owners}}<table><tr><th>SGM</th><th class="num">Owners</th><th class="num">Entries held</th></tr>
{{range $sgm, $n := .OwnersBySGM}}<tr><td>{{$sgm}}</td><td class="num">{{$n}}</td><td class="num">{{index $.R.Owners.HeldBySGM $sgm}}</td></tr>{{end}}
<tr><td>unknown</td><td class="num">{{.OwnerUnknown}}</td><td></td></tr></table>
{{if .AtRisk}}<h3>Connections at risk</h3><table><tr><th>Connection</th><th class="num">Expires in (s)</th><th>On SGM</th><th class="num">Refreshed, left (s)</th><th>On SGM</th><th>Owner</th></tr>
{{range .AtRisk}}<tr><td>{{.Src}}:{{.SPort}} &rarr; {{.Dst}}:{{.DPort}} ({{.Proto}})</td><td class="num">{{.MinRemaining}}</td><td>{{.MinSGM}}</td><td class="num">{{.MaxRemaining}}</td><td>{{.MaxSGM}}</td><td>{{.Owner}}</td></tr>{{end}}</table>{{end}}{{end}}

<h2>SGMs</h2>
<table><tr><th>SGM</th><th>Host</th><th>Version</th><th class="num">JHF take</th><th>State</th><th>Files</th></tr>
{{range .R.Members}}<tr><td>{{.SGM}}</td><td>{{.Hostname}}</td><td>{{.Version}}</td><td class="num">{{if .Take}}{{.Take}}{{else}}not shown{{end}}</td><td>{{.State}}</td><td>{{range .Files}}{{.}}<br>{{end}}</td></tr>{{end}}</table>

{{with .R.Storms}}{{if .Syncstat}}<h2>Sync statistics</h2>
<table><tr><th>SGM</th><th>Snapshot</th><th>Status</th><th class="num">Lost updates</th><th class="num">Sent rejects</th><th class="num">Received rejects</th><th class="num">Sending queue</th><th class="num">Receiving queue</th></tr>
{{range .Syncstat}}<tr><td>{{.SGM}}</td><td>{{.Source}}</td><td>{{.Status}}</td><td class="num">{{with .LostUpdates}}{{.}}{{end}}</td><td class="num">{{with .SentRejectNotifications}}{{.}}{{end}}</td><td class="num">{{with .ReceivedRejectNotifications}}{{.}}{{end}}</td><td class="num">{{with .SendingQueueSize}}{{.}}{{end}}</td><td class="num">{{with .ReceivingQueueSize}}{{.}}{{end}}</td></tr>{{end}}</table>{{end}}{{end}}

{{with .R.TimelineReport}}{{if .Events}}<h2 id="timeline">Timeline</h2>
<table id="timeline-table"><tr><th>Time (UTC)</th><th>SGM</th><th>Event</th><th>From</th><th>To</th><th>Reason</th><th>Source</th></tr>
{{range .Events}}<tr class="event"><td>{{.Time}}</td><td>{{with .SGM}}{{.}}{{else}}-{{end}}</td><td><code>{{.Kind}}</code></td><td>{{.From}}</td><td>{{.To}}</td><td>{{.Reason}}{{if .Assumed}} <span class="muted">[assumed: {{.Assumed}}]</span>{{end}}</td><td><code>{{.Source}}</code></td></tr>
{{end}}</table>
<p>{{.Story}}</p>{{end}}{{end}}

<h2>Inventory</h2>
<table><tr><th>File</th><th>SGM</th><th>SGM from</th><th class="num">Unrecognized lines</th></tr>
{{range .R.Files}}<tr><td>{{.Name}}</td><td>{{.SGM}}</td><td>{{.Rule}}</td><td class="num">{{.Unrecognized}}</td></tr>{{end}}</table>
{{if .R.Skipped}}<p>Not read:</p><ul class="ev">{{range .R.Skipped}}<li>{{.}}</li>{{end}}</ul>{{end}}
<p class="muted">{{.R.Unrecognized.Count}} lines were not recognized (other command outputs in the cpinfo files, logs){{if .R.Unrecognized.Examples}}; most frequent: {{index .R.Unrecognized.Examples 0}}{{end}}. {{.R.Unrecognized.Rejected.Count}} damaged lines were rejected.</p>
<p class="muted">Generated by maestro-analyze {{.Page.Version}}, offline, from the files listed above{{if .Generated}}, {{.Generated}}{{end}}.</p>
</body></html>
`))
