package parse

import (
	"bytes"
	"regexp"
	"strconv"
)

// Format: cpinfo `.info` files and /var/log/messages [public].
//
//	==============================================      (exactly 46 '=')
//	CP components
//	==============================================
//	------------------------                            (23, 24 or 66 '-')
//	CP Status - FW
//	------------------------
//	Issuing 'date' :
//	+=========+=========+  stderr +=========+=========+
//
// A cpinfo file mostly holds outputs of other commands; the Reader finds
// the formats it knows inside it line by line, and reports the structure
// (section titles, command blocks) so that evidence can be placed. Lines of
// other outputs are counted as unrecognized, as anywhere else.
//
// Also recognized here, in any file: kernel panic traces ("Kernel panic -
// not syncing", "kernel BUG at", "Oops:"), software versions ("software
// version R81.10") and Jumbo Hotfix takes ("..._JUMBO_HF_MAIN  Take:  79"),
// and the output of `hostname` after its Issuing line.

var (
	versionRe = regexp.MustCompile(`\b(R[0-9]{2}(?:\.[0-9]{1,2})?)\b`)
	takeRe    = regexp.MustCompile(`(?i)jumbo.*\btake:?\s*([0-9]{1,4})\b`)
	issuingRe = regexp.MustCompile(`^Issuing '([^']*)'\s*:`)
)

// cpinfoLine recognizes cpinfo structure and the other lines above, for a
// line no other format took. It returns (produced, handled).
func (r *Reader) cpinfoLine(t []byte, pos Pos) (produced, handled bool) {
	rec := &r.rec
	switch {
	case r.prevRule != 0 && len(t) < 120:
		rec.reset(KindSection, pos)
		rec.Name = string(t)
		rec.Text = "section"
		if r.prevRule == '-' {
			rec.Text = "sub-section"
		}
		r.titleSeen = true
	case bytes.HasPrefix(t, []byte("Issuing '")):
		m := issuingRe.FindSubmatch(t)
		if m == nil {
			return false, false
		}
		rec.reset(KindSection, pos)
		rec.Name = string(m[1])
		rec.Text = "command"
		r.afterHostname = string(m[1]) == "hostname"
		return r.accept(), true
	case r.afterHostname && len(t) < 64 && bytes.IndexByte(t, ' ') < 0:
		rec.reset(KindHostname, pos)
		rec.Text = string(t)
	case bytes.Contains(t, []byte("Kernel panic")) || bytes.Contains(t, []byte("kernel BUG at")) || bytes.Contains(t, []byte("Oops:")):
		rec.reset(KindPanic, pos)
		rec.Text = string(t)
	case bytes.Contains(t, []byte("ake")) && takeRe.Match(t):
		rec.reset(KindVersion, pos)
		if m := takeRe.FindSubmatch(t); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			rec.Value = n
		}
		if m := versionRe.FindSubmatch(t); m != nil {
			rec.Text = string(m[1])
		} else if m := regexp.MustCompile(`R([0-9]{2})_([0-9]{1,2})`).FindSubmatch(t); m != nil {
			rec.Text = "R" + string(m[1]) + "." + string(m[2])
		}
	case bytes.Contains(t, []byte("software version R")):
		m := versionRe.FindSubmatch(t)
		if m == nil {
			return false, false
		}
		rec.reset(KindVersion, pos)
		rec.Text = string(m[1])
		rec.Value = -1
	default:
		return false, false
	}
	r.afterHostname = false
	return r.accept(), true
}

// isRule reports whether t is a cpinfo rule line: exactly 46 '=' or 23, 24
// or 66 '-', returning which character.
func isRule(t []byte) byte {
	switch {
	case len(t) == 46 && len(bytes.Trim(t, "=")) == 0:
		return '='
	case (len(t) == 23 || len(t) == 24 || len(t) == 66) && len(bytes.Trim(t, "-")) == 0:
		return '-'
	}
	return 0
}
