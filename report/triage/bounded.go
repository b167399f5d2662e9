package triage

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/decode"
	"github.com/maestro-analyze/maestro-analyze/report"
)

// Bounds of the failure evidence: memory follows the number of distinct
// SGMs and findings, never the number of matching lines.
const (
	// evidenceEnds is how many positions a failure keeps from the start
	// (report.MaxEvidence are printed); the last one and the total are
	// kept too.
	evidenceEnds = report.MaxEvidence
	// maxFailures bounds the distinct failures (code, SGM, what); lines
	// of further ones are folded into one failure per code.
	maxFailures = 256
	// maxMemberFiles is how many file names a member lists; FileCount
	// counts them all.
	maxMemberFiles = 100
)

// failure is the evidence of one finding about one SGM: how many lines,
// the first positions and the last one.
type failure struct {
	code  string
	sgm   decode.SGM
	what  string
	n     int64
	first []string
	last  string
}

func (f *failure) add(pos string) {
	f.n++
	if len(f.first) < evidenceEnds {
		f.first = append(f.first, pos)
	}
	f.last = pos
}

// evidence is the positions a finding lists: the first ones, then "and
// N more" (which [report.Finding.Clean] keeps).
func (f *failure) evidence() []string {
	out := append([]string{}, f.first...)
	if rest := f.n - int64(len(f.first)); rest > 0 {
		out = append(out, fmt.Sprintf("and %d more", rest))
	}
	return out
}

// lastNote is what the message adds when not every position is listed:
// the total and the last position.
func (f *failure) lastNote(what string) string {
	if f.n <= int64(len(f.first)) {
		return ""
	}
	return fmt.Sprintf(" (%d %s; the last at %s)", f.n, what, f.last)
}

// failures groups failure evidence as it is met, in first-seen order.
type failures struct {
	list []*failure
	idx  map[string]int
}

// add counts one line of evidence for (code, sgm, what).
func (fs *failures) add(code string, sgm decode.SGM, what, pos string) {
	if fs.idx == nil {
		fs.idx = map[string]int{}
	}
	key := code + "|" + sgm.String()
	if code == CodeSGMDown {
		key += "|" + what
	}
	i, ok := fs.idx[key]
	if !ok && len(fs.list) >= maxFailures {
		key, sgm, what = code+"|more", decode.SGM{}, fmt.Sprintf("further failures beyond %d distinct ones", maxFailures)
		i, ok = fs.idx[key]
	}
	if !ok {
		i = len(fs.list)
		fs.idx[key] = i
		fs.list = append(fs.list, &failure{code: code, sgm: sgm, what: what})
	}
	fs.list[i].add(pos)
}
