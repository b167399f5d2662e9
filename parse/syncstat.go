package parse

import (
	"bytes"
	"math"
)

// Format: `cphaprob syncstat` [public], R80.20 and R81 shapes:
//
//	Delta Sync Statistics
//	Sync status: OK
//	Drops:
//	Lost updates................................. 0
//	...
//	Sent messages:                                   (R80.20: "Sent updates:")
//	Total generated sync messages................  26079
//	Sync Interface:                                  (R81)
//	Rate.........................................  46000 [Bps]
//	Total........................................  376827[KB]
//	Queue sizes (num of updates):
//	Sending queue size...........................  512
//	Timers:
//	Delta Sync interval (ms)..................... 100
//	Reset on Sun Jun 3 14:37:26 2018 (triggered by fullsync).
//
// A counter is a name, a run of dots, and the value: the rest of the line,
// units kept. Each line is its own record; a report groups them into
// snapshots at each "Delta Sync Statistics".

// syncstatSections are the section titles both versions print.
var syncstatSections = map[string]bool{
	"Drops": true, "Sync at risk": true, "Sent updates": true, "Sent messages": true,
	"Received updates": true, "Received messages": true, "Sync Interface": true,
	"Queue sizes (num of updates)": true, "Timers": true,
}

// syncstatLine parses a syncstat line. handled is false when t is not one;
// produced is true when it yields a record (false for a line ignored).
func (r *Reader) syncstatLine(t []byte, pos Pos) (produced, handled bool) {
	rec := &r.rec
	switch {
	case bytes.Equal(t, []byte("Delta Sync Statistics")):
		rec.reset(KindSyncstat, pos)
	case bytes.HasPrefix(t, []byte("Sync status:")):
		rec.reset(KindSyncstatStatus, pos)
		rec.Text = string(trimSpace(t[len("Sync status:"):]))
	case bytes.HasPrefix(t, []byte("Reset on ")):
		return r.ignore("syncstat reset note"), true
	case t[len(t)-1] == ':' && syncstatSections[string(t[:len(t)-1])]:
		rec.reset(KindSyncstatSection, pos)
		rec.Name = string(t[:len(t)-1])
	default:
		dots := bytes.Index(t, []byte("...."))
		if dots <= 0 {
			return false, false
		}
		end := dots
		for end < len(t) && t[end] == '.' {
			end++
		}
		rec.reset(KindSyncstatCounter, pos)
		rec.Name = string(trimSpace(t[:dots]))
		val := trimSpace(t[end:])
		if e := counterValue(rec, val); e != "" {
			r.rejectLine(synErr(Pos{pos.Name, pos.Line, r.col(val)}, ErrCounter, "counter %q: %q %s", clip([]byte(rec.Name)), clip(val), e), 1)
			return true, true
		}
	}
	return r.accept(), true
}

// counterValue sets the value of the syncstat counter rec from val, the
// rest of its line: Text is val as printed, units kept ("46000 [Bps]",
// "SYNCBOND"), and Num its leading whole number when it has one. A number
// of 2^63 or more sets NumOver instead of Num (a counter that large is
// damage or a wrapped 64-bit counter, but it is what the line says). A
// value that is a number but not a count is refused, and counterValue
// says why: a sign ("-5"), NaN or infinity, hex ("0x10"). A fraction
// ("1.5") leaves the value as text only.
func counterValue(rec *Record, val []byte) string {
	rec.Text = string(val)
	if len(val) == 0 {
		return ""
	}
	num := val
	if num[0] == '-' || num[0] == '+' {
		num = num[1:]
		if len(num) > 0 && isDigit(num[0]) {
			return "has a sign: expected a count (0 or more)"
		}
	}
	word := num
	if i := bytes.IndexAny(word, " \t[("); i >= 0 {
		word = word[:i]
	}
	switch w := string(bytes.ToLower(word)); w {
	case "nan", "inf", "infinity":
		return "is not a number: expected a count"
	}
	if len(num) < len(val) {
		return "" // text that starts with a sign: "-", "--"
	}
	n := 0
	for n < len(val) && isDigit(val[n]) {
		n++
	}
	if n == 0 {
		return ""
	}
	if n < len(val) {
		switch c := val[n]; {
		case (c == 'x' || c == 'X') && n == 1 && val[0] == '0' && n+1 < len(val) && hexClass[val[n+1]] < 16:
			return "is hex: expected a decimal count"
		case c == '.' && n+1 < len(val) && isDigit(val[n+1]):
			return "" // a fraction: kept as text
		}
	}
	var v int64
	for _, c := range val[:n] {
		d := int64(c - '0')
		if v > math.MaxInt64/10 || v*10 > math.MaxInt64-d {
			rec.NumOver = true
			return ""
		}
		v = v*10 + d
	}
	rec.Num, rec.HasNum = v, true
	return ""
}
