package timeline

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// story is one paragraph: the switchover, who took over, the panics and
// reboots, memory, the waves.
func (r *Report) story() string {
	evs := r.Events
	if len(evs) == 0 && len(r.Undated) == 0 {
		return "No event on the timeline: no CPView history database, dated panic line or placed capture among the inputs (or none in the range asked for)."
	}
	var parts []string
	by := func(kind string) []Event {
		var out []Event
		for _, e := range evs {
			if e.Kind == kind {
				out = append(out, e)
			}
		}
		return out
	}
	fails := by(KindFailover)
	if len(fails) > 0 {
		t0 := fails[0].T
		var s []string
		groups := map[string][]string{}
		var keys []string
		for _, e := range by(KindStateChange) {
			if abs(e.T-t0) > 180 || e.SGM == nil {
				continue
			}
			k := e.From + " -> " + e.To
			if groups[k] == nil {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], *e.SGM)
		}
		for _, k := range keys {
			s = append(s, fmt.Sprintf("%s went %s", list(groups[k]), k))
		}
		var takers []string
		for _, e := range fails {
			if abs(e.T-t0) <= 180 && e.SGM != nil && !slices.Contains(takers, *e.SGM) {
				takers = append(takers, *e.SGM)
			}
		}
		f := fails[0]
		take := fmt.Sprintf("%s took over (failover #%d", list(takers), deref64(f.Counter))
		if f.Reason != "" {
			take += ": " + f.Reason
		}
		if f.From != "" {
			take += ", from " + f.From
		}
		take += ")"
		head := "At " + clock(t0)
		if len(s) > 0 {
			head += " " + strings.Join(s, " and ")
			parts = append(parts, head+"; "+take+".")
		} else {
			parts = append(parts, head+" "+take+".")
		}
	} else if sc := by(KindStateChange); len(sc) > 0 {
		parts = append(parts, fmt.Sprintf("%d state %s, no failover counter rise; the first at %s on %s (%s -> %s).",
			len(sc), plural(len(sc), "change"), clock(sc[0].T), orUnknown(sc[0].SGM), sc[0].From, sc[0].To))
	}
	reboots := by(KindReboot)
	for _, p := range by(KindPanic) {
		s := fmt.Sprintf("%s had a kernel panic at %s (syslog)", orUnknown(p.SGM), clock(p.T))
		for _, b := range reboots {
			if deref(b.SGM) == deref(p.SGM) && b.T >= p.T-120 {
				s += fmt.Sprintf(" and rebooted (uptime dropped by the sample at %s, %s)", clock(b.T), b.Detail)
				break
			}
		}
		if p.SGM != nil {
			if sgm, err := decode.ParseSGM(*p.SGM); err == nil {
				if from, to, since, ok := r.MemoryTrend(sgm, p.T); ok {
					s += fmt.Sprintf("; its real memory used rose from %s to %s in the %s before", pct(from), pct(to), hours(since))
				}
			}
		}
		parts = append(parts, s+".")
	}
	for _, b := range reboots {
		panicked := false
		for _, p := range by(KindPanic) {
			panicked = panicked || deref(p.SGM) == deref(b.SGM) && b.T >= p.T-120
		}
		if !panicked {
			parts = append(parts, fmt.Sprintf("%s rebooted (uptime dropped by the sample at %s).", orUnknown(b.SGM), clock(b.T)))
		}
	}
	for _, m := range by(KindMemoryHigh) {
		parts = append(parts, fmt.Sprintf("Real memory used on %s crossed %.0f%% at %s (%s).", orUnknown(m.SGM), MemoryHigh, clock(m.T), m.Detail))
	}
	if sw := by(KindSwitchover); len(sw) > 0 {
		parts = append(parts, fmt.Sprintf("The kernel debug shows the switchover at %s (%s).", clock(sw[0].T), sw[0].Reason))
	}
	if ws := by(KindWave); len(ws) > 0 {
		var at []string
		for _, w := range ws {
			d, _, _ := strings.Cut(w.Detail, ":")
			at = append(at, d)
		}
		parts = append(parts, "REFRESH waves followed at "+list(at)+".")
	}
	for _, u := range r.Undated {
		if u.Kind == KindSGMDown {
			parts = append(parts, fmt.Sprintf("%s (undated).", strings.Replace(u.Reason, "it", orUnknown(u.SGM), 1)))
		}
	}
	parts = append(parts, SampleNote+".")
	return strings.Join(parts, " ")
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func orUnknown(s *string) string {
	if s == nil {
		return "an unknown SGM"
	}
	return *s
}

// clock renders t as the story does: "02:22:49 on 2025-09-30 UTC".
func clock(t int64) string { return time.Unix(t, 0).UTC().Format("15:04:05 on 2006-01-02 UTC") }

