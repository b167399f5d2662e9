package parse

import "bytes"

// syncTail reads `refresh time=N`, `aggressive time=N` and `op_code=N`
// from what follows a sync line's mask; a field that is missing or not a
// number stays -1. The first occurrence of each label counts. One pass
// over the '=' signs of the tail (six in a SET line), for every sync line
// of a capture.
func syncTail(rec *Record, b []byte) {
	var seen [3]bool
	for i := 0; !seen[0] || !seen[1] || !seen[2]; {
		j := bytes.IndexByte(b[i:], '=')
		if j < 0 {
			return
		}
		j += i
		before, after := b[:j], b[j+1:]
		switch {
		case !seen[0] && bytes.HasSuffix(before, []byte("refresh time")):
			seen[0], rec.RefreshTime = true, tailValue(after)
		case !seen[1] && bytes.HasSuffix(before, []byte("aggressive time")):
			seen[1], rec.AggressiveTime = true, tailValue(after)
		case !seen[2] && bytes.HasSuffix(before, []byte("op_code")):
			seen[2], rec.OpCode = true, tailValue(after)
		}
		i = j + 1
	}
}

// tailValue is the decimal number v starts with, or -1.
func tailValue(v []byte) int64 {
	n := 0
	for n < len(v) && v[n] >= '0' && v[n] <= '9' {
		n++
	}
	x, ok := decUint(v[:n])
	if !ok {
		return -1
	}
	return int64(x)
}
