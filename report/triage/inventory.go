package triage

import (
	"fmt"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/report"
)

// maxFileRows is the largest inventory listed file by file; a bigger one
// has one row per folder (archive members count as files, archives as
// folders), or per parent folder, as many levels up as it takes.
const maxFileRows = 1000

// files summarizes what triage made of each input: one row per input, or
// per folder beyond maxFileRows inputs. It returns the rows, the number
// of files and whether rows are folders.
func (t *Triage) files() (rows []FileSummary, files int, summarized bool) {
	ins := t.f.Inputs()
	files = len(ins) + max(0, t.f.Merged()-1)
	if len(ins) <= maxFileRows {
		rows = make([]FileSummary, 0, len(ins))
		for _, in := range ins {
			rows = append(rows, t.fileRow(in, in.Name))
		}
		return rows, files, false
	}
	keys := make([]string, len(ins))
	for i, in := range ins {
		keys[i] = parentFolder(in.Name)
	}
	for distinct(keys) > maxFileRows {
		changed := false
		for i, k := range keys {
			if p := parentFolder(k); p != k {
				keys[i], changed = p, true
			}
		}
		if !changed {
			break
		}
	}
	at := map[string]int{}
	for i, in := range ins {
		k := keys[i]
		j, ok := at[k]
		if !ok && len(rows) == maxFileRows-1 {
			k = "(other inputs)"
			j, ok = at[k]
		}
		n := 1
		if t.f.Merged() > 0 && i == len(ins)-1 {
			n = t.f.Merged()
		}
		if !ok {
			j = len(rows)
			at[k] = j
			row := t.fileRow(in, k)
			row.Files = n
			rows = append(rows, row)
			continue
		}
		rows[j].merge(t.fileRow(in, k), n)
	}
	return rows, files, true
}

// fileRow is the inventory row of one input, named name.
func (t *Triage) fileRow(in *report.Input, name string) FileSummary {
	fs := FileSummary{Name: name, Rule: in.Rule, Recognized: map[string]int64{}, Unrecognized: in.Stats.UnrecognizedLines(), Rejected: in.Stats.RejectedLines()}
	if s := in.SGM(); !s.IsZero() {
		fs.SGM = s.String()
	}
	if in.Index < len(t.sections) {
		fs.Sections = t.sections[in.Index]
	}
	for _, k := range in.Stats.Recognized {
		fs.Recognized[k.Kind.String()] = k.Lines
	}
	return fs
}

// merge adds the row of n more files to a folder's row: counts add up,
// an SGM or a rule the files do not share becomes "several".
func (fs *FileSummary) merge(o FileSummary, n int) {
	fs.Files += n
	fs.Unrecognized += o.Unrecognized
	fs.Rejected += o.Rejected
	fs.Sections += o.Sections
	for k, v := range o.Recognized {
		fs.Recognized[k] += v
	}
	if fs.SGM != o.SGM {
		fs.SGM = "several"
	}
	if fs.Rule != o.Rule {
		fs.Rule = "several"
	}
}

// parentFolder is the folder holding name, ending in its separator
// ("a.tgz!b/c/" for "a.tgz!b/c/d.txt", "a.tgz!" for "a.tgz!b/"); a name
// without a folder is its own.
func parentFolder(name string) string {
	trimmed := strings.TrimRight(name, "/!")
	i := strings.LastIndexAny(trimmed, "/!")
	if i < 0 {
		return name
	}
	return trimmed[:i+1]
}

func distinct(keys []string) int {
	seen := make(map[string]struct{}, min(len(keys), 4*maxFileRows))
	for _, k := range keys {
		seen[k] = struct{}{}
	}
	return len(seen)
}

// filesTitle is the inventory's count for the title: "12 files" or
// "400,000 files in 1,000 folders".
func filesTitle(r *Report) string {
	s := fmt.Sprintf("%s %s", report.Thousands(int64(r.FileCount)), report.Plural(r.FileCount, "file"))
	if r.FilesSummarized {
		s += fmt.Sprintf(" in %s folders", report.Thousands(int64(len(r.Files))))
	}
	return s
}
