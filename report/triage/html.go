package triage

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/report"
	"github.com/maestro-analyze/maestro-analyze/report/owners"
	"github.com/maestro-analyze/maestro-analyze/report/storms"
)

// WriteHTML writes one self-contained HTML page (no scripts, fonts or
// network): the findings, the SGMs, owner placement by site, the sync
// message timeline as an inline SVG chart, syncstat snapshots and the
// inventory. html/template escapes everything taken from the input.
func WriteHTML(w io.Writer, r *Report, version string) error {
	return triageTemplate.Execute(w, htmlData{R: r, Version: version, Chart: timelineSVG(r.Storms), Sites: siteBars(r.Owners)})
}

type htmlData struct {
	R       *Report
	Version string
	Chart   template.HTML
	Sites   template.HTML
}

// svgW and svgH are the chart's drawing size in SVG units.
const svgW, svgH = 900.0, 240.0

// timelineSVG draws messages per bucket over time, REFRESH in a second
// line and bursts as shaded bands. Built from numbers only, so it needs no
// escaping beyond the caption, which is formatted from numbers too.
func timelineSVG(sr *storms.Report) template.HTML {
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
		fmt.Fprintf(&b, `<rect class="burst" x="%.1f" y="10" width="%.1f" height="%.0f"><title>burst at %.0f s: %d messages, %d REFRESH</title></rect>`,
			x0-2, math.Max(4, x1-x0+4), svgH-40, bu.Start, bu.Messages, bu.Refresh)
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
	fmt.Fprintf(&b, `<text x="50" y="%.0f">%.0f %s</text><text x="%.0f" y="%.0f" text-anchor="end">%.0f %s</text>`, svgH-12, start, unit, svgW-10, svgH-12, end, unit)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">messages per %g %s bucket: all ops (blue), REFRESH (orange), bursts shaded</text>`, svgW/2, svgH-12, sr.Bucket, unit)
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
th{background:#f4f4f4}.num{text-align:right}
.sev{font-weight:bold;text-transform:uppercase;padding:.1em .4em;border-radius:3px;color:#fff}
.sev-high{background:#c0392b}.sev-medium{background:#d68910}.sev-info{background:#7f8c8d}
.muted{color:#777}code{font-size:.9em}
svg text{font-size:12px;fill:#333}
.axis{stroke:#999}.all{fill:none;stroke:#2e86c1;stroke-width:1.5}.refresh{fill:none;stroke:#e67e22;stroke-width:1.5}
.burst{fill:#f5b7b1;opacity:.6}.site-ok{fill:#52be80}.site-bad{fill:#e74c3c}
ul.ev{margin:.2em 0;padding-left:1.2em;font-family:monospace;font-size:.85em}
</style></head><body>
<h1>Maestro triage report</h1>
<p>{{len .R.Files}} files, {{len .R.Members}} SGMs. Site states: {{range $k, $v := .R.SiteStates}}site {{$k}} {{$v}}; {{else}}unknown; {{end}}<span class="muted">({{.R.SitesSource}})</span></p>

<h2 id="findings">Findings</h2>
{{if .R.Findings}}<table id="findings-table"><tr><th>Severity</th><th>Code</th><th>SGMs</th><th>What it means</th><th>Evidence</th></tr>
{{range .R.Findings}}<tr class="finding"><td><span class="sev sev-{{.Severity}}">{{.Severity}}</span></td><td><code>{{.Code}}</code></td><td>{{range .SGMs}}{{.}} {{end}}</td><td>{{.Message}}</td><td><ul class="ev">{{range .Evidence}}<li>{{.}}</li>{{end}}</ul></td></tr>
{{end}}</table>{{else}}<p>No findings: {{.R.Checked}} checked.</p>{{end}}

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
<p class="muted">Generated by maestro-analyze {{.Version}}, offline, from the files listed above.</p>
</body></html>
`))
