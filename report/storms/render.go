package storms

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/guptarohit/asciigraph"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// chartWidth is the number of columns of the terminal chart.
const chartWidth = 72

// Chart draws the message rate over time with asciigraph, bursts as a
// second series; each column is the busiest bucket it covers, so peaks
// survive the downsampling.
func Chart(r *Report) string {
	if len(r.Timeline) == 0 || r.Start == nil {
		return ""
	}
	w := r.Bucket
	start := *r.Start
	span := *r.End - start
	cols := int(math.Min(chartWidth, math.Max(1, math.Ceil(span/w))))
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
	for _, p := range r.Timeline {
		c := col(p.T)
		all[c] = math.Max(all[c], float64(p.Messages)*scale)
	}
	for _, b := range r.Bursts {
		for c := col(b.Start); c <= col(b.Start+b.Duration-w); c++ {
			burst[c] = all[c]
		}
	}
	unit := "messages/s"
	axis := "s"
	if !r.Clock {
		unit, axis = "messages per bucket", "message #"
	}
	caption := fmt.Sprintf("%s, %s %.0f .. %.0f (%.3g %s per column); bursts drawn with #", unit, axis, start, *r.End, per, axis)
	return asciigraph.PlotMany([][]float64{all, burst},
		asciigraph.Height(10), asciigraph.Width(cols), asciigraph.LowerBound(0), asciigraph.Precision(0),
		asciigraph.SeriesChars(asciigraph.DefaultCharSet, asciigraph.CreateCharSet("#")),
		asciigraph.Caption(caption)) + "\n"
}

// WriteTable renders the storm report for people.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	fmt.Fprintln(w, p.Bold.Sprintf("Sync messages: %s in %s lines", report.Thousands(r.Messages), report.Thousands(r.Lines)))
	fmt.Fprintf(w, "Clock: %s\n", r.ClockNote)
	if r.Switchover != nil {
		t := "unknown"
		if r.Switchover.T != nil {
			t = fmt.Sprintf("%.3f s (%s)", *r.Switchover.T, r.Switchover.Source)
		}
		fmt.Fprintf(w, "Switchover: %s\n", report.Sanitize(t))
		for _, e := range r.Switchover.Evidence {
			fmt.Fprintf(w, "  - %s\n", report.Sanitize(e))
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
	if err := report.RenderRows(w, []string{"Op", "Messages", "Share"}, rows, tw.AlignLeft, tw.AlignRight, tw.AlignRight); err != nil {
		return err
	}
	if c := Chart(r); c != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, c)
	}
	if r.Clock {
		fmt.Fprintln(w)
		peak := "-"
		if r.Peak != nil {
			peak = fmt.Sprintf("%.0f messages/s at %.0f s", r.Peak.Rate, r.Peak.T)
		}
		fmt.Fprintf(w, "Peak %s; baseline (median) %.1f per %g s bucket; burst threshold %.0f\n", peak, r.Baseline, r.Bucket, r.Threshold)
		rows = rows[:0]
		for _, b := range r.Bursts {
			wave := ""
			if b.Wave != nil {
				wave = fmt.Sprintf("T0+%dx%.0f s (%+.1f s)", *b.Wave, r.RefreshInterval, *b.Offset)
			}
			rows = append(rows, []string{fmt.Sprintf("%.0f", b.Start), fmt.Sprintf("%g", b.Duration), report.Thousands(b.Messages),
				report.Thousands(b.Refresh), report.Pct(int(b.Refresh), int(max(1, b.Messages))), wave})
		}
		if len(rows) > 0 {
			if err := report.RenderRows(w, []string{"Burst start (s)", "Duration (s)", "Messages", "REFRESH", "REFRESH share", "Wave"}, rows,
				tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignLeft); err != nil {
				return err
			}
		}
	}
	if len(r.Syncstat) > 0 {
		fmt.Fprintln(w)
		rows = rows[:0]
		for _, s := range r.Syncstat {
			rows = append(rows, []string{report.Sanitize(s.SGM), report.Sanitize(s.Source), report.Sanitize(s.Status), num(s.LostUpdates),
				num(s.SentRejectNotifications), num(s.ReceivedRejectNotifications), num(s.SendingQueueSize), num(s.ReceivingQueueSize)})
		}
		if err := report.RenderRows(w, []string{"SGM", "Snapshot", "Status", "Lost updates", "Sent rejects", "Received rejects", "Sending queue", "Receiving queue"}, rows,
			tw.AlignLeft, tw.AlignLeft, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight); err != nil {
			return err
		}
	}
	if err := writePstat(w, r); err != nil { // fw ctl pstat Sync counters (pstat.go)
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Forecast, %s (%s)\n", r.Forecast.Note, r.Forecast.Formula)
	fmt.Fprintf(w, "  connections: %s (%s); wave: %s\n", report.Thousands(r.Forecast.Connections), r.Forecast.ConnectionsSource, r.Forecast.WaveSource)
	fmt.Fprintln(w)
	fmt.Fprintln(w, p.Bold.Sprint("Findings"))
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, "- none")
	}
	report.WriteFindings(w, r.Findings)
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
