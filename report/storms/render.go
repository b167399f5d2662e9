package storms

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/guptarohit/asciigraph"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// chartWidth is the number of columns of the terminal chart when no
// width is set.
const chartWidth = 72

// chartMargin is what the chart draws beside its columns: the y labels
// and axis on the left, half a time label on the right.
const chartMargin = 12

// Chart draws the message rate over time with asciigraph, bursts as a
// second series; each column is the busiest bucket it covers, so peaks
// survive the downsampling. The x axis is labelled with times (p.Times:
// clock times for an epoch-stamped capture, whose date is in the caption,
// else seconds) and a line under it marks the switchover with ▲. It fits
// p.Width when one is set.
func Chart(r *Report, p report.Palette) string {
	if len(r.Timeline) == 0 || r.Start == nil {
		return ""
	}
	w := r.Bucket
	start := *r.Start
	span := *r.End - start
	most := chartWidth
	if p.Width > 0 {
		most = max(10, min(most, p.Width-chartMargin))
	}
	cols := int(math.Min(float64(most), math.Max(1, math.Ceil(span/w))))
	per := span / float64(cols)
	all := make([]float64, cols)
	burst := make([]float64, cols)
	for i := range burst {
		burst[i] = math.NaN()
	}
	col := func(t float64) int { return min(cols-1, max(0, int((t-start)/per))) }
	scale := 1.0
	if r.Clock {
		scale = 1 / w // messages per second
	}
	for _, pt := range r.Timeline {
		c := col(pt.T)
		all[c] = math.Max(all[c], float64(pt.Messages)*scale)
	}
	for _, b := range r.Bursts {
		for c := col(b.Start); c <= col(b.Start+b.Duration-w); c++ {
			burst[c] = all[c]
		}
	}
	opts := []asciigraph.Option{asciigraph.Height(10), asciigraph.Width(cols), asciigraph.LowerBound(0), asciigraph.Precision(0),
		asciigraph.SeriesChars(asciigraph.DefaultCharSet, asciigraph.CreateCharSet("#"))}
	var caption string
	if r.Clock {
		ticks := max(2, min(6, cols/12))
		opts = append(opts, asciigraph.XAxisRange(start, start+per*float64(cols-1)), asciigraph.XAxisTickCount(ticks),
			asciigraph.XAxisValueFormatter(p.Times.Clock))
		if report.IsEpoch(start) {
			caption = fmt.Sprintf("messages/s from %s to %s (%.3g s per column); bursts drawn with #", p.Times.At(start, 0), p.Times.At(*r.End, 0), per)
		} else {
			caption = fmt.Sprintf("messages/s, s %.0f .. %.0f (%.3g s per column); bursts drawn with #", start, *r.End, per)
		}
	} else {
		caption = fmt.Sprintf("messages per bucket, message # %.0f .. %.0f (%.3g message # per column); bursts drawn with #", start, *r.End, per)
	}
	out := asciigraph.PlotMany([][]float64{all, burst}, opts...)
	if r.Clock && r.Switchover != nil && r.Switchover.T != nil && *r.Switchover.T >= start && *r.Switchover.T <= *r.End {
		out += "\n" + marker(out, col(*r.Switchover.T), "switchover "+p.Times.Clock(*r.Switchover.T), p.Width)
	}
	return out + "\n" + p.Wrap("  "+caption, "  ") + "\n"
}

// marker returns a line with ▲ under column c of the chart drawn in
// plot, and text beside it: after it when it fits the width, else before.
func marker(plot string, c int, text string, width int) string {
	pad := 0 // the chart's columns start after its y axis
	for _, l := range strings.Split(plot, "\n") {
		if i := strings.IndexRune(l, '└'); i >= 0 {
			pad = utf8.RuneCountInString(l[:i]) + 1
			break
		}
	}
	at := pad + c
	if width <= 0 || at+2+len(text) <= width || at < len(text)+1 {
		return strings.Repeat(" ", at) + "▲ " + text
	}
	return strings.Repeat(" ", at-len(text)-1) + text + " ▲"
}

