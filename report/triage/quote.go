package triage

import (
	"strconv"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/parse"
)

// maxQuote bounds a quoted evidence line, in bytes.
const maxQuote = 1024

// Quotes are the text of the input lines the findings cite, by position
// ("bundle.tgz!bundle/1_01/cpinfo.info:138"), for the HTML report to show
// under each finding. Fill them with [Quotes.Read] over the same inputs.
type Quotes struct {
	want map[string]map[int]bool // input name -> cited lines
	text map[string]string       // position -> line
}

// NewQuotes returns the positions r's findings cite (at most
// report.MaxEvidence each: the "and N more" are not quoted).
func NewQuotes(r *Report) *Quotes {
	q := &Quotes{want: map[string]map[int]bool{}, text: map[string]string{}}
	for _, f := range r.Findings {
		for _, e := range f.Clean().Evidence {
			name, line, ok := citedPos(e)
			if !ok {
				continue
			}
			if q.want[name] == nil {
				q.want[name] = map[int]bool{}
			}
			q.want[name][line] = true
		}
	}
	return q
}

// citedPos splits evidence "name:line" or "name:line (note)" into its
// input name and line.
func citedPos(e string) (string, int, bool) {
	if i := strings.Index(e, " ("); i >= 0 {
		e = e[:i]
	}
	j := strings.LastIndexByte(e, ':')
	if j <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(e[j+1:])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return e[:j], n, true
}

// Wanted reports whether any line is cited.
func (q *Quotes) Wanted() bool { return q != nil && len(q.want) > 0 }

// Read keeps the cited lines of one input; it is a [parse.Walk] callback
// (a second pass over the inputs: the first does not know what will be
// cited). Lines joined from several (wrapped entries) are not quoted.
func (q *Quotes) Read(_ parse.Source, r *parse.Reader) error {
	lines := q.want[r.Name()]
	if lines == nil {
		return nil // the walk skips the rest of the input
	}
	left := len(lines)
	for left > 0 && r.Scan() {
		rec, err := r.Record()
		pos := 0
		switch {
		case rec != nil:
			pos = rec.Pos.Line
		case err != nil:
			if se, ok := err.(*parse.SyntaxError); ok { //nolint:errorlint // Record returns it unwrapped
				pos = se.Pos.Line
			}
		}
		if !lines[pos] || r.Line() == nil {
			continue
		}
		t := string(r.Line())
		if len(t) > maxQuote {
			t = strings.ToValidUTF8(t[:maxQuote], "") + " …"
		}
		q.text[r.Name()+":"+strconv.Itoa(pos)] = t
		left--
	}
	return nil
}

// Of returns the quoted line of evidence e, if it was read.
func (q *Quotes) Of(e string) string {
	if q == nil {
		return ""
	}
	name, line, ok := citedPos(e)
	if !ok {
		return ""
	}
	return q.text[name+":"+strconv.Itoa(line)]
}
