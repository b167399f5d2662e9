package report

import (
	"errors"
	"fmt"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/parse"
)

// Evidence counts what the inputs held that an analysis can use, by what a
// user calls it. Headers, banners, section titles, host names and other
// kernel-debug lines are context, not evidence.
type Evidence struct {
	Inputs     int   `json:"inputs"`
	Lines      int64 `json:"lines"`
	Entries    int64 `json:"connection_entries"` // fw tab -u/-f entries and links, gconn rows
	Sync       int64 `json:"sync_lines"`         // kernel-debug sync messages
	Correction int64 `json:"correction_lines"`
	Syncstat   int64 `json:"syncstat"` // cphaprob syncstat snapshots
	States     int64 `json:"state_lines"`
	Panics     int64 `json:"panic_lines"`
	Versions   int64 `json:"version_lines"`
	Pstat      int64 `json:"pstat_lines"` // fw ctl pstat counters and status lines
	// CPView counts the samples of CPView history databases (rows of the
	// tables read, all together).
	CPView int64 `json:"cpview_samples,omitempty"`
}

// Evidence is what the inputs read so far held.
func (f *Feed) Evidence() Evidence {
	s := &f.stats
	n := func(ks ...parse.Kind) int64 {
		var t int64
		for _, k := range ks {
			t += s.Recognized[k]
		}
		return t
	}
	return Evidence{
		Inputs: len(f.inputs) + max(0, f.merged-1), Lines: s.Lines,
		Entries: n(parse.KindFwTab, parse.KindFwTabLink, parse.KindFwTabF, parse.KindGconn),
		Sync:    n(parse.KindSync), Correction: n(parse.KindCorrection), Syncstat: n(parse.KindSyncstat),
		States: n(parse.KindSiteState, parse.KindMemberState), Panics: n(parse.KindPanic), Versions: n(parse.KindVersion),
		Pstat:  n(parse.KindPstatCounter, parse.KindPstatStatus),
		CPView: f.cpviewSamples,
	}
}

// None reports whether nothing an analysis can use was found.
func (e Evidence) None() bool {
	return e.Entries+e.Sync+e.Correction+e.Syncstat+e.States+e.Panics+e.Versions+e.Pstat+e.CPView == 0
}

// String says what was looked at and what was found: "12 inputs (340
// lines): 0 connection entries, 0 sync lines, 0 syncstat snapshots".
func (e Evidence) String() string {
	count := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return Thousands(n) + " " + many
	}
	parts := []string{
		count(e.Entries, "connection entry", "connection entries"),
		count(e.Sync, "sync line", "sync lines"),
		count(e.Syncstat, "syncstat snapshot", "syncstat snapshots"),
	}
	for _, x := range []struct {
		n         int64
		one, many string
	}{
		{e.Correction, "correction line", "correction lines"}, {e.States, "site or member state line", "site or member state lines"},
		{e.Panics, "kernel panic line", "kernel panic lines"}, {e.Versions, "version line", "version lines"},
		{e.Pstat, "pstat line", "pstat lines"}, {e.CPView, "CPView sample", "CPView samples"},
	} {
		if x.n > 0 {
			parts = append(parts, count(x.n, x.one, x.many))
		}
	}
	return fmt.Sprintf("%s (%s): %s", count(int64(e.Inputs), "input", "inputs"), count(e.Lines, "line", "lines"), strings.Join(parts, ", "))
}

// ErrNothingRecognized is wrapped by the error of a run whose inputs held
// nothing any analysis can use: that is an answer of its own, never "no
// findings".
var ErrNothingRecognized = errors.New("nothing recognized that an analysis can use")

// NothingError returns an error wrapping ErrNothingRecognized that says
// what was looked at, or nil when the inputs held evidence.
func (f *Feed) NothingError() error {
	e := f.Evidence()
	if !e.None() {
		return nil
	}
	return fmt.Errorf("%w in %s", ErrNothingRecognized, e)
}