// WriteTable renders the storm report for people.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	fmt.Fprintln(w, p.Bold.Sprintf("Sync messages: %s in %s lines", report.Thousands(r.Messages), report.Thousands(r.Lines)))
	fmt.Fprintln(w, p.Wrap("Clock: "+r.ClockNote, "  "))
	if r.Switchover != nil {
		t := "unknown"
		if r.Switchover.T != nil {
			t = fmt.Sprintf("%s (%s)", p.Times.At(*r.Switchover.T, 3), r.Switchover.Source)
		}
		fmt.Fprintln(w, p.Wrap("Switchover: "+report.Sanitize(t), "  "))
		for _, e := range r.Switchover.Evidence {
			fmt.Fprintln(w, p.Wrap("  - "+p.RelAll(report.Sanitize(e)), "    "))
		}
	}
	fmt.Fprintln(w)
	ops := make([]string, 0, len(r.MessagesByOp))
	for op := range r.MessagesByOp {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	var rows [][]string
	for _, op := range ops {
		rows = append(rows, []string{report.Sanitize(op), report.Thousands(r.MessagesByOp[op]), report.Pct(int(r.MessagesByOp[op]), int(max(1, r.Messages)))})
	}
	if err := p.Table(w, []report.Col{{Header: "Op"}, {Header: "Messages", Align: tw.AlignRight}, {Header: "Share", Align: tw.AlignRight}}, rows); err != nil {
		return err
	}
	if c := Chart(r, p); c != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, c)
	}
	if r.Clock {
		fmt.Fprintln(w)
		peak := "-"
		if r.Peak != nil {
			peak = fmt.Sprintf("%.0f messages/s at %s", r.Peak.Rate, p.Times.At(r.Peak.T, 0))
		}
		fmt.Fprintln(w, p.Wrap(fmt.Sprintf("Peak %s; baseline (median) %.1f per %g s bucket; burst threshold %.0f", peak, r.Baseline, r.Bucket, r.Threshold), "  "))
		rows = rows[:0]
		for _, b := range r.Bursts {
			wave := ""
			if b.Wave != nil {
				wave = fmt.Sprintf("T0+%dx%.0f s (%+.1f s)", *b.Wave, r.RefreshInterval, *b.Offset)
			}
			rows = append(rows, []string{p.Times.Cell(b.Start, 0), fmt.Sprintf("%g", b.Duration), report.Thousands(b.Messages),
				report.Thousands(b.Refresh), report.Pct(int(b.Refresh), int(max(1, b.Messages))), wave})
		}
		if len(rows) > 0 {
			startCol := report.Col{Header: "Burst start (s)", Align: tw.AlignRight}
			if len(r.Bursts) > 0 && report.IsEpoch(r.Bursts[0].Start) {
				startCol = report.Col{Header: "Burst start " + p.Times.Zone(r.Bursts[0].Start), Whole: true}
			}
			if err := p.Table(w, []report.Col{startCol, {Header: "Duration (s)", Align: tw.AlignRight},
				{Header: "Messages", Align: tw.AlignRight}, {Header: "REFRESH", Align: tw.AlignRight}, {Header: "REFRESH share", Align: tw.AlignRight, Drop: 1},
				{Header: "Wave"}}, rows); err != nil {
				return err
			}
		}
	}
	if len(r.Syncstat) > 0 {
		fmt.Fprintln(w)
		rows = rows[:0]
		for _, s := range r.Syncstat {
			rows = append(rows, []string{report.Sanitize(s.SGM), p.Rel(report.Sanitize(s.Source)), report.Sanitize(s.Status), num(s.LostUpdates),
				num(s.SentRejectNotifications), num(s.ReceivedRejectNotifications), num(s.SendingQueueSize), num(s.ReceivingQueueSize)})
		}
		r := tw.AlignRight
		if err := p.Table(w, []report.Col{{Header: "SGM"}, {Header: "Snapshot", Cut: true}, {Header: "Status"}, {Header: "Lost updates", Align: r},
			{Header: "Sent rejects", Align: r}, {Header: "Received rejects", Align: r}, {Header: "Sending queue", Align: r, Drop: 1}, {Header: "Receiving queue", Align: r, Drop: 2}}, rows); err != nil {
			return err
		}
	}
	if err := writePstat(w, r, p); err != nil { // fw ctl pstat Sync counters (pstat.go)
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Wrap(fmt.Sprintf("Forecast, %s (%s)", r.Forecast.Note, r.Forecast.Formula), "  "))
	fmt.Fprintln(w, p.Wrap(fmt.Sprintf("  connections: %s (%s); wave: %s", report.Thousands(r.Forecast.Connections), r.Forecast.ConnectionsSource, r.Forecast.WaveSource), "    "))
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Findings"))
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "- none")
	}
	p.WriteFindings(w, r.Findings)
	return nil
}

func num(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

// WriteCSV renders the timeline: one row per bucket.
func WriteCSV(w io.Writer, r *Report) error {
	rows := make([][]string, 0, len(r.Timeline))
	for _, p := range r.Timeline {
		burst := ""
		for _, b := range r.Bursts {
			if p.T >= b.Start && p.T < b.Start+b.Duration {
				burst = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%f", b.Start), "0"), ".")
			}
		}
		rows = append(rows, []string{strconv.FormatFloat(p.T, 'f', -1, 64), strconv.FormatInt(p.Messages, 10), strconv.FormatInt(p.Refresh, 10), burst})
	}
	return report.WriteCSV(w, []string{"t", "messages", "refresh", "burst_start"}, rows)
}
