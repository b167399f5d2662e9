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
// (section titles, command blocks) so that evidence can be placed. Once a
// section title, an Issuing line or the CPinfo banner has shown that the
// input is a cpinfo, a line no format recognizes is counted as "other
// cpinfo content" (ignored, by shape), not as damaged.
//
// Also recognized here, in any file: kernel panic traces ("Kernel panic -
// not syncing", "kernel BUG at", "Oops:"), software versions ("software
// version R81.10"), the Jumbo Hotfix take of the `cpinfo -y all` listing
// (see hotfixLine), and the output of `hostname` after its Issuing line.

var (
	versionRe = regexp.MustCompile(`\b(R[0-9]{2}(?:\.[0-9]{1,2})?)\b`)
	releaseRe = regexp.MustCompile(`R([0-9]{2})_([0-9]{1,2})`)
	takeRe    = regexp.MustCompile(`(?i)jumbo.*\btake:?\s*([0-9]{1,4})\b`)
	issuingRe = regexp.MustCompile(`^Issuing '([^']*)'\s*:`)
)

// cpinfoState says whether an input is a cpinfo file.
type cpinfoState uint8

const (
	cpinfoNo      cpinfoState = iota // no cpinfo structure seen (yet)
	cpinfoUnknown                    // a chunk's Reader: the chunks before it decide (see addChunk)
	cpinfoYes                        // a section title, an Issuing line or the CPinfo banner was seen
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
		r.cpinfo = cpinfoYes
	case bytes.HasPrefix(t, []byte("Issuing '")):
		m := issuingRe.FindSubmatch(t)
		if m == nil {
			return false, false
		}
		rec.reset(KindSection, pos)
		rec.Name = string(m[1])
		rec.Text = "command"
		r.afterHostname = string(m[1]) == "hostname"
		r.cpinfo = cpinfoYes
		return r.accept(), true
	case r.afterHostname && len(t) < 64 && bytes.IndexByte(t, ' ') < 0:
		rec.reset(KindHostname, pos)
		rec.Text = string(t)
	case bytes.HasPrefix(t, []byte("HOTFIX_")) || bytes.HasPrefix(t, []byte("BUNDLE_")):
		if !r.hotfixLine(t, pos) {
			r.afterHostname = false
			return r.ignore("hotfix listing"), true
		}
	case bytes.HasPrefix(t, []byte("No hotfixes")):
		r.afterHostname = false
		return r.ignore("hotfix listing"), true
	case isStars(t):
		r.afterHostname = false
		return r.ignore("banner"), true
	case bytes.Contains(t, []byte("CPinfo Build")) || bytes.Equal(t, []byte("Check Point Support Information.")):
		r.afterHostname = false
		r.cpinfo = cpinfoYes
		return r.ignore("banner"), true
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
		} else if m := releaseRe.FindSubmatch(t); m != nil {
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

// Format: the hotfix listing of `cpinfo -y all` [public, three real
// outputs]. Product headings in brackets, each followed by its hotfixes,
// indented, or by "No hotfixes..":
//
//	This is Check Point CPinfo Build 914000196 for GAIA
//	[MGMT]
//	        No hotfixes..
//	[FW1]
//	        HOTFIX_R81_20_JUMBO_HF_MAIN     Take:  122       (R81.20)
//	        HOTFIX_GOT_TPAPI_AUTOUPDATE     Take:  36        (not a Jumbo)
//	[VSEC]
//	        HOTFIX_R81_20_JUMBO_HF_MAIN                      (take not shown)
//	[Reporting Module]
//	        BUNDLE_R81_20_JUMBO_HF_MAIN  Take:  122
//
// R80.20 prints no Take: column; the take is in the name:
// HOTFIX_R80_20_JHF_T118_EQ_251_MAIN is take 118. R77.30 prints no take
// anywhere (its version comes from "software version R77.30").
//
// A Jumbo Hotfix line (a name holding JUMBO_HF or JHF) is a KindVersion
// record: Name the hotfix, Text the release its name carries (R81_20 is
// R81.20), Value the take from its Take: column, else from a T<n> part of
// the name after JHF (T118), else -1: not shown, never guessed (EQ_251 and
// build numbers are not takes). Each line stands alone: a line without a
// take says nothing about a take another heading lists. Other hotfix lines
// and the headings are ignored ("hotfix listing").

// hotfixLine reads a hotfix line ("HOTFIX_..." or "BUNDLE_..."); it returns
// false when the hotfix is not a Jumbo Hotfix.
func (r *Reader) hotfixLine(t []byte, pos Pos) bool {
	name := t
	if i := bytes.IndexAny(t, " \t"); i >= 0 {
		name = t[:i]
	}
	parts := bytes.Split(name, []byte("_"))
	jhf := -1 // the index of the part after JHF or JUMBO_HF
	for i, p := range parts {
		switch {
		case string(p) == "JHF":
			jhf = i + 1
		case string(p) == "JUMBO" && i+1 < len(parts) && string(parts[i+1]) == "HF":
			jhf = i + 2
		}
		if jhf >= 0 {
			break
		}
	}
	if jhf < 0 {
		return false
	}
	rec := &r.rec
	rec.reset(KindVersion, pos)
	rec.Name = string(name)
	rec.Value = -1
	if m := releaseRe.FindSubmatch(name); m != nil {
		rec.Text = "R" + string(m[1]) + "." + string(m[2])
	}
	if rest := trimSpace(t[len(name):]); len(rest) >= 4 && bytes.EqualFold(rest[:4], []byte("take")) {
		rest = trimSpace(bytes.TrimPrefix(rest[4:], []byte(":")))
		d := 0
		for d < len(rest) && isDigit(rest[d]) {
			d++
		}
		if n, ok := decUint(rest[:d]); ok && d <= 4 {
			rec.Value = int(n)
		}
		return true
	}
	for _, p := range parts[jhf:] {
		if len(p) >= 2 && len(p) <= 5 && p[0] == 'T' {
			if n, ok := decUint(p[1:]); ok {
				rec.Value = int(n)
				break
			}
		}
	}
	return true
}

// isProductHeading reports whether t is a product heading of the hotfix
// listing: "[FW1]", "[Reporting Module]" (letters, digits and spaces, a
// letter first; kernel-debug tags such as [vs_0] hold an underscore).
func isProductHeading(t []byte) bool {
	if len(t) < 3 || len(t) > 42 || t[0] != '[' || t[len(t)-1] != ']' {
		return false
	}
	in := t[1 : len(t)-1]
	if in[0]|0x20 < 'a' || in[0]|0x20 > 'z' {
		return false
	}
	for _, c := range in {
		if c != ' ' && !isAlnum(c) {
			return false
		}
	}
	return true
}

// isStars reports whether t is a banner rule of at least 10 '*'.
func isStars(t []byte) bool {
	return len(t) >= 10 && t[0] == '*' && len(bytes.Trim(t, "*")) == 0
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
