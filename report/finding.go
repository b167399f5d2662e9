package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Severities of findings, most serious first.
const (
	High   = "high"
	Medium = "medium"
	Info   = "info"
)

// MaxEvidence bounds the evidence positions a finding lists; the rest are
// counted in a last "and N more" line.
const MaxEvidence = 5

// Finding is one problem an analysis found, with the SGMs it concerns,
// plain words, the numbers, and where it was seen (`archive!member:line`).
// Its code is stable, for scripts. The JSON field names are a contract.
type Finding struct {
	Code     string           `json:"code"`
	Severity string           `json:"severity"`
	SGMs     []string         `json:"sgms"`
	Message  string           `json:"message"`
	Evidence []string         `json:"evidence"`
	Numbers  map[string]int64 `json:"numbers,omitempty"`
}

// Clean returns f ready to print: no nil lists, the evidence cut to
// MaxEvidence with "and N more", every text made safe for a terminal.
func (f Finding) Clean() Finding {
	if f.SGMs == nil {
		f.SGMs = []string{}
	}
	ev, unlisted := f.Evidence, 0
	if n := len(ev); n > 0 {
		var k int
		if _, err := fmt.Sscanf(ev[n-1], "and %d more", &k); err == nil && k > 0 {
			ev, unlisted = ev[:n-1], k // the caller counted what it did not list
		}
	}
	if len(ev) > MaxEvidence {
		ev, unlisted = slices.Clone(ev[:MaxEvidence]), unlisted+len(ev)-MaxEvidence
	}
	if unlisted > 0 {
		ev = append(slices.Clone(ev), fmt.Sprintf("and %d more", unlisted))
	}
	f.Evidence = make([]string, len(ev))
	for i, e := range ev {
		f.Evidence[i] = Sanitize(e)
	}
	f.Message = Sanitize(f.Message)
	return f
}

// impact ranks the codes whose findings hurt most, within a severity: a
// failed SGM, a kernel panic, lost sync updates, connections about to be
// dropped; the rest follow by code.
var impact = map[string]int{
	"SGM_DOWN": 1, "KERNEL_PANIC": 2, "LOST_UPDATES": 3, "EXPIRY_SKEW": 4, "AT_RISK": 4,
}

func severityRank(s string) int {
	switch s {
	case High:
		return 0
	case Medium:
		return 1
	}
	return 2
}

// SortFindings orders findings by severity, then by impact, then by code
// and SGMs, so that the first line read is the worst.
func SortFindings(fs []Finding) {
	rank := func(code string) int {
		if r, ok := impact[code]; ok {
			return r
		}
		return len(impact) + 1
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)), cmp.Compare(rank(a.Code), rank(b.Code)),
			cmp.Compare(a.Code, b.Code), cmp.Compare(strings.Join(a.SGMs, ","), strings.Join(b.SGMs, ",")))
	})
}

// WriteFindings writes findings as a list of their messages, for people;
// a message that does not name its SGMs is prefixed with them.
func WriteFindings(w io.Writer, fs []Finding) { Palette{}.WriteFindings(w, fs) }

// WriteFindings is [WriteFindings] wrapped to the palette's width.
func (p Palette) WriteFindings(w io.Writer, fs []Finding) {
	for _, f := range fs {
		if len(f.SGMs) > 0 && !strings.Contains(f.Message, f.SGMs[0]) {
			fmt.Fprintln(w, p.Wrap(fmt.Sprintf("- %s: %s", strings.Join(f.SGMs, " "), f.Message), "  "))
			continue
		}
		fmt.Fprintln(w, p.Wrap("- "+f.Message, "  "))
	}
}
