package parse

import (
	"bytes"
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
		rec.Text = string(val)
		n := 0
		for n < len(val) && isDigit(val[n]) {
			n++
		}
		if n > 0 && n <= 18 {
			var v int64
			for _, c := range val[:n] {
				v = v*10 + int64(c-'0')
			}
			rec.Num, rec.HasNum = v, true
		}
	}
	return r.accept(), true
}