// list joins words: "a", "a and b", "a, b and c".
func list(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

var header = []string{"Time (UTC)", "SGM", "Event", "Details", "Source"}

func row(e Event) []string {
	d := e.Detail
	switch e.Kind {
	case KindStateChange:
		d = e.From + " -> " + e.To
		if e.Reason != "" {
			d += " (" + e.Reason + ")"
		}
	case KindFailover:
		d = fmt.Sprintf("#%d: %s, from %s", deref64(e.Counter), e.Reason, e.From)
	case KindReboot:
		d = e.From + " -> " + e.To + "; " + e.Detail
	case KindMemoryHigh:
		d = e.Detail
	case KindPanic, KindSwitchover, KindWave:
		d = e.Reason + "; " + e.Detail
	}
	if e.Assumed != "" {
		d += " [assumed: " + e.Assumed + "]"
	}
	return []string{time.Unix(e.T, 0).UTC().Format("2006-01-02 15:04:05"), orDash(e.SGM), e.Kind, report.Sanitize(d), report.Sanitize(e.Source)}
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// WriteTable renders the timeline for people: the table, the undated
// events, the story, the sources and what was assumed.
func WriteTable(w io.Writer, r *Report, p report.Palette) error {
	fmt.Fprintln(w, p.Bold.Sprintf("Timeline: %d %s", len(r.Events), plural(len(r.Events), "event")))
	rows := make([][]string, 0, len(r.Events))
	for _, e := range r.Events {
		rows = append(rows, row(e))
	}
	if len(rows) > 0 {
		for _, row := range rows {
			row[len(row)-1] = p.RelAll(row[len(row)-1])
		}
		// At a narrow width the details wrap and the source is cut in the
		// middle (its two ends say where); the source goes first when even
		// that does not fit (JSON and CSV keep it).
		cols := []report.Col{{Header: header[0], Whole: true}, {Header: header[1]}, {Header: header[2], Whole: true},
			{Header: header[3]}, {Header: header[4], Cut: true, Drop: 1}}
		if err := p.Table(w, cols, rows); err != nil {
			return err
		}
	}
	if len(r.Undated) > 0 {
		fmt.Fprintln(w, "\nUndated:")
		for _, u := range r.Undated {
			fmt.Fprintln(w, p.Wrap(fmt.Sprintf("  %s %s: %s (%s)", orDash(u.SGM), u.Kind, report.Sanitize(u.Reason), p.RelAll(report.Sanitize(u.Source))), "    "))
		}
	}
	fmt.Fprintf(w, "\n%s\n", p.Wrap(report.Sanitize(r.Story), ""))
	if len(r.Sources) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, s := range r.Sources {
			line := fmt.Sprintf("  %s (%s, SGM %s): %d samples, clock %s", p.RelAll(report.Sanitize(s.Input)), s.Kind, orDash(s.SGM), s.Samples, report.Sanitize(s.Clock))
			if s.First != "" {
				line += fmt.Sprintf(", %s to %s", s.First, s.Last)
			}
			fmt.Fprintln(w, p.Wrap(line, "      "))
			if len(s.Missing) > 0 {
				fmt.Fprintln(w, p.Wrap("    missing: "+report.Sanitize(strings.Join(s.Missing, ", ")), "      "))
			}
			for _, n := range s.Notes {
				fmt.Fprintln(w, p.Wrap("    note: "+report.Sanitize(n), "      "))
			}
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, p.Wrap("Note: "+report.Sanitize(n), "  "))
	}
	return nil
}

// WriteCSV renders one row per event.
func WriteCSV(w io.Writer, r *Report) error {
	rows := make([][]string, 0, len(r.Events))
	for _, e := range r.Events {
		rows = append(rows, []string{strconv.FormatInt(e.T, 10), e.Time, deref(e.SGM), e.Kind, e.From, e.To, e.Reason, e.Source, e.Detail, e.Assumed})
	}
	return report.WriteCSV(w, []string{"t", "time", "sgm", "kind", "from", "to", "reason", "source", "detail", "assumed"}, rows)
}

// Line is one line of the NDJSON output: an event, an undated event, a
// source or the story, named by Type.
type Line struct {
	Type string `json:"type"`
	*Event
	Undated *Undated `json:"undated,omitempty"`
	Source  *Source  `json:"source_info,omitempty"`
	Story   string   `json:"story,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// WriteNDJSON writes one event per line ("type":"event"), then the undated
// events, the sources and the story.
func WriteNDJSON(w io.Writer, r *Report) error {
	lines := make([]Line, 0, len(r.Events)+len(r.Undated)+len(r.Sources)+1)
	for i := range r.Events {
		lines = append(lines, Line{Type: "event", Event: &r.Events[i]})
	}
	for i := range r.Undated {
		lines = append(lines, Line{Type: "undated", Undated: &r.Undated[i]})
	}
	for i := range r.Sources {
		lines = append(lines, Line{Type: "source", Source: &r.Sources[i]})
	}
	lines = append(lines, Line{Type: "story", Story: r.Story, Notes: r.Notes})
	enc := newEncoder(w)
	for i := range lines {
		if err := enc.Encode(&lines[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := newEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// newEncoder is a JSON encoder that leaves <, > and & as they are (new
// output: "1_01 -> 1_02" reads as written) and escapes what a terminal
// would act on, as report.WriteJSON does.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(escaper{w})
	enc.SetEscapeHTML(false)
	return enc
}

type escaper struct{ w io.Writer }

func (e escaper) Write(p []byte) (int, error) {
	if _, err := e.w.Write(report.EscapeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
