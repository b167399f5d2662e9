package parse

import "bytes"

// syncTail reads `refresh time=N`, `aggressive time=N` and `op_code=N`
// from what follows a sync line's mask; a field that is missing or not a
// number stays -1.
func syncTail(rec *Record, b []byte) {
	if bytes.IndexByte(b, '=') < 0 {
		return // the usual DELETE and REFRESH: nothing after the mask
	}
	// The usual SET tail, " refresh time=N aggressive time=N ...", is
	// read in place: a label that opens what is left is its first
	// occurrence, as tailNumber would find it.
	rest := b
	rec.RefreshTime, rest = leadNumber(rest, b, " refresh time=")
	rec.AggressiveTime, rest = leadNumber(rest, b, " aggressive time=")
	rec.OpCode = tailNumber(rest, "op_code=")
}

// leadNumber is tailNumber(b, label[1:]) when rest, the part of b not yet
// read, starts with label; it then also returns what follows the number.
func leadNumber(rest, b []byte, label string) (int64, []byte) {
	if !bytes.HasPrefix(rest, []byte(label)) || len(rest) < len(b) && bytes.Contains(b[:len(b)-len(rest)], []byte(label[1:])) {
		return tailNumber(b, label[1:]), rest
	}
	v := rest[len(label):]
	n := 0
	for n < len(v) && v[n] >= '0' && v[n] <= '9' {
		n++
	}
	x, ok := decUint(v[:n])
	if !ok {
		return -1, v[n:]
	}
	return int64(x), v[n:]
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
