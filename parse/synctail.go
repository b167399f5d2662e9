package parse

import "bytes"

// syncTail reads `refresh time=N`, `aggressive time=N` and `op_code=N`
// from what follows a sync line's mask; a field that is missing or not a
// number stays -1.
func syncTail(rec *Record, b []byte) {
	if bytes.IndexByte(b, '=') < 0 {
		return // the usual DELETE and REFRESH: nothing after the mask
	}
	rec.RefreshTime = tailNumber(b, "refresh time=")
	rec.AggressiveTime = tailNumber(b, "aggressive time=")
	rec.OpCode = tailNumber(b, "op_code=")
}

func tailNumber(b []byte, label string) int64 {
	i := bytes.Index(b, []byte(label))
	if i < 0 {
		return -1
	}
	v := b[i+len(label):]
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
