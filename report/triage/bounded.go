package triage

import (
	"fmt"

	"github.com/maestro-analyze/maestro-analyze/parse"

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
// the first positions and the last one. Positions are kept as they are and
// rendered once, when the finding is written: a matching line costs no
// allocation.
type failure struct {
	code  string
	sgm   decode.SGM
	what  string
	n     int64
	first []parse.Pos
	last  parse.Pos
}

func (f *failure) add(pos parse.Pos) {
	f.n++
	if len(f.first) < evidenceEnds {
		f.first = append(f.first, pos)
	}
	f.last = pos
}

// evidence is the positions a finding lists: the first ones, then "and
// N more" (which [report.Finding.Clean] keeps).
func (f *failure) evidence() []string {
	out := make([]string, 0, len(f.first)+1)
	for _, p := range f.first {
		out = append(out, p.String())
	}
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

// failureKey tells failures apart: an SGM DOWN row by its member number
// when the SGM is not known.
type failureKey struct {
	code   string
	sgm    decode.SGM
	member int
	more   bool // the failures beyond maxFailures
}

// failures groups failure evidence as it is met, in first-seen order.
type failures struct {
	list []*failure
	idx  map[failureKey]int
}

// add counts one line of evidence for code about sgm; member is the
// member number of a DOWN row whose site is not known (sgm zero), -1
// otherwise.
func (fs *failures) add(code string, sgm decode.SGM, member int, pos parse.Pos) {
	if fs.idx == nil {
		fs.idx = map[failureKey]int{}
	}
	key := failureKey{code: code, sgm: sgm, member: member}
	if code != CodeSGMDown || !sgm.IsZero() {
		key.member = -1
	}
	i, ok := fs.idx[key]
	if !ok && len(fs.list) >= maxFailures {
		key = failureKey{code: code, member: -1, more: true}
		i, ok = fs.idx[key]
	}
	if !ok {
		f := &failure{code: code, sgm: key.sgm}
		switch {
		case key.more:
			f.what = fmt.Sprintf("further failures beyond %d distinct ones", maxFailures)
		case code == CodeSGMDown && sgm.IsZero():
			f.what = fmt.Sprintf("member %d is DOWN", member)
		case code == CodeSGMDown:
			f.what = sgm.String() + " is DOWN"
		}
		i = len(fs.list)
		fs.idx[key] = i
		fs.list = append(fs.list, f)
	}
	fs.list[i].add(pos)
}
