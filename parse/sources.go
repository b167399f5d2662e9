package parse

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Source is one input named on the command line, after folders are
// expanded: a path ("-" for stdin) and, when known, the SGM whose output it
// holds and the rule that said so.
type Source struct {
	Path string
	SGM  decode.SGM // zero when not known from the command line or the name
	Rule string     // "command line", "file name" or ""
}

// SGM attribution rules, as reports name them.
const (
	RuleCommandLine = "command line (FILE@SGM)"
	RuleFileName    = "file name"
	RuleHeader      = "header line"
)

// sgmInName finds an SGM id such as 1_03 in a path: not part of a longer
// number, so "2025_10_01" does not match.
var sgmInName = regexp.MustCompile(`(?:^|[^0-9])([1-9])_([0-9]{1,2})(?:[^0-9]|$)`)

// SGMFromName returns the SGM named in a path (`sgm-1_03.txt`,
// `1_03/fwtab.txt`); the last match wins, as the file name is more specific
// than its folders.
func SGMFromName(path string) (decode.SGM, bool) {
	m := sgmInName.FindAllStringSubmatch(filepath.ToSlash(path), -1)
	if len(m) == 0 {
		return decode.SGM{}, false
	}
	last := m[len(m)-1]
	s, err := decode.ParseSGM(last[1] + "_" + last[2])
	return s, err == nil
}

// Expand turns command-line arguments into sources: "-" is stdin,
// "FILE@1_03" names the SGM, a folder stands for every regular file under
// it in lexical order. With no arguments it returns stdin.
func Expand(args []string) ([]Source, error) {
	if len(args) == 0 {
		args = []string{"-"}
	}
	var out []Source
	for _, a := range args {
		path, sgm, rule := a, decode.SGM{}, ""
		if i := strings.LastIndexByte(a, '@'); i > 0 {
			if s, err := decode.ParseSGM(a[i+1:]); err == nil {
				path, sgm, rule = a[:i], s, RuleCommandLine
			}
		}
		if path == "-" {
			out = append(out, Source{Path: "-", SGM: sgm, Rule: rule})
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, named(path, sgm, rule))
			continue
		}
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				out = append(out, named(p, sgm, rule))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading folder: %w", err)
		}
	}
	return out, nil
}

func named(path string, sgm decode.SGM, rule string) Source {
	if rule == "" {
		if s, ok := SGMFromName(path); ok {
			sgm, rule = s, RuleFileName
		}
	}
	return Source{Path: path, SGM: sgm, Rule: rule}
}

// ReadSource opens src (stdin for "-"), hands a Reader over it to fn, and
// closes it.
func ReadSource(src Source, stdin io.Reader, fn func(*Reader) error) error {
	in, err := Open(src.Path, stdin)
	if err != nil {
		return err
	}
	defer in.Close()
	return fn(NewReader(in, in.Name))
}
