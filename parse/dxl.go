package parse

import (
	"bytes"

	"github.com/maestro-analyze/maestro-analyze/decode"
)

// Format: `asg dxl calc <src> <dst> <n>` [seed]:
//
//	<172.16.61.2,172.16.61.66,dst_based,318>
//	Chassis 1: Blade(s):1_02,1_04
//	Chassis 2: Blade(s):2_02,2_04
//
// The first blade listed per chassis is the primary, the second the backup.
// Each line is its own record; a report joins a chassis line to the result
// line before it.

// isDxlLine matches `<a.b.c.d,a.b.c.d,...>` (no spaces, dotted IPs).
func isDxlLine(t []byte) bool {
	if len(t) < 9 || t[len(t)-1] != '>' || bytes.IndexByte(t, ' ') >= 0 {
		return false
	}
	comma := bytes.IndexByte(t, ',')
	return comma > 0 && bytes.IndexByte(t[:comma], '.') > 0
}

func (r *Reader) parseDxl(t []byte, pos Pos) *SyntaxError {
	rec := &r.rec
	rec.reset(KindDxl, pos)
	parts := bytes.Split(t[1:len(t)-1], []byte(","))
	if len(parts) < 2 {
		return synErr(pos, ErrField, "asg dxl calc line: expected <src,dst,method,value>")
	}
	src, ok1 := ipv4(parts[0])
	dst, ok2 := ipv4(parts[1])
	if !ok1 || !ok2 {
		return synErr(pos, ErrField, "asg dxl calc line: %q or %q is not an IPv4 address", clip(parts[0]), clip(parts[1]))
	}
	rec.Key.Src, rec.Key.Dst = src, dst
	if len(parts) > 2 {
		rec.Table = string(parts[2])
	}
	if len(parts) > 3 {
		if v, ok := decUint(parts[3]); ok {
			rec.Value = int(v)
		}
	}
	return nil
}

// parseDxlChassis parses "Chassis 1: Blade(s):1_02,1_04".
func (r *Reader) parseDxlChassis(t []byte, pos Pos) *SyntaxError {
	rec := &r.rec
	rec.reset(KindDxlChassis, pos)
	rest := t[len("Chassis "):]
	colon := bytes.IndexByte(rest, ':')
	if colon < 0 {
		return synErr(pos, ErrField, "chassis line: expected Chassis N: Blade(s):S_MM,...")
	}
	n, ok := decUint(trimSpace(rest[:colon]))
	if !ok || n < 1 || n > 9 {
		return synErr(pos, ErrField, "chassis line: %q is not a chassis number 1..9", clip(rest[:colon]))
	}
	rec.Chassis = int(n)
	list := rest[colon+1:]
	if i := bytes.IndexByte(list, ':'); i >= 0 {
		list = list[i+1:]
	}
	for f := range bytes.SplitSeq(list, []byte(",")) {
		f = trimSpace(f)
		if len(f) == 0 {
			continue
		}
		s, err := decode.ParseSGM(string(f))
		if err != nil {
			return synErr(pos, ErrField, "chassis line: %q is not an SGM name", clip(f))
		}
		rec.SGMs = append(rec.SGMs, s)
	}
	return nil
}
